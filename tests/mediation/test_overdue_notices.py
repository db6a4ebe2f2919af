"""Overdue steps raise a business notice once per case step (`huimin mediation-overdue`),
which reaches the officers of the county on the business-alert page and the security
administrator on the alert list; the demo seed makes cases at various steps."""

import datetime
import io

from django.core.management import call_command

from huimin.audit.models import SecurityAlert
from huimin.mediation.models import MediationCase
from tests import factories
from tests.mediation.conftest import walk

TODAY = datetime.date.today()


def make_late(case, days):
    MediationCase.objects.filter(pk=case.pk).update(step_due=TODAY - datetime.timedelta(days=days))


def run(on=None) -> str:
    out = io.StringIO()
    call_command("mediation_overdue", *(["--on", on.isoformat()] if on else []), stdout=out)
    return out.getvalue()


def test_an_overdue_step_raises_one_notice_however_often_the_check_runs(officer, open_case):
    late, on_time = open_case(), open_case()
    make_late(late, 2)

    assert "逾期案件 1 件，新提醒 1 条" in run()
    assert "新提醒 0 条" in run()

    alert = SecurityAlert.objects.get(rule="mediation_step_overdue")
    assert alert.audience == "mediation.manage" and alert.region_code == late.region_code
    assert late.number in alert.subject and "受理已逾期2天" in alert.subject
    assert alert.details["url"] == f"/mediation/{late.pk}/"
    assert on_time.number not in alert.subject


def test_the_next_step_overdue_is_a_new_notice(officer, open_case):
    case = open_case()
    make_late(case, 1)
    run()
    walk(officer, case, "evidence")
    make_late(case, 1)
    run()
    subjects = sorted(SecurityAlert.objects.values_list("subject", flat=True))
    assert len(subjects) == 2
    assert any("受理" in s for s in subjects) and any("调查取证" in s for s in subjects)


def test_a_closed_case_is_never_overdue(officer, open_case):
    case = open_case()
    walk(officer, case, "none")
    MediationCase.objects.filter(pk=case.pk).update(step_due=TODAY - datetime.timedelta(days=9))
    assert "逾期案件 0 件" in run()
    assert not SecurityAlert.objects.exists()


def test_a_future_check_day_finds_what_will_be_late(officer, open_case):
    open_case()
    assert "逾期案件 1 件" in run(TODAY + datetime.timedelta(days=6))


def test_the_officers_see_the_notice_and_other_counties_do_not(client, officer, open_case):
    case = open_case()
    make_late(case, 3)
    run()
    client.force_login(officer)
    page = client.get("/audit/alerts/business/").content.decode()
    assert case.number in page and f'href="/mediation/{case.pk}/"' in page
    other = factories.make_staff("other", "insurance_officer", "430523")
    client.force_login(other)
    assert case.number not in client.get("/audit/alerts/business/").content.decode()
    secadmin = factories.make_staff("secadmin", "security_admin", factories.COUNTY)
    client.force_login(secadmin)
    assert case.number in client.get("/audit/alerts/").content.decode()


def test_the_demo_seed_makes_cases_at_various_steps_once(county, hospital):
    from django.contrib.auth import get_user_model

    factories.make_staff("officer", "insurance_officer", factories.COUNTY)
    out = io.StringIO()
    call_command("seed_mediation", "--county", factories.COUNTY, stdout=out)
    assert "生成调解案件 6 件" in out.getvalue()
    statuses = set(MediationCase.objects.values_list("status", flat=True))
    assert {"acceptance", "evidence", "closed"} <= statuses and len(statuses) >= 4
    assert MediationCase.objects.filter(step_due__lt=TODAY).count() == 1
    call_command("seed_mediation", "--county", factories.COUNTY, stdout=out)
    assert MediationCase.objects.count() == 6
    assert get_user_model().objects.count() == 1
