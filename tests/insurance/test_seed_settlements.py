"""huimin seed-settlements: real settlements whose ledger balances and whose accumulators
are the sum of each person's settlement deltas."""

import datetime
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.insurance.catalog.seed import seed_demo_catalog
from huimin.insurance.enrollment import seed as enrollment_seed
from huimin.insurance.enrollment.models import Enrollment
from huimin.insurance.ledger import services as ledger
from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.models import Accumulator, FeeDetail, Settlement, Visit
from huimin.insurance.seed.plan import seed_plan
from huimin.insurance.seed.settlements import seed_settlements

AS_OF = datetime.date(2026, 11, 24)
COUNTY = "430522"
YEAR = 2026
ZERO = Decimal("0.00")


def build_county(residents=300) -> None:
    """What `make demo` builds before seeding settlements, through the real commands."""
    out = io.StringIO()
    call_command("generate", residents=residents, seed=7, as_of=AS_OF, no_progress=True, stdout=out)
    call_command("demo_accounts", stdout=out)
    seed_plan(COUNTY, YEAR)
    seed_demo_catalog()
    enrollment_seed.seed_enrollment(YEAR, county=COUNTY, seed=7, as_of=AS_OF)


def run(**options):
    options = {"per_day": 2, "until": datetime.date(YEAR, 3, 15), "reversal_rate": 0.2, **options}
    return seed_settlements(YEAR, county=COUNTY, **options)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeded once for this module's read-only tests, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_county()
        yield run()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _db(db):
    """Each test still runs in its own savepoint inside the module's transaction."""


def test_settles_a_mix_of_visits_for_insured_people(seeded):
    assert seeded.settled > 100
    assert seeded.settled == Settlement.objects.filter(kind="settle", reversed_at=None).count()
    assert set(seeded.by_type) == {"outpatient_general", "outpatient_chronic", "inpatient"}
    assert seeded.reversals == Settlement.objects.filter(kind="reversal").count() > 0
    # Everyone settled was enrolled, paid and covered on the visit date.
    for visit in Visit.objects.all():
        enrollment = Enrollment.objects.get(person_id=visit.person_id, year=YEAR)
        assert enrollment.status == "paid"
        assert enrollment.benefits_from <= visit.visit_date
    # 普通门诊 only at level 1; admissions discharged before settling.
    assert not Visit.objects.filter(visit_type="outpatient_general").exclude(institution_level="1")
    assert not Visit.objects.filter(visit_type="inpatient", discharge_date=None).exists()
    assert FeeDetail.objects.filter(cancelled=False).count() > 3 * seeded.settled


def test_ledger_trial_balance_is_balanced_and_matches_the_settlements(seeded):
    assert ledger.trial_balance(COUNTY, YEAR)["balanced"]
    # Sums over settlements are net of reversals (a reversal carries negated amounts).
    sums = Settlement.objects.within(COUNTY).aggregate(
        basic=Sum("basic_fund"), ci=Sum("critical_illness"), assistance=Sum("assistance")
    )
    rows = {r["code"]: r["balance"] for r in ledger.balances(COUNTY, YEAR)}
    assert rows["5101"] == sums["basic"]
    assert rows["5102"] == (sums["ci"] or ZERO)
    assert rows["5103"] == (sums["assistance"] or ZERO)
    assert rows["2101"] == sums["basic"] + (sums["ci"] or ZERO) + (sums["assistance"] or ZERO)


def _add(into: dict, delta: dict) -> None:
    for key in ("basic_paid", "ci_base", "ci_paid", "assistance_paid"):
        into[key] += Decimal(delta[key])
    for key in ("basic_paid_by_type", "deductible_paid_by_type"):
        for vt, v in delta[key].items():
            into[key][vt] += Decimal(v)


def test_accumulators_equal_the_sum_of_each_persons_settlement_deltas(seeded):
    expected = defaultdict(
        lambda: {
            "basic_paid": ZERO,
            "ci_base": ZERO,
            "ci_paid": ZERO,
            "assistance_paid": ZERO,
            "basic_paid_by_type": defaultdict(lambda: ZERO),
            "deductible_paid_by_type": defaultdict(lambda: ZERO),
        }
    )
    # A reversal restores the accumulators exactly, so what stands is the settlements
    # not reversed.
    standing = Settlement.objects.filter(kind="settle", year=YEAR, reversed_at=None)
    for person_id, delta in standing.values_list("person_id", "ytd_delta"):
        _add(expected[person_id], delta)
    accumulators = Accumulator.objects.filter(year=YEAR)
    assert {a.person_id for a in accumulators} == set(expected)
    for acc in accumulators:
        want = expected[acc.person_id]
        assert acc.basic_paid == want["basic_paid"]
        assert acc.ci_base == want["ci_base"]
        assert acc.ci_paid == want["ci_paid"]
        assert acc.assistance_paid == want["assistance_paid"]
        for key in ("basic_paid_by_type", "deductible_paid_by_type"):
            got = {k: Decimal(v) for k, v in getattr(acc, key).items() if Decimal(v)}
            assert got == {k: v for k, v in want[key].items() if v}, (acc.person_id, key)


def test_settlements_and_ledger_entries_carry_the_day_the_visit_ended(seeded):
    entries = {
        (e.source_id, e.purpose): e.posted_at
        for e in JournalEntry.objects.filter(source_type="settlement")
    }
    for s in Settlement.objects.select_related("visit"):
        day = timezone.localdate(s.settled_at)
        assert day == (s.visit.discharge_date or s.visit.visit_date)
        if s.kind == "settle":
            assert entries[(str(s.pk), "settle")] == s.settled_at
        else:
            original = s.reverses
            assert original.reversed_at == s.settled_at
            assert entries[(str(original.pk), "reverse")] == s.settled_at
    months = {s.settled_at.month for s in Settlement.objects.all()}
    assert months == {1, 2, 3}


def test_the_run_is_on_the_audit_chain(seeded):
    events = AuditEvent.objects.filter(object_type="insurance.seed", object_id=f"{COUNTY}:{YEAR}")
    assert set(events.values_list("action", flat=True)) == {"unmask", "create"}
    settled = AuditEvent.objects.filter(object_type="insurance.settlement", action="create")
    assert settled.count() == Settlement.objects.filter(kind="settle").count()
