"""The mediation pages: a case is opened, walked through every step to closing and
printed; lists filter and show overdue steps; every read names the applicant in the
audit log; roles without the permission, and other counties, see nothing."""

import datetime

import pytest

from huimin.audit.models import AuditEvent
from huimin.mediation.models import CaseStep, MediationCase
from tests import factories
from tests.mediation.conftest import STEP_FORMS


def test_an_officer_opens_a_case_from_the_form(client, officer, hospital, patient):
    client.force_login(officer)
    form = client.get("/mediation/new/")
    assert form.status_code == 200 and "新邵县人民医院" in form.content.decode()

    response = client.post(
        "/mediation/new/",
        {
            "id_number": patient.reveal_id_number(),
            "institution": str(hospital.pk),
            "summary": "术后感染",
            "claimed_amount": "18600.00",
        },
    )
    case = MediationCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/mediation/{case.pk}/"
    assert case.number == f"TJ{datetime.date.today():%Y}{case.pk:06d}"
    assert (case.person, case.status, case.region_code) == (
        patient,
        "acceptance",
        hospital.region_id,
    )
    assert case.step_due == datetime.date.today() + datetime.timedelta(days=5)
    created = AuditEvent.objects.get(action="create", object_type="mediation.case")
    assert created.changes["person_ids"] == str(patient.pk)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"claimed_amount": "abc"}, "申请赔偿金额"),
        ({"claimed_amount": "-5"}, "申请赔偿金额"),
        ({"id_number": "110101199003077777"}, "参保人身份证号"),
        ({"id_number": "", "applicant_name": ""}, "申请人"),
        ({"institution": "99999999999999999999999"}, "医疗机构"),
        ({"settlement": "12ab"}, "相关结算号"),
        ({"summary": "长" * 2001}, "纠纷概要"),
    ],
)
def test_a_bad_new_case_is_refused_and_nothing_is_stored(
    client, officer, hospital, patient, form, field
):
    client.force_login(officer)
    data = {
        "id_number": patient.reveal_id_number(),
        "institution": str(hospital.pk),
        "summary": "术后感染",
        "claimed_amount": "18600.00",
        **form,
    }
    response = client.post("/mediation/new/", data)
    assert response.status_code == 422
    assert field in response.content.decode()
    assert not MediationCase.objects.exists()


def test_a_case_walks_every_step_to_closing_with_who_when_and_deadline(client, officer, open_case):
    case = open_case()
    client.force_login(officer)
    for code, form in STEP_FORMS.items():
        page = client.get(f"/mediation/{case.pk}/").content.decode()
        assert f'name="step" value="{code}"' in page
        response = client.post(f"/mediation/{case.pk}/step/", {"step": code, **form})
        assert response.status_code == 302, (code, response.content.decode()[:2000])
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at is not None and case.step_due is None
    steps = list(case.steps.order_by("id"))
    assert [s.step for s in steps] == list(STEP_FORMS)
    assert all(s.done_by == officer and s.deadline is not None for s in steps)
    assert steps[2].responsibility == "minor"
    assert str(steps[5].amount) == "11160.00" and steps[6].reference == "ZF000001"
    page = client.get(f"/mediation/{case.pk}/").content.decode()
    assert "已结案" in page and 'id="step-form"' not in page
    assert "次要责任" in page and "不需要鉴定" in page and "11160.00" in page


def test_failing_to_agree_closes_the_case_with_the_reason(client, officer, open_case):
    from tests.mediation.conftest import walk

    case = open_case()
    walk(officer, case, "agreement")
    client.force_login(officer)
    response = client.post(
        f"/mediation/{case.pk}/step/",
        {"step": "agreement", "result": "failed", "note": "双方分歧过大"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.close_reason == "调解不成：双方分歧过大"
    assert "调解不成" in client.get(f"/mediation/{case.pk}/").content.decode()


def test_a_bad_step_form_is_refused_and_changes_nothing(client, officer, open_case):
    case = open_case()
    client.force_login(officer)
    response = client.post(f"/mediation/{case.pk}/step/", {"step": "acceptance", "note": ""})
    assert response.status_code == 422
    assert "请填写受理意见" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "acceptance" and not CaseStep.objects.exists()


def test_the_list_filters_and_shows_the_overdue_badge(client, officer, open_case):
    late = open_case(summary="逾期的案件")
    MediationCase.objects.filter(pk=late.pk).update(
        step_due=datetime.date.today() - datetime.timedelta(days=3)
    )
    on_time = open_case(summary="按期的案件")
    client.force_login(officer)

    page = client.get("/mediation/").content.decode()
    assert late.number in page and on_time.number in page and "逾期3天" in page
    overdue = client.get("/mediation/", {"overdue": "1"}).content.decode()
    assert late.number in overdue and on_time.number not in overdue
    by_number = client.get("/mediation/", {"number": on_time.number}).content.decode()
    assert on_time.number in by_number and late.number not in by_number
    closed = client.get("/mediation/", {"status": "closed"}).content.decode()
    assert late.number not in closed
    assert client.get("/mediation/", {"status": "nonsense", "after": "x"}).status_code == 200


def test_list_and_case_reads_are_audited_with_the_applicant(client, officer, open_case, patient):
    case = open_case()
    client.force_login(officer)
    client.get("/mediation/")
    listing = AuditEvent.objects.filter(action="search", object_type="mediation.case").latest("seq")
    assert listing.changes["person_ids"] == str(patient.pk)
    client.get(f"/mediation/{case.pk}/")
    read = AuditEvent.objects.filter(action="read", object_type="mediation.case").latest("seq")
    assert read.object_id == str(case.pk) and read.changes["person_ids"] == str(patient.pk)


def test_the_list_pages_in_bounded_queries(
    client, officer, open_case, django_assert_max_num_queries
):
    for _ in range(6):
        open_case()
    client.force_login(officer)
    client.get("/mediation/")
    with django_assert_max_num_queries(25):
        assert client.get("/mediation/").status_code == 200


@pytest.mark.parametrize(
    "role", ["township_clerk", "doctor", "security_admin", "system_admin", "audit_admin"]
)
def test_roles_without_the_permission_are_refused(client, open_case, hospital, role):
    case = open_case()
    institution = hospital if role == "doctor" else None
    user = factories.make_staff(f"u_{role}", role, factories.COUNTY, institution=institution)
    client.force_login(user)
    for url in (
        "/mediation/",
        f"/mediation/{case.pk}/",
        f"/mediation/{case.pk}/case.pdf",
        "/mediation/new/",
    ):
        assert client.get(url).status_code == 403, (role, url)
    assert (
        client.post(f"/mediation/{case.pk}/step/", {"step": "acceptance", "note": "x"}).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.status == "acceptance"
    assert "纠纷调解" not in client.get("/").content.decode()


def test_another_countys_officer_sees_nothing(client, open_case):
    case = open_case()
    other = factories.make_staff("other", "insurance_officer", "430523")
    client.force_login(other)
    assert case.number not in client.get("/mediation/").content.decode()
    assert client.get(f"/mediation/{case.pk}/").status_code == 404
    assert (
        client.post(f"/mediation/{case.pk}/step/", {"step": "acceptance", "note": "x"}).status_code
        == 404
    )
    refused = AuditEvent.objects.filter(object_type="mediation.case", outcome="denied")
    assert refused.filter(object_id=str(case.pk)).exists()
    case.refresh_from_db()
    assert case.status == "acceptance"


def test_the_menu_shows_mediation_to_officers(client, officer):
    client.force_login(officer)
    assert "纠纷调解" in client.get("/").content.decode()


def test_every_mediation_page_declares_its_permission():
    from django.urls import get_resolver

    patterns = get_resolver().url_patterns
    mediation = next(p for p in patterns if str(p.pattern) == "mediation/")
    for pattern in mediation.url_patterns:
        assert pattern.callback.policy_permission in ("mediation.read", "mediation.manage"), pattern
