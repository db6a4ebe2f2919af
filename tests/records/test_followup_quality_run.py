"""The quality run on the database reads what the follow-up rules need: each
follow-up's outcome (mode, classification, referral) without the rest of its data, SMI
registrations, and a registration's under-35 reason."""

import datetime as dt

import pytest

from huimin.records import quality, services
from huimin.records.models import Programme
from tests import factories
from tests.records.test_quality_run import FOLLOWUP, imported, open_rules, personal_info

pytestmark = pytest.mark.django_db
D = dt.date


def htn(record, day, next_day, systolic, diastolic, **values):
    data = {
        **FOLLOWUP,
        "visit_date": day,
        "next_visit_date": next_day,
        "systolic": systolic,
        "diastolic": diastolic,
        **values,
    }
    return imported(record, "htn_followup", day, data, systolic=systolic, diastolic=diastolic)


def test_two_uncontrolled_visits_without_referral_and_the_recheck_not_too_close(hypertensive):
    personal_info(hypertensive)
    htn(hypertensive, "2026-10-01", "2026-10-14", 158, 96, classification="2")
    htn(hypertensive, "2026-10-12", "2026-10-26", 156, 94, classification="2")
    quality.run(everything=True, today=D(2026, 10, 20))
    rules = {rule for rule, _ in open_rules(hypertensive)}
    assert "followup.no_referral" in rules
    assert "followup.too_close" not in rules  # the recheck the specification asks for
    assert "followup.recheck_late" not in rules  # day 8 of the second two weeks


def test_a_referral_resolves_it_and_the_next_visit_owes_its_result(hypertensive):
    personal_info(hypertensive)
    htn(hypertensive, "2026-10-01", "2026-10-14", 158, 96, classification="2")
    second = htn(hypertensive, "2026-10-12", "2026-10-26", 156, 94, classification="2")
    quality.run(everything=True, today=D(2026, 10, 20))
    second.data.update(referral_reason="连续两次血压控制不满意", referral_to="县人民医院心内科")
    second.save()
    htn(hypertensive, "2026-10-24", "2027-01-20", 136, 82)
    quality.run(everything=True, today=D(2026, 10, 25))
    rules = {rule for rule, _ in open_rules(hypertensive)}
    assert "followup.no_referral" not in rules
    assert "followup.referral_result" in rules


def test_phone_follow_ups_leave_the_patient_short_of_four(hypertensive):
    personal_info(hypertensive)
    for day, mode in (
        ("2025-12-01", "1"),
        ("2026-03-01", "3"),
        ("2026-06-01", "3"),
        ("2026-09-01", "1"),
    ):
        htn(hypertensive, day, "2026-12-01", 136, 82, mode=mode)
    quality.run(everything=True, today=D(2026, 11, 1))
    assert ("followup.too_few", "htn_followup") in open_rules(hypertensive)


def test_smi_patients_are_counted_and_an_under_35_registration_needs_its_reason(village_doctor):
    person = factories.make_person("李小军", birth=D(1995, 4, 1), sex="1")
    record = services.do_open_record(village_doctor, person.pk, opened_on=D(2025, 1, 6))
    personal_info(record)
    for kind in ("smi", "hypertension"):
        Programme.objects.create(
            record=record,
            person=person,
            region_code=record.region_code,
            kind=kind,
            registered_on=D(2025, 1, 6),
            registered_by=village_doctor,
        )
    quality.run(everything=True, today=D(2026, 11, 1))
    assert {("followup.too_few", "smi_followup"), ("registration.under_35", "hypertension")} <= (
        open_rules(record)
    )
    Programme.objects.filter(kind="hypertension").update(details={"under_35_reason": "已确诊"})
    quality.run(everything=True, today=D(2026, 11, 1))
    assert ("registration.under_35", "hypertension") not in open_rules(record)
