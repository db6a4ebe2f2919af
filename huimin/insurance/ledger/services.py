"""Posting to the ledger. Callers post inside their own transaction, so a business
write and its entry commit or roll back together."""

import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from huimin.audit.services import record
from huimin.core import statements
from huimin.core.errors import Conflict, ValidationFailed
from huimin.core.money import parse_amount, r2
from huimin.insurance.ledger import rules
from huimin.insurance.ledger.models import Account, JournalEntry, Posting
from huimin.policy import check_perm


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
    entry = JournalEntry(
        region_code=region_code,
        year=year,
        group=group,
        source_type=source_type,
        source_id=str(source_id),
        purpose=purpose,
        memo=memo[:200],
    )
    statements.insert(entry)  # every settlement posts: the INSERT without the ORM's cost
    if not _insert_postings(entry.pk, region_code, year, lines):
        # The region's first entry of the year (or a code added to the chart since).
        accounts = ensure_accounts(region_code, year)
        Posting.objects.bulk_create(
            Posting(entry=entry, account=accounts[ln.account], debit=ln.debit, credit=ln.credit)
            for ln in lines
        )
    return entry


def _insert_postings(entry_id: int, region_code: str, year: int, lines: list[rules.Line]) -> bool:
    """All the postings in one statement that finds their accounts itself, or none at all
    (False) when an account is missing. Saves reading the chart on every entry."""
    posting, account = statements.table(Posting), statements.table(Account)
    codes = sorted({ln.account for ln in lines})
    one = "SELECT CAST(%s AS varchar(10)) AS code, CAST(%s AS numeric(14, 2)) AS debit, "
    one += "CAST(%s AS numeric(14, 2)) AS credit"
    # Only quoted names from the models go into the text; every value is a parameter.
    sql = (
        f"INSERT INTO {posting} (entry_id, account_id, debit, credit) "  # noqa: S608
        f"SELECT %s, a.id, v.debit, v.credit FROM ({' UNION ALL '.join([one] * len(lines))}) v "
        f"JOIN {account} a ON a.code = v.code AND a.region_code = %s AND a.year = %s "
        f"WHERE (SELECT COUNT(*) FROM {account} b WHERE b.region_code = %s AND b.year = %s "
        f"AND b.code IN ({', '.join(['%s'] * len(codes))})) = %s"
    )
    params = [entry_id]
    for ln in lines:
        params += [ln.account, ln.debit, ln.credit]
    params += [region_code, year, region_code, year, *codes, len(codes)]
    return statements.execute(sql, params) == len(lines)


def _in_normal_direction(normal_balance: str, debit: Decimal, credit: Decimal) -> Decimal:
    return debit - credit if normal_balance == "debit" else credit - debit


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
        balance = _in_normal_direction(a.normal_balance, debit, credit)
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


# ---------------------------------------------------------------- fund receipts

RECEIPT_SOURCE = "fund_receipt"
_REFERENCE = re.compile(r"^[0-9A-Za-z_-]{1,20}$")
MAX_RECEIPT = Decimal("9999999999.99")


def _balance(account: Account) -> Decimal:
    sums = Posting.objects.filter(account=account).aggregate(d=Sum("debit"), c=Sum("credit"))
    debit, credit = r2(sums["d"] or Decimal("0")), r2(sums["c"] or Decimal("0"))
    return _in_normal_direction(account.normal_balance, debit, credit)


def do_record_receipt(
    user,
    *,
    region_code: str,
    year: int,
    kind: str,
    amount,
    reference: str,
    memo: str = "",
    request=None,
) -> JournalEntry:
    """Record money arriving (subsidy, assistance for contributions, management fees) or
    management fees spent: one balanced entry, once per bank reference."""
    check_perm(
        user,
        "ledger.post",
        region_code,
        message="无权登记资金到账",
        scope_message="该统筹区不在您的辖区内",
    )
    errors = {}
    if kind not in rules.RECEIPT_KINDS:
        errors["kind"] = "业务类型不存在"
    try:
        value = parse_amount(str(amount).strip(), "amount")
        if value <= 0 or value > MAX_RECEIPT:
            errors["amount"] = "金额须大于0且不超过9999999999.99元"
    except ValueError:
        errors["amount"] = "金额应为正数，最多两位小数"
    reference = (reference or "").strip()
    if not _REFERENCE.match(reference):
        errors["reference"] = "须填写银行流水号或拨款文号（1至20位字母、数字、-或_）"
    memo = (memo or "").strip()
    if len(memo) > 100:
        errors["memo"] = "摘要不超过100字"
    if errors:
        raise ValidationFailed(errors)
    if not Account.objects.filter(region_code=region_code, year=year).exists():
        raise ValidationFailed({"year": "该统筹区该年度尚无账簿"})
    spec = rules.RECEIPT_KINDS[kind]
    source_id = f"{region_code}:{year}:{reference}"
    taken = Conflict("receipt_exists", "该流水号已登记过此项业务", {"reference": "已登记"})
    try:
        with transaction.atomic():
            accounts = ensure_accounts(region_code, year)
            if spec.limited_by:
                # Locked, so two receipts at once cannot both collect the same balance.
                limit = Account.objects.select_for_update().get(pk=accounts[spec.limited_by].pk)
                left = _balance(limit)
                if value > left:
                    raise ValidationFailed(
                        {"amount": f"超过{limit.code} {limit.name}的余额{left}元"},
                        code="receipt_exceeds_balance",
                    )
            if JournalEntry.objects.filter(
                source_type=RECEIPT_SOURCE, source_id=source_id, purpose=kind
            ).exists():
                raise taken
            entry = post(
                region_code=region_code,
                year=year,
                source_type=RECEIPT_SOURCE,
                source_id=source_id,
                purpose=kind,
                memo=f"{spec.label} {reference}" + (f" {memo}" if memo else ""),
                lines=rules.receipt_lines(kind, value),
            )
            record(
                action="create",
                object_type="ledger.receipt",
                object_id=str(entry.pk),
                region_code=region_code,
                changes={"receipt": [None, {"kind": kind, "amount": str(value), "ref": reference}]},
                actor=user,
                request=request,
            )
            return entry
    except IntegrityError:
        raise taken from None  # the same reference recorded by a concurrent request
