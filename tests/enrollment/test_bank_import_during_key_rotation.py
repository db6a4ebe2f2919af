"""A bank file imported while the field key rotates finds every payer: people not yet
re-encrypted carry their blind index under the previous key. A file imported again
across the key change is still recognised as the same payments, never booked twice."""

import datetime
import io

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from huimin.insurance.enrollment import bank, rules
from huimin.insurance.enrollment.models import Enrollment, Payment
from huimin.registry.models import id_number_lookup
from tests import factories
from tests.enrollment.conftest import YEAR
from tests.enrollment.helpers import enroll
from tests.enrollment.test_bank_batch_import import TODAY, csv_bytes, id_of
from tests.ops.keys import KEY_B

D = datetime.date


def rotating():
    """Step 3 of the rotation: the new key deployed, the old one still held."""
    return override_settings(
        HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=[settings.HUIMIN_FIELD_KEY]
    )


def rows(family):
    return [
        [id_of(family["father"]), "王父", "400.00", "R001", "2025-11-02"],
        [id_of(family["mother"]), "王母", "200.00", "R002", "2025-11-02"],
    ]


def test_people_not_yet_rotated_are_found(officer, period, family):
    enroll(officer, family["household"])
    content = csv_bytes(rows(family))
    with rotating():
        batch = bank.do_import_bank_batch(officer, YEAR, "bank.csv", content, today=TODAY)
    assert (batch.booked, batch.rejected) == (2, 0), batch.rejections
    assert Enrollment.objects.get(person=family["father"], year=YEAR).status == "paid"


def test_a_file_imported_again_after_the_rotation_books_nothing_twice(officer, period, family):
    enroll(officer, family["household"])
    content = csv_bytes(rows(family))
    first = bank.do_import_bank_batch(officer, YEAR, "bank.csv", content, today=TODAY)
    assert first.booked == 2
    with rotating():
        call_command("rotate_field_key", stdout=io.StringIO(), no_progress=True)
    with override_settings(HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=[]):
        again = bank.do_import_bank_batch(officer, YEAR, "bank.csv", content, today=TODAY)
    assert (again.booked, again.repeated, again.rejected) == (0, 2, 0), again.rejections
    assert Payment.objects.filter(method="bank").count() == 2


def test_a_payment_booked_under_the_old_hash_is_recognised_during_rotation(officer, period, family):
    # Payments booked before the hash named the person kept the blind index under the
    # key then current.
    enroll(officer, family["household"])
    content = csv_bytes(rows(family)[:1])
    bank.do_import_bank_batch(officer, YEAR, "bank.csv", content, today=TODAY)
    old = rules.request_hash(
        {
            "id_number_index": id_number_lookup(id_of(family["father"])),
            "amount": "400.00",
            "method": "bank",
            "txn_no": "R001",
            "paid_on": "2025-11-02",
        }
    )
    Payment.objects.filter(idempotency_key="bank:R001").update(request_hash=old)
    with rotating():
        again = bank.do_import_bank_batch(officer, YEAR, "bank.csv", content, today=TODAY)
    assert (again.booked, again.repeated, again.rejected) == (0, 1, 0), again.rejections


def test_a_number_registered_under_both_keys_is_refused_as_ambiguous(officer, period, family):
    enroll(officer, family["household"])
    number = id_of(family["father"])
    with rotating():
        # Registered again during the rotation: the duplicate check could not see it.
        twin = factories.make_person("王父", id_number=number)
        factories.make_household(twin)
        batch = bank.do_import_bank_batch(
            officer, YEAR, "bank.csv", csv_bytes(rows(family)[:1]), today=TODAY
        )
    assert batch.booked == 0
    assert [r["code"] for r in batch.rejections] == ["person_ambiguous"]
    assert batch.rejections[0]["id_number"].count("*") == 8
