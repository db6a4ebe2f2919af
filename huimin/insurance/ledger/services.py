"""Posting to the ledger. Callers post inside their own transaction, so a business
write and its entry commit or roll back together."""

from decimal import Decimal

from django.db.models import Sum

from huimin.core.money import r2
from huimin.insurance.ledger import rules
from huimin.insurance.ledger.models import Account, JournalEntry, Posting


def ensure_accounts(region_code: str, year: int) -> dict[str, Account]:
    existing = {a.code: a for a in Account.objects.filter(region_code=region_code, year=year)}
    missing = [
        Account(
            region_code=region_code,
            year=year,
            code=code,
            name=name,
            group=group,
            normal_balance=normal,
        )
        for code, (name, group, normal) in rules.CHART.items()
        if code not in existing
    ]
    if missing:
        Account.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {a.code: a for a in Account.objects.filter(region_code=region_code, year=year)}
    return existing


def post(
    *,
    region_code: str,
    year: int,
    source_type: str,
    source_id,
    purpose: str,
    memo: str,
    lines: list[rules.Line],
) -> JournalEntry:
    """Write one balanced entry. Raises rules.LedgerError before writing anything."""
    group = rules.check_entry(lines)
    accounts = ensure_accounts(region_code, year)
    entry = JournalEntry.objects.create(
        region_code=region_code,
        year=year,
        group=group,
        source_type=source_type,
        source_id=str(source_id),
        purpose=purpose,
        memo=memo[:200],
    )
    Posting.objects.bulk_create(
        Posting(entry=entry, account=accounts[ln.account], debit=ln.debit, credit=ln.credit)
        for ln in lines
    )
    return entry


def balances(region_code: str, year: int) -> list[dict]:
    """Each account's debit and credit totals and balance in its normal direction."""
    accounts = ensure_accounts(region_code, year)
    sums = {
        row["account_id"]: row
        for row in Posting.objects.filter(account__region_code=region_code, account__year=year)
        .values("account_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    }
    out = []
    for code in sorted(accounts):
        a = accounts[code]
        s = sums.get(a.pk, {})
        # r2: SQLite sums decimals with spurious precision.
        debit = r2(s.get("debit") or Decimal("0.00"))
        credit = r2(s.get("credit") or Decimal("0.00"))
        balance = debit - credit if a.normal_balance == "debit" else credit - debit
        out.append(
            {
                "code": code,
                "name": a.name,
                "group": a.group,
                "debit": debit,
                "credit": credit,
                "balance": balance,
            }
        )
    return out


def trial_balance(region_code: str, year: int) -> dict:
    rows = balances(region_code, year)
    by_group = {}
    for group in ("fund", "mgmt"):
        g = [r for r in rows if r["group"] == group]
        by_group[group] = {
            "debit": sum((r["debit"] for r in g), Decimal("0.00")),
            "credit": sum((r["credit"] for r in g), Decimal("0.00")),
        }
    return {
        "rows": rows,
        "groups": by_group,
        "balanced": all(v["debit"] == v["credit"] for v in by_group.values()),
    }
