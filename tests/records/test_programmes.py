"""Registering and ending programmes: who may be registered, one open registration, a
delivery that starts the postpartum visits; each audited, the due list following."""

import datetime as dt

import pytest

from huimin.audit.models import AuditEvent
from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.records import programmes, services
from huimin.records.models import DueService
from tests import factories


def open_record(doctor, name, birth, sex):
    person = factories.make_person(name, birth=birth, sex=sex)
    return services.do_open_record(doctor, person.pk, opened_on=dt.date(2025, 1, 6))


def test_registering_hypertension_is_audited_and_makes_the_patient_due(
    resident_record, village_doctor
):
    today = services.today()
    p = programmes.do_register_programme(village_doctor, resident_record.pk, "hypertension", today)
    assert AuditEvent.objects.filter(
        action="create", object_type="records.programme", object_id=str(p.pk)
    ).exists()
    assert DueService.objects.filter(
        record=resident_record, service="htn_followup", due_on=today
    ).exists()
    with pytest.raises(ValidationFailed) as err:
        programmes.do_register_programme(village_doctor, resident_record.pk, "hypertension", today)
    assert "重复" in err.value.fields["kind"]


def test_a_child_cannot_be_registered_for_hypertension_nor_an_adult_as_a_child(
    county, village_doctor
):
    today = services.today()
    child = open_record(village_doctor, "小明", today - dt.timedelta(days=400), "1")
    with pytest.raises(ValidationFailed) as err:
        programmes.do_register_programme(village_doctor, child.pk, "hypertension", today)
    assert "成人" in err.value.fields["kind"]
    programmes.do_register_programme(village_doctor, child.pk, "child", today)
    adult = open_record(village_doctor, "大明", dt.date(1990, 1, 1), "1")
    with pytest.raises(ValidationFailed):
        programmes.do_register_programme(village_doctor, adult.pk, "child", today)
    with pytest.raises(ValidationFailed) as err:
        programmes.do_register_programme(village_doctor, adult.pk, "elderly", today)
    assert "65" in err.value.fields["kind"]


def test_a_pregnancy_for_a_man_or_without_a_last_period_is_refused(resident_record, village_doctor):
    today = services.today()
    lmp = {"last_menstrual_period": (today - dt.timedelta(weeks=8)).isoformat()}
    with pytest.raises(ValidationFailed) as err:
        programmes.do_register_programme(
            village_doctor, resident_record.pk, "pregnancy", today, lmp
        )
    assert "女性" in err.value.fields["kind"]
    woman = open_record(village_doctor, "刘芳", dt.date(1996, 5, 2), "2")
    with pytest.raises(ValidationFailed) as err:
        programmes.do_register_programme(village_doctor, woman.pk, "pregnancy", today, {})
    assert "last_menstrual_period" in err.value.fields
    older = open_record(village_doctor, "刘奶奶", dt.date(1950, 5, 2), "2")
    with pytest.raises(ValidationFailed) as err:
        programmes.do_register_programme(village_doctor, older.pk, "pregnancy", today, lmp)
    assert "12～60" in err.value.fields["kind"]


def test_one_open_pregnancy_and_a_delivery_brings_the_postpartum_visits(county, village_doctor):
    today = services.today()
    woman = open_record(village_doctor, "刘芳", dt.date(1996, 5, 2), "2")
    lmp = today - dt.timedelta(weeks=39)
    p = programmes.do_register_programme(
        village_doctor,
        woman.pk,
        "pregnancy",
        today - dt.timedelta(weeks=30),
        {"last_menstrual_period": lmp.isoformat()},
    )
    with pytest.raises(ValidationFailed):
        programmes.do_register_programme(
            village_doctor, woman.pk, "pregnancy", today, {"last_menstrual_period": lmp.isoformat()}
        )
    assert DueService.objects.filter(record=woman, service="prenatal_followup").exists()
    with pytest.raises(ValidationFailed) as err:
        programmes.do_end_programme(village_doctor, p.pk, today, "delivery")
    assert "delivery_date" in err.value.fields
    delivered = today - dt.timedelta(days=2)
    programmes.do_end_programme(
        village_doctor, p.pk, delivered, "delivery", {"delivery_date": delivered.isoformat()}
    )
    services_due = set(DueService.objects.filter(record=woman).values_list("service", flat=True))
    assert "postpartum_visit" in services_due
    assert not services_due & {"prenatal_first", "prenatal_followup"}
    row = DueService.objects.get(record=woman, service="postpartum_visit")
    assert (row.due_on, row.overdue_on) == (
        delivered + dt.timedelta(days=3),
        delivered + dt.timedelta(days=8),
    )
    assert AuditEvent.objects.filter(
        action="update", object_type="records.programme", object_id=str(p.pk)
    ).exists()
    with pytest.raises(Conflict):
        programmes.do_end_programme(village_doctor, p.pk, today, "moved")


def test_ending_a_programme_clears_its_due_rows(hypertensive, village_doctor):
    today = services.today()
    from huimin.records.models import Programme

    p = Programme.objects.get(record=hypertensive, kind="hypertension")
    with pytest.raises(ValidationFailed):
        programmes.do_end_programme(village_doctor, p.pk, today, "no-such-reason")
    programmes.do_end_programme(village_doctor, p.pk, today, "refused")
    assert not DueService.objects.filter(record=hypertensive, service="htn_followup").exists()


def test_another_villages_doctor_cannot_register_or_end(hypertensive, other_village_doctor):
    from huimin.records.models import Programme

    today = services.today()
    with pytest.raises(NotFound):
        programmes.do_register_programme(other_village_doctor, hypertensive.pk, "diabetes", today)
    p = Programme.objects.get(record=hypertensive)
    with pytest.raises(NotFound):
        programmes.do_end_programme(other_village_doctor, p.pk, today, "moved")
