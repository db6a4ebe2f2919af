"""Shared data for the officer page tests: settlements, a second county, a cashier."""

import datetime

from django.utils import timezone

from huimin.insurance.models import Settlement
from huimin.insurance.services import fees
from huimin.insurance.services.settlement import do_settle
from huimin.insurance.services.visits import VisitData, do_register_visit
from tests import factories

DAY = datetime.date
MARCH_20 = timezone.make_aware(datetime.datetime(2026, 3, 20, 10, 0))


def bill(county, visit_no: str, *, visit_type="outpatient_chronic", institution=None):
    """Register an outpatient visit with one catalog line; returns the HIS visit number."""
    from tests.insurance.test_settlement_flow import example_lines

    institution = institution or county.hospital
    do_register_visit(
        institution,
        VisitData(
            id_number=county.id_number,
            visit_type=visit_type,
            his_visit_no=visit_no,
            visit_date=DAY(2026, 3, 2),
        ),
    )
    fees.do_upload_fees(institution, visit_no, example_lines()[:1])
    return visit_no


def settle_outpatient(county, visit_no: str, *, at=MARCH_20, institution=None) -> Settlement:
    institution = institution or county.hospital
    bill(county, visit_no, institution=institution)
    s, _ = do_settle(institution, visit_no, f"key-{visit_no}", {})
    Settlement.objects.filter(pk=s.pk).update(settled_at=at)
    s.refresh_from_db()
    return s


def other_county_officer():
    """An officer of 邵阳县 (430523): none of 新邵县's rows are theirs."""
    return factories.make_staff("officer_sy", "insurance_officer", "430523")


def cashier(county):
    return factories.make_staff(
        "cashier1", "cashier", factories.COUNTY, institution=county.hospital
    )
