"""An institution's settlement query (GET /api/v1/insurance/settlements/{id}) answers with
a resident's settlement: audited with the institution that asked and the resident."""

import datetime

from huimin.audit.models import AuditEvent
from tests.audit.shown import people_named
from tests.insurance.officer_support import settle_outpatient


def test_the_settlement_query_is_audited(insured, his):
    hospital = his.onboarded.institution
    hospital.designated_from = datetime.date(2020, 1, 1)
    hospital.save()
    s = settle_outpatient(insured, "MZ-Q1", institution=hospital)
    r = his.get(f"/settlements/{s.pk}")
    assert r.status_code == 200, r.json()
    event = AuditEvent.objects.get(action="read", object_type="insurance.settlement")
    assert event.object_id == str(s.pk) and event.institution_id == hospital.pk
    assert event.region_code == s.region_code
    assert people_named(event) == {insured.person.pk}


def test_another_institutions_settlement_is_not_found_and_not_a_read(insured, his):
    s = settle_outpatient(insured, "MZ-Q2")  # the county hospital's, not the caller's
    assert his.get(f"/settlements/{s.pk}").status_code == 404
    assert not AuditEvent.objects.filter(
        action="read", object_type="insurance.settlement", outcome="success"
    ).exists()
