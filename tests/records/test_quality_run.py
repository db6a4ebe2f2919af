"""The data-quality run on the database: findings written once, kept while true,
resolved when fixed (by amendment), confirmed outliers left confirmed, the 合格 flag,
and the incremental run taking only changed records."""

import datetime as dt

import pytest

from huimin.records import quality, services
from huimin.records.forms.spec import Context
from huimin.records.models import Finding, Form, HealthRecord
from tests import factories
from tests.records.test_quality_rules import complete_data

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)

FOLLOWUP = {
    "mode": "1",
    "symptoms": ["1"],
    "systolic": "130",
    "diastolic": "80",
    "weight": "65",
    "adherence": "1",
    "adverse_reaction": "1",
    "classification": "1",
    "doctor": "李医生",
}


def followup(user, record, day, sign=True, **values):
    raw = {**FOLLOWUP, "visit_date": day, "next_visit_date": "2027-12-01", **values}
    form, _ = services.do_save_form(user, "htn_followup", raw, record_id=record.pk, sign=sign)
    return form


def imported(record, kind, day, data, **columns):
    """A signed form as an import or an older version left it: never cleaned."""
    return Form.objects.create(
        kind=kind,
        record=record,
        person=record.person,
        region_code=record.region_code,
        service_date=dt.date.fromisoformat(day),
        data=data,
        status="signed",
        created_by=record.opened_by,
        **columns,
    )


def personal_info(record, day="2025-01-06"):
    """A signed personal information form, complete for whatever its spec requires."""
    person = record.person
    ctx = Context(today=TODAY, birth_date=person.birth_date, sex=person.sex)
    return imported(record, "personal_info", day, complete_data("personal_info", day, ctx))


def open_rules(record):
    return set(Finding.objects.filter(record=record, status="open").values_list("rule", "field"))


def test_a_rerun_keeps_the_same_findings_and_writes_nothing_new(hypertensive, village_doctor):
    personal_info(hypertensive)
    followup(village_doctor, hypertensive, "2025-03-01")
    bad = imported(
        hypertensive, "htn_followup", "2025-06-01", {**FOLLOWUP, "visit_date": "2025-06-01"}
    )
    del bad.data["doctor"]
    bad.save()

    first = quality.run(everything=True)
    assert first.records == 1 and first.created >= 1
    assert ("followup.unsigned", "doctor") in open_rules(hypertensive)
    hypertensive.refresh_from_db()
    assert hypertensive.qualified is False and hypertensive.quality_checked_at is not None
    finding = Finding.objects.get(record=hypertensive, rule="followup.unsigned")
    assert finding.assignee == village_doctor  # the responsible doctor fixes it
    assert finding.form_id == bad.pk and finding.severity == "blocking"
    before = list(Finding.objects.order_by("id").values_list("id", "status", "message"))

    second = quality.run(everything=True)
    assert (second.created, second.resolved, second.updated) == (0, 0, 0)
    assert list(Finding.objects.order_by("id").values_list("id", "status", "message")) == before


def test_amending_the_form_resolves_the_finding_and_the_record_passes(hypertensive, village_doctor):
    personal_info(hypertensive)
    bad = imported(
        hypertensive,
        "htn_followup",
        "2025-06-01",
        {**FOLLOWUP, "visit_date": "2025-06-01", "systolic": 80, "diastolic": 120},
    )
    quality.run(everything=True)
    hypertensive.refresh_from_db()
    assert not hypertensive.qualified
    assert ("validity.systolic_not_above_diastolic", "systolic") in open_rules(hypertensive)

    services.do_amend_form(
        village_doctor,
        bad.pk,
        {**FOLLOWUP, "visit_date": "2025-06-01", "next_visit_date": "2025-09-01"},
        "收缩压与舒张压填反",
    )
    result = quality.run()  # incremental: the amendment marked the record changed
    assert result.records == 1 and result.resolved >= 1
    fixed = Finding.objects.get(record=hypertensive, rule="validity.systolic_not_above_diastolic")
    assert fixed.status == "resolved" and fixed.closed_at is not None
    hypertensive.refresh_from_db()
    assert hypertensive.qualified
    assert not Finding.objects.filter(record=hypertensive, status="open", severity="blocking")


def urgent(day: str) -> dict:
    """A danger reading is signed uncontrolled, referred, and seen within two weeks."""
    return {
        "classification": "2",
        "referral_reason": "血压≥180mmHg",
        "referral_to": "县人民医院心内科",
        "next_visit_date": (dt.date.fromisoformat(day) + dt.timedelta(days=14)).isoformat(),
    }


def test_a_confirmed_outlier_stays_confirmed_on_reruns(
    hypertensive, village_doctor, public_health_officer
):
    personal_info(hypertensive)
    # Eight readings of one man aged 69: 120 122 125 128 130 131 135 and 210.
    # median 129, MAD 5 (as in test_quality_rules): M(210) = 0.6745 × 81 / 5 = 10.9.
    days = [f"2025-{m:02d}-05" for m in range(2, 10)]
    for day, systolic in zip(days, (120, 122, 125, 128, 130, 131, 135, 210), strict=True):
        extra = urgent(day) if systolic >= 180 else {}
        followup(village_doctor, hypertensive, day, systolic=str(systolic), **extra)
    quality.run(everything=True, min_group=8)
    outlier = Finding.objects.get(record=hypertensive, rule="outlier")
    assert outlier.field == "systolic" and outlier.severity == "review"
    assert "修正Z值10.9" in outlier.message

    quality.do_confirm_finding(public_health_officer, outlier.pk, "复测两次均为210，属实")
    quality.run(everything=True, min_group=8)
    outlier.refresh_from_db()
    assert outlier.status == "confirmed" and outlier.closed_by == public_health_officer
    assert Finding.objects.filter(record=hypertensive, rule="outlier").count() == 1


def test_blocking_findings_cannot_be_confirmed_away(hypertensive, public_health_officer):
    quality.run(everything=True)
    missing = Finding.objects.get(record=hypertensive, rule="completeness.personal_info")
    with pytest.raises(services.Conflict):
        quality.do_confirm_finding(public_health_officer, missing.pk, "已核实")


def test_the_incremental_run_takes_only_changed_or_unchecked_records(
    resident_record, village_doctor
):
    other = services.do_open_record(
        village_doctor, factories.make_person("赵六", birth=dt.date(1970, 2, 2)).pk
    )
    assert quality.run().records == 2  # never checked
    assert quality.run().records == 0
    checked = HealthRecord.objects.get(pk=other.pk).quality_checked_at

    followup(village_doctor, resident_record, "2025-05-01")
    result = quality.run()
    assert result.records == 1
    assert HealthRecord.objects.get(pk=other.pk).quality_checked_at == checked
    assert quality.run(everything=True).records == 2


def test_a_likely_duplicate_person_is_a_warning(resident_record):
    factories.make_person("王大爷", birth=dt.date(1956, 3, 1))  # same village, same birth
    quality.run(everything=True)
    assert ("duplicate.person", "person") in open_rules(resident_record)


def test_recheck_runs_one_record_at_once(hypertensive, village_doctor, public_health_officer):
    quality.run(everything=True)
    assert ("completeness.personal_info", "personal_info") in open_rules(hypertensive)
    personal_info(hypertensive)  # an import: it does not mark the record changed
    assert quality.run().records == 0
    result = quality.do_recheck_record(public_health_officer, hypertensive.pk)
    assert result.records == 1 and result.resolved >= 1
    assert ("completeness.personal_info", "personal_info") not in open_rules(hypertensive)


def test_recheck_and_confirm_stay_in_the_jurisdiction(hypertensive, other_village_doctor):
    quality.run(everything=True)
    finding = Finding.objects.filter(record=hypertensive).first()
    with pytest.raises(services.NotFound):
        quality.do_recheck_record(other_village_doctor, hypertensive.pk)
    with pytest.raises(services.NotFound):
        quality.do_confirm_finding(other_village_doctor, finding.pk, "看过")
