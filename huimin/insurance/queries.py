"""Read-side queries for the officer's pages: filters, keyset pages, sums, ledger views.

Every function takes an already scoped queryset (`Model.objects.visible_to(user)`) or a
region the caller has checked; none of them writes.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from huimin.core.money import r2
from huimin.insurance.enrollment.models import Payment
from huimin.insurance.ledger import services as ledger
from huimin.insurance.ledger.models import Account, AccountGroup, JournalEntry, Posting
from huimin.insurance.models import FeeDetail
from huimin.registry.models import id_number_lookups

ZERO = Decimal("0.00")

# ---------------------------------------------------------------- keyset pages


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    is_first: bool


def _parse_key(raw: str, kind: str):
    if kind == "datetime":
        value = datetime.datetime.fromisoformat(raw)
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if kind == "date":
        return datetime.date.fromisoformat(raw)
    return raw  # text, e.g. a YYYY-MM month


def newest_first(qs: QuerySet, key: str, kind: str, cursor: str, size: int) -> Page:
    """Rows in (key, id) descending order after a cursor, without OFFSET or COUNT(*).

    The cursor is the last row's key and id ("<key>~<id>"); the next page starts below it
    through the (…, key) index, so a deep page costs what the first one does.
    """
    after = None
    if cursor:
        raw_key, sep, raw_id = cursor.rpartition("~")
        try:
            after = (_parse_key(raw_key, kind), int(raw_id)) if sep else None
        except (ValueError, TypeError, OverflowError):
            after = None  # a hand-edited cursor: start from the newest
    if after is not None:
        value, last_id = after
        # key <= v AND (key < v OR id < last): the leading condition bounds an index range.
        qs = qs.filter(Q(**{f"{key}__lte": value})).filter(
            Q(**{f"{key}__lt": value}) | Q(**{key: value, "id__lt": last_id})
        )
    rows = list(qs.order_by(f"-{key}", "-id")[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        value = getattr(last, key)
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        next_cursor = f"{text}~{last.pk}"
    return Page(rows=rows, next_cursor=next_cursor, is_first=after is None)


def day_bounds(date_from: datetime.date, date_to: datetime.date):
    """[start of date_from, start of the day after date_to) in local time."""
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


def month_bounds(month: str):
    """A "YYYY-MM" month as [first day, first day of the next month) in local time."""
    first = datetime.date.fromisoformat(month + "-01")
    nxt = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return day_bounds(first, nxt - datetime.timedelta(days=1))


# ---------------------------------------------------------------- settlements


@dataclass
class SettlementFilter:
    date_from: datetime.date
    date_to: datetime.date
    institution_id: int | None = None
    visit_type: str = ""
    kind: str = ""
    total_min: Decimal | None = None
    total_max: Decimal | None = None
    id_number: str = ""  # already validated as a full ID number


def filter_settlements(qs: QuerySet, f: SettlementFilter) -> QuerySet:
    start, end = day_bounds(f.date_from, f.date_to)
    qs = qs.filter(settled_at__gte=start, settled_at__lt=end)
    if f.institution_id:
        qs = qs.filter(institution_id=f.institution_id)
    if f.visit_type:
        qs = qs.filter(visit_type=f.visit_type)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.total_min is not None:
        qs = qs.filter(total__gte=f.total_min)
    if f.total_max is not None:
        qs = qs.filter(total__lte=f.total_max)
    if f.id_number:
        # Exact match through the blind index (under the current and any rotated-out key).
        qs = qs.filter(person__id_number_index__in=id_number_lookups(f.id_number))
    return qs


def settlement_summary(qs: QuerySet) -> dict:
    """Net sums for the filter: reversals carry negated amounts, so they cancel out."""
    agg = qs.order_by().aggregate(
        count=Count("id"),
        reversals=Count("id", filter=Q(kind="reversal")),
        total=Sum("total"),
        basic_fund=Sum("basic_fund"),
        critical_illness=Sum("critical_illness"),
        assistance=Sum("assistance"),
        patient_pay=Sum("patient_pay"),
    )
    out = {
        k: (r2(v) if v is not None else ZERO)
        for k, v in agg.items()
        if k not in {"count", "reversals"}
    }
    out["fund"] = out["basic_fund"] + out["critical_illness"] + out["assistance"]
    out["count"] = agg["count"]
    out["reversals"] = agg["reversals"]
    return out


def visit_fees(visit_id: int) -> list:
    """All of a visit's fee rows, cancelled ones too (a reversed settlement priced them)."""
    return list(FeeDetail.objects.filter(visit_id=visit_id).order_by("line_no"))


# ---------------------------------------------------------------- ledger


def ledger_regions(user) -> list[str]:
    """Pooling regions with accounts the user may see, for the region picker."""
    return list(
        Account.objects.visible_to(user)
        .order_by("region_code")
        .values_list("region_code", flat=True)
        .distinct()
    )


def ledger_years(region_code: str) -> list[int]:
    return list(
        Account.objects.filter(region_code=region_code)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def ledger_overview(region_code: str, year: int) -> dict | None:
    """Balances and the trial balance with the fund and management groups apart.

    None when the region has no accounts that year: ledger.services would create them,
    and a page view must write nothing.
    """
    if not Account.objects.filter(region_code=region_code, year=year).exists():
        return None
    tb = ledger.trial_balance(region_code, year)
    groups = []
    for code, label in AccountGroup.choices:
        rows = [r for r in tb["rows"] if r["group"] == code]
        totals = tb["groups"].get(code, {"debit": ZERO, "credit": ZERO})
        groups.append(
            {
                "code": code,
                "label": label,
                "rows": rows,
                "debit": totals["debit"],
                "credit": totals["credit"],
                "balanced": totals["debit"] == totals["credit"],
            }
        )
    return {"groups": groups, "balanced": tb["balanced"]}


def journal_page(user, region_code: str, year: int, cursor: str, size: int) -> Page:

    entries = JournalEntry.objects.visible_to(user).filter(region_code=region_code, year=year)
    qs = entries.prefetch_related(
        Prefetch("postings", queryset=Posting.objects.select_related("account").order_by("id"))
    )
    return newest_first(qs, "posted_at", "datetime", cursor, size)


def payment_households(entries) -> dict[str, tuple[int, int]]:
    """payment id → (household id, year) for the enrollment payments among the entries."""
    ids = [
        int(e.source_id)
        for e in entries
        if e.source_type == "enrollment.payment" and e.source_id.isdigit()
    ]
    if not ids:
        return {}
    rows = Payment.objects.filter(pk__in=ids).values_list("pk", "enrollment__household_id", "year")
    return {str(pk): (household, year) for pk, household, year in rows}
