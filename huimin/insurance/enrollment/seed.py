"""Synthetic enrollment for a generated county: `huimin seed-enrollment --year 2026`.

Enrolls about `rate` (95%) of the county's living residents who belong to a household,
deterministically from a seed: most enroll and pay within the period, a few (1%) enroll
and never pay, a few (1%) enroll and pay late (benefits after the waiting period).
Dues follow the period and each person's special category, as for a clerk's
enrollment; people with nothing to pay (特困) are paid by medical assistance at once.

Bulk writes inside one transaction (an interrupted run leaves nothing): enrollments
and payments with bulk_create, and the ledger **summarised per village**: one balanced
entry per village and run (source "enrollment.seed", source id
"<village>:<first payment id>-<last payment id>", unique because payment ids never
repeat), with the same three pairs a single payment posts. A refund of a seeded
payment later posts its own reversing entry keyed on the payment, so balances stay
right. People already enrolled for the year are left alone, so running it twice only
fills gaps.
"""

import datetime
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from huimin.audit.services import record
from huimin.insurance.enrollment import rules, services
from huimin.insurance.enrollment.models import (
    Enrollment,
    EnrollmentPeriod,
    EnrollmentStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from huimin.insurance.ledger import rules as ledger_rules
from huimin.insurance.ledger import services as ledger
from huimin.registry.models import HouseholdMembership, PersonCategory, PersonStatus

DEFAULT_COUNTY = "430522"
# The example plan's contribution (../shared/examples/plan-example.yaml), used when the
# county has no active plan for the year. Synthetic, like the county.
EXAMPLE_CONTRIBUTION = (Decimal("400.00"), Decimal("670.00"), {"tekun": "1.00", "dibao": "0.50"})
UNPAID_RATE = 0.01
LATE_RATE = 0.01
BANK_SHARE = 0.4  # of paying people, the share collected by the bank (the rest in cash)
LEDGER_SOURCE = "enrollment.seed"
ZERO = Decimal("0.00")


class SeedError(ValueError):
    pass


@dataclass
class SeedResult:
    period: EnrollmentPeriod
    candidates: int = 0
    enrolled: int = 0
    paid: int = 0
    unpaid: int = 0
    late: int = 0
    entries: int = 0
    amounts: dict = field(default_factory=dict)


def ensure_period(county: str, year: int) -> EnrollmentPeriod:
    period = EnrollmentPeriod.objects.filter(region_code=county, year=year).first()
    if period is not None:
        return period
    contribution, source = services.plan_contribution(county, year)
    if contribution is not None:
        individual, subsidy = contribution.individual, contribution.subsidy
        shares = {k: str(v) for k, v in contribution.individual_paid_by_assistance.items()}
    else:
        individual, subsidy, shares = EXAMPLE_CONTRIBUTION
        source = "合成数据（示例方案缴费标准）"
    return EnrollmentPeriod.objects.create(
        region_code=county,
        year=year,
        opens_on=datetime.date(year - 1, 9, 1),
        closes_on=datetime.date(year - 1, 12, 31),
        waiting_days=90,
        individual=individual,
        subsidy=subsidy,
        assistance_shares=shares,
        source=source,
    )


def _day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def seed_enrollment(
    year: int,
    *,
    rate: float = 0.95,
    county: str = DEFAULT_COUNTY,
    seed: int = 2026,
    as_of: datetime.date | None = None,
    batch_size: int = 5000,
) -> SeedResult:
    if not (0 < rate <= 1):
        raise SeedError("--rate 应在0到1之间")
    as_of = as_of or timezone.localdate()
    rng = random.Random(f"{seed}:{county}:{year}")  # noqa: S311 — synthetic data, not secrets
    with transaction.atomic():
        period = ensure_period(county, year)
        if as_of < period.opens_on:
            raise SeedError(f"{year}年度集中参保期自{period.opens_on}开始，今天尚未开放")
        result = SeedResult(period=period)
        members = list(
            HouseholdMembership.objects.filter(
                left_on__isnull=True,
                person__village__code__startswith=county,
                person__status=PersonStatus.ACTIVE,
                person__death_date__isnull=True,
            )
            .exclude(
                person_id__in=Enrollment.objects.filter(year=year)
                .exclude(status=EnrollmentStatus.CANCELLED)
                .values("person_id")
            )
            .order_by("person_id")
            .values_list("person_id", "household_id", "person__village_id")
        )
        result.candidates = len(members)
        categories = _categories(county)
        shares = rules.parse_shares(period.assistance_shares)
        on_time_last = min(period.closes_on, as_of)
        late_first = period.closes_on + datetime.timedelta(days=1)
        # Late payers must still get some cover within the year.
        late_last = min(
            as_of, datetime.date(year, 12, 31) - datetime.timedelta(days=period.waiting_days)
        )
        plans = []
        for person_id, household_id, village in members:
            if rng.random() >= rate:
                continue
            draw = rng.random()
            late = draw < LATE_RATE and late_first <= late_last
            unpaid = not late and draw < LATE_RATE + UNPAID_RATE
            enrolled_on = (
                _day(rng, late_first, late_last)
                if late
                else _day(rng, period.opens_on, on_time_last)
            )
            due = rules.contribution_due(
                period.individual,
                period.subsidy,
                shares,
                _in_force(categories.get(person_id, ()), enrolled_on),
            )
            if due.personal_due == 0:
                unpaid = False  # nothing to collect: assistance pays at enrollment
            paid_on = None
            if not unpaid:
                paid_on = (
                    enrolled_on
                    if late
                    else min(on_time_last, enrolled_on + datetime.timedelta(days=rng.randint(0, 7)))
                )
            plans.append((person_id, household_id, village, enrolled_on, due, late, paid_on))
        for start in range(0, len(plans), batch_size):
            _write(period, plans[start : start + batch_size], rng, result)
        _post_ledger(period, result)
        record(
            action="create",
            object_type="enrollment.seed",
            object_id=f"{county}:{year}",
            region_code=county,
            changes={
                "enrolled": [None, result.enrolled],
                "paid": [None, result.paid],
                "unpaid": [None, result.unpaid],
                "late": [None, result.late],
            },
            purpose="合成数据",
        )
    return result


def _categories(county: str) -> dict[int, list[tuple[str, datetime.date, datetime.date | None]]]:
    out: dict[int, list] = defaultdict(list)
    rows = PersonCategory.objects.filter(person__village__code__startswith=county).values_list(
        "person_id", "category", "valid_from", "valid_to"
    )
    for person_id, category, valid_from, valid_to in rows:
        out[person_id].append((category, valid_from, valid_to))
    return out


def _in_force(rows, on: datetime.date) -> list[str]:
    return [c for c, start, end in rows if start <= on and (end is None or end >= on)]


def _insert(model, fields: list[str], rows: list[tuple]) -> list[int]:
    """Multi-row INSERT … RETURNING id, ids in row order.

    Plain SQL rather than bulk_create: compiling model instances field by field cost
    three quarters of the time at 100,000 residents. Values are adapted by the backend's
    own operations (below), so what is stored is what the ORM would store.
    """
    quote = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(quote(meta.get_field(f).column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Identifiers come from the model and are quoted; every value is a parameter.
    head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
    tail = f" RETURNING {quote(meta.pk.column)}"
    chunk = max(1, 8000 // len(fields))  # well under SQLite's 32,766 parameters
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            cursor.execute(head + ", ".join([one] * len(part)) + tail, [v for r in part for v in r])
            got = [r[0] for r in cursor.fetchall()]
            # Ids are assigned in VALUES order; anything else would pair rows wrongly.
            if len(got) != len(part) or any(a >= b for a, b in itertools.pairwise(got)):
                raise RuntimeError(f"{meta.db_table}: RETURNING did not give ids in order")
            ids += got
    return ids


ENROLLMENT_FIELDS = (
    "period year region_code status individual_due assistance_share personal_due subsidy "
    "category enrolled_on late benefits_from paid_at created_at person household"
).split()
PAYMENT_FIELDS = (
    "enrollment region_code pool_code year amount method receipt_no bank_txn_no paid_at "
    "idempotency_key request_hash status recorded_at refund_reason"
).split()


def _write(period, plans, rng, result: SeedResult) -> None:
    ops = connection.ops
    day, adapt = ops.adapt_datefield_value, ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    noon: dict = {}  # a few hundred distinct days for a hundred thousand rows

    def moment(on):
        if on is None:
            return None
        if on not in noon:
            noon[on] = adapt(_noon(on))
        return noon[on]

    rows = []
    for person_id, household_id, village, enrolled_on, due, late, paid_on in plans:
        benefits = rules.benefits_start(
            period.year, late, paid_on or enrolled_on, period.waiting_days
        )
        rows.append(
            (
                period.pk,
                period.year,
                village,
                EnrollmentStatus.PAID.value if paid_on else EnrollmentStatus.OWED.value,
                due.individual_due,
                due.assistance_share,
                due.personal_due,
                due.subsidy,
                due.category,
                day(enrolled_on),
                late,
                day(benefits),
                moment(paid_on),
                now,
                person_id,
                household_id,
            )
        )
    ids = _insert(Enrollment, ENROLLMENT_FIELDS, rows)
    payments = []
    for enrollment_id, plan in zip(ids, plans, strict=True):
        _, _, village, _, due, late, paid_on = plan
        result.enrolled += 1
        result.late += int(late)
        if paid_on is None:
            result.unpaid += 1
            continue
        result.paid += 1
        if due.personal_due == 0:
            method, receipt, txn = PaymentMethod.ASSISTANCE.value, "", ""
        elif rng.random() < BANK_SHARE:
            method, receipt, txn = (
                PaymentMethod.BANK.value,
                "",
                f"YH{period.year}{enrollment_id:010d}",
            )
        else:
            method, receipt, txn = (
                PaymentMethod.CASH.value,
                f"XS{period.year}{enrollment_id:010d}",
                "",
            )
        payments.append(
            (
                enrollment_id,
                village,
                period.region_code,
                period.year,
                due.personal_due,
                method,
                receipt,
                txn,
                moment(paid_on),
                f"seed:{enrollment_id}",
                rules.request_hash({"seed": enrollment_id}),
                PaymentStatus.PAID.value,
                now,
                "",
            )
        )
        sums = result.amounts.setdefault(
            village, {"ids": None, "personal": ZERO, "assistance": ZERO, "subsidy": ZERO}
        )
        sums["personal"] += due.personal_due
        sums["assistance"] += due.assistance_share
        sums["subsidy"] += due.subsidy
    payment_ids = _insert(Payment, PAYMENT_FIELDS, payments)
    for payment_id, row in zip(payment_ids, payments, strict=True):
        sums = result.amounts[row[1]]
        first, last = sums["ids"] or (payment_id, payment_id)
        sums["ids"] = (min(first, payment_id), max(last, payment_id))


def _post_ledger(period, result: SeedResult) -> None:
    L = ledger_rules.Line
    for village in sorted(result.amounts):
        sums = result.amounts[village]
        lines = ledger_rules.nonzero(
            L("1101", debit=sums["personal"]),
            L("4101", credit=sums["personal"]),
            L("1203", debit=sums["assistance"]),
            L("4103", credit=sums["assistance"]),
            L("1202", debit=sums["subsidy"]),
            L("4102", credit=sums["subsidy"]),
        )
        if not lines:
            continue
        first, last = sums["ids"]
        ledger.post(
            region_code=period.region_code,
            year=period.year,
            source_type=LEDGER_SOURCE,
            source_id=f"{village}:{first}-{last}",
            purpose="contribution",
            memo=f"{period.year}年度参保缴费（合成数据，{village}汇总）",
            lines=lines,
        )
        result.entries += 1
