"""A doctor reading a health record outside their village under a loan: the audit event
names the loan and the resident."""

import datetime

from huimin.accounts import loans
from huimin.audit.models import AuditEvent
from huimin.core import crypto
from huimin.records import services
from tests import factories
from tests.audit.shown import people_named


def test_a_record_read_under_a_loan_names_the_loan(
    client, village_doctor, other_village_doctor, county
):
    far = factories.make_person("远村人", village=factories.VILLAGES[2])
    record = services.do_open_record(
        other_village_doctor, far.pk, opened_on=datetime.date(2025, 1, 6)
    )
    approver = factories.make_staff("gongwei_b", "public_health_officer", factories.TOWNSHIPS[1])
    number = crypto.decrypt(far.id_number_enc, context="person.id_number")
    asked = loans.do_request_loan(village_doctor, number, "转诊后随访", 3)
    loan = loans.do_decide_loan(approver, asked.pk, approve=True, note="同意")
    client.force_login(village_doctor)
    assert client.get(f"/records/{record.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="read", object_type="records.record")
    assert event.loan_id == loan.pk and people_named(event) == {far.pk}
