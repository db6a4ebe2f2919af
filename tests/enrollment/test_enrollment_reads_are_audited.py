"""Enrollment reads name whom they showed: the household search on /enrollment/ and the
API's list of a household's enrollments each write one audit event with the residents."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.insurance.enrollment import services
from huimin.insurance.enrollment.models import BankBatch, Payment
from tests.audit.shown import people_named, rows_named
from tests.enrollment.conftest import YEAR
from tests.enrollment.helpers import enroll


def test_the_household_search_names_the_households_and_members(client, officer, family):
    client.force_login(officer)
    r = client.get("/enrollment/", {"q": "王父"})
    assert r.status_code == 200 and "王父" in r.content.decode()
    event = AuditEvent.objects.get(action="search", object_type="registry.household")
    assert rows_named(event) == {family["household"].pk}
    assert people_named(event) == {family[k].pk for k in ("father", "mother", "grandma")}


def test_a_search_that_finds_nothing_reads_no_one(client, officer, family):
    client.force_login(officer)
    assert client.get("/enrollment/", {"q": "无此人"}).status_code == 200
    assert not AuditEvent.objects.filter(action="search").exists()


def test_the_api_list_of_a_households_enrollments_is_audited(client, officer, period, family):
    enrolled = enroll(officer, family["household"])
    client.force_login(officer)
    r = client.get(
        f"/api/v1/enrollment/households/{family['household'].pk}/enrollments", {"year": YEAR}
    )
    assert r.status_code == 200 and len(r.json()["items"]) == 3
    event = AuditEvent.objects.get(action="search", object_type="enrollment.enrollment")
    assert rows_named(event) == {e.pk for e in enrolled.values()}
    assert people_named(event) == set(enrolled)
    assert event.region_code == family["household"].village_id


def test_a_bank_batch_page_names_the_payers(client, officer, this_year, family):
    services.do_enroll_household(officer, family["household"].pk, this_year.year)
    number = family["father"].reveal_id_number()
    content = (
        f"身份证号,姓名,金额,银行流水号,缴费日期\n{number},王父,400.00,B1,{timezone.localdate()}\n"
    )
    client.force_login(officer)
    client.post(
        reverse("enrollment:bank_batches"),
        {"year": this_year.year, "file": SimpleUploadedFile("bank.csv", content.encode())},
    )
    batch = BankBatch.objects.get()
    assert client.get(reverse("enrollment:bank_batch", args=[batch.pk])).status_code == 200
    event = AuditEvent.objects.get(action="search", object_type="enrollment.payment")
    assert rows_named(event) == set(
        Payment.objects.filter(bank_batch=batch).values_list("pk", flat=True)
    )
    assert people_named(event) == {family["father"].pk}
