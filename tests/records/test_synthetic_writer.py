"""`huimin generate-records` on the database: over a generated county it writes records,
programmes and forms in bulk, numbers records uniquely per village, signs forms as the
village's doctor where there is one, and a rerun skips everyone with a file."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Count, Max

from huimin.records.models import Form, FormStatus, HealthRecord, Programme, RecordStatus
from huimin.records.synthetic_writer import SYSTEM_USERNAME, write_records
from huimin.registry.models import Institution, Person, Region
from tests import factories

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def generated(db):
    call_command("generate", residents=600, seed=3, as_of=AS_OF, no_progress=True, no_records=True)
    village = Region.objects.filter(level="village").order_by("code").first().code
    clinic = Institution.objects.get(region_id=village, kind="village_clinic")
    doctor = factories.make_staff("cunyi", "village_doctor", village, clinic)
    doctor.first_name = "陈村医"
    doctor.save(update_fields=["first_name"])
    return village, doctor


def test_writes_records_programmes_and_signed_forms(generated):
    result = write_records(year=2026, as_of=AS_OF, seed=9, progress=False)

    people = Person.objects.count()
    assert HealthRecord.objects.count() == result.records
    assert 0.75 * people <= result.records <= 0.92 * people
    assert Programme.objects.count() == result.programmes > 0
    assert Form.objects.count() == result.forms > result.records // 10
    assert Form.objects.filter(status=FormStatus.DRAFT).count() == result.drafts

    numbers = list(HealthRecord.objects.values_list("number", "region_code"))
    assert len({n for n, _ in numbers}) == len(numbers)
    assert all(len(n) == 17 and n.startswith(region) for n, region in numbers)

    # Each record's last activity is its newest signed form (or its opening).
    newest = dict(
        Form.objects.filter(status=FormStatus.SIGNED)
        .values("record")
        .annotate(last=Max("service_date"))
        .values_list("record", "last")
    )
    for record in HealthRecord.objects.all():
        assert record.last_activity_on == max(
            newest.get(record.pk, record.opened_on), record.opened_on
        )
    assert not HealthRecord.objects.filter(
        person__death_date__lte=AS_OF, status=RecordStatus.ACTIVE
    ).exists()


def test_forms_carry_their_columns_and_signer(generated):
    village, doctor = generated
    write_records(year=2026, as_of=AS_OF, seed=9, progress=False)

    followup = Form.objects.filter(kind="htn_followup", status=FormStatus.SIGNED).first()
    assert followup.systolic and followup.diastolic and followup.height_cm
    assert followup.service_date.isoformat() == followup.data["visit_date"]
    assert followup.next_due_date.isoformat() == followup.data["next_visit_date"]
    assert followup.doctor_name and followup.signed_at and followup.signed_by_id
    assert followup.programme.kind == "hypertension"
    dm = Form.objects.filter(kind="dm_followup", status=FormStatus.SIGNED).exclude(
        fasting_glucose=None
    )
    assert dm.exists()

    check = Form.objects.filter(kind="health_check", status=FormStatus.SIGNED).exclude(
        waist_cm=None
    )
    assert check.exists()
    check = check.first()
    assert check.systolic == check.data["systolic_left"] and check.height_cm and check.weight_kg
    assert check.service_date.isoformat() == check.data["check_date"]
    assert check.programme is None or check.programme.kind == "elderly"
    assert Form.objects.filter(kind="personal_info").count() >= 0.9 * HealthRecord.objects.count()

    # The village with a doctor account: the doctor is responsible and signs.
    mine = HealthRecord.objects.filter(region_code=village)
    assert mine.exists() and not mine.exclude(responsible_doctor=doctor).exists()
    signed = Form.objects.filter(region_code=village, status=FormStatus.SIGNED)
    assert not signed.exclude(signed_by=doctor).exists()
    assert not signed.exclude(doctor_name="陈村医").exclude(kind="immunisation").exists()
    assert (
        Form.objects.visible_to(doctor).count() == Form.objects.filter(region_code=village).count()
    )
    # Elsewhere: no responsible doctor, written by the inactive system user.
    other = Form.objects.exclude(region_code=village).select_related("created_by").first()
    assert other.created_by.username == SYSTEM_USERNAME
    assert not other.created_by.is_active and not other.created_by.has_usable_password()


def test_rerun_skips_people_with_a_file(generated):
    first = write_records(year=2026, as_of=AS_OF, seed=9, progress=False)
    forms = Form.objects.count()
    again = write_records(year=2026, as_of=AS_OF, seed=9, progress=False)
    assert again.records == 0 and again.forms == 0
    assert again.skipped == first.records
    assert Form.objects.count() == forms

    # A newcomer gets a file on the next run, numbered after the village's last one.
    village = Region.objects.filter(level="village").order_by("code").first().code
    last = HealthRecord.objects.filter(region_code=village).aggregate(n=Max("number"))["n"]
    for i in range(12):
        factories.make_person(f"新居民{i}", village=village, birth=dt.date(1950, 1, i + 1))
    third = write_records(year=2026, as_of=AS_OF, seed=9, progress=False)
    assert third.records >= 1
    newest = HealthRecord.objects.filter(region_code=village).order_by("-number").first()
    assert newest.number > last
    dupes = HealthRecord.objects.values("number").annotate(n=Count("id")).filter(n__gt=1)
    assert not dupes.exists()


def test_command_prints_what_it_made(generated, capsys):
    call_command("generate_records", year=2026, as_of=AS_OF, seed=9, no_progress=True)
    out = capsys.readouterr().out
    assert "健康档案" in out and "随访缺体重" in out and "个人基本信息表不完整" in out
