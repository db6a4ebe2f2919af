"""Shared data for the reviewer-workflow tests: the worked example settled as a March
stay at the county hospital (funds paid 25959.17 + 3107.67 + 1171.35 = 30238.19, hand
worked in ../shared/examples), findings on it, reviewers and the hospital's cashier."""

import contextlib
import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from huimin.insurance import claim_checks
from huimin.insurance.models import Settlement
from huimin.insurance.services import settlement as settling
from huimin.review.models import Finding
from tests import factories
from tests.insurance.conftest import insured, preload_example_ytd  # noqa: F401 (fixture)
from tests.insurance.test_settlement_flow import admit_and_bill

D = Decimal
MARCH_20 = timezone.make_aware(datetime.datetime(2026, 3, 20, 10, 0))
FUND_PAID = D("30238.19")
_numbers = itertools.count(1)


@contextlib.contextmanager
def without_realtime_review():
    """These tests plant the findings they decide; what real-time review itself finds on
    the worked example (its prices are over the ceilings) is test_realtime's business."""
    installed = claim_checks.registered()
    for checker in installed:
        claim_checks.unregister(checker)
    try:
        yield
    finally:
        for checker in installed:
            claim_checks.register(checker)


def settle_stay(county, visit_no="ZY2026001", *, preload=True) -> Settlement:
    if preload:
        preload_example_ytd(county.person)
    admit_and_bill(county, visit_no)
    with without_realtime_review():
        s, _ = settling.do_settle(county.hospital, visit_no, f"key-{visit_no}", {})
    Settlement.objects.filter(pk=s.pk).update(settled_at=MARCH_20)
    s.refresh_from_db()
    return s


def make_finding(settlement: Settlement, rule="split_admission", **extra) -> Finding:
    names = {
        "split_admission": ("疑似分解住院", "admissions", "warning", "15"),
        "duplicate_charge": ("重复收费", "items", "warning", "8"),
        "over_ceiling": ("超标准收费", "items", "information", "5"),
    }
    name, category, severity, weight = names[rule]
    fields = dict(
        rule=rule,
        name=name,
        category=category,
        severity=severity,
        weight=D(weight),
        explanation=f"{name}：出院后第10日再次入院（同一诊断类别），疑似{name}，请核实。",
        lines=[1],
        facts={"gap_days": 10},
        source="batch",
        rule_set_name="默认规则集",
        settlement=settlement,
        visit_id=settlement.visit_id,
        person_id=settlement.person_id,
        institution_id=settlement.institution_id,
        region_code=settlement.region_code,
        service_date=datetime.date(2026, 3, 2),
        month="2026-03",
        fund_paid=settlement.basic_fund + settlement.critical_illness + settlement.assistance,
        fingerprint=f"fp-{rule}-{settlement.pk}-{next(_numbers)}",
    )
    fields.update(extra)
    return Finding.objects.create(**fields)


@pytest.fixture
def stay(insured):  # noqa: F811
    return settle_stay(insured)


@pytest.fixture
def finding(stay):
    return make_finding(stay)


@pytest.fixture
def third_officer(insured):  # noqa: F811
    return factories.make_staff("officer3", "insurance_officer", factories.COUNTY)


@pytest.fixture
def hospital_cashier(insured):  # noqa: F811
    return factories.make_staff(
        "cashier", "cashier", factories.COUNTY, institution=insured.hospital
    )
