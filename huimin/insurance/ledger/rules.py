"""Ledger rules: the chart of accounts and what makes an entry valid. Pure."""

from dataclasses import dataclass
from decimal import Decimal

# code: (name, group, normal balance)
CHART: dict[str, tuple[str, str, str]] = {
    "1101": ("统筹基金银行存款", "fund", "debit"),
    "1201": ("应收个人缴费", "fund", "debit"),
    "1202": ("应收财政补助", "fund", "debit"),
    "1203": ("应收医疗救助资助参保资金", "fund", "debit"),
    # Money a confirmed review finding takes back from an institution (追回), deducted
    # at its next monthly clearing (review/workflow.py, clearing.py).
    "1204": ("应收定点医疗机构追回款", "fund", "debit"),
    "1301": ("大病保险资金存款", "fund", "debit"),
    "1401": ("医疗救助资金存款", "fund", "debit"),
    "2101": ("应付定点医疗机构款", "fund", "credit"),
    "4101": ("个人缴费收入", "fund", "credit"),
    "4102": ("财政补助收入", "fund", "credit"),
    "4103": ("医疗救助资助参保收入", "fund", "credit"),
    "5101": ("基本医疗保险待遇支出", "fund", "debit"),
    "5102": ("大病保险待遇支出", "fund", "debit"),
    "5103": ("医疗救助待遇支出", "fund", "debit"),
    "6101": ("管理费银行存款", "mgmt", "debit"),
    "6201": ("管理费收入", "mgmt", "credit"),
    "6301": ("管理费支出", "mgmt", "debit"),
    # ---- basic public-health funds (huimin/assessment/funds.py): a group of their own,
    # never in an entry with the insurance fund. Each village clinic's share is its own
    # entry naming the clinic, so a township cannot hold it back (截留) unseen.
    "7101": ("基本公卫资金存款", "phf", "debit"),
    "7201": ("应付乡镇卫生院基本公卫经费", "phf", "credit"),
    "7202": ("应付村卫生室基本公卫经费", "phf", "credit"),
    "7401": ("基本公卫补助收入", "phf", "credit"),
    "7501": ("基本公卫经费支出", "phf", "debit"),
}


@dataclass(frozen=True)
class Line:
    account: str
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")


class LedgerError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def check_entry(lines: list[Line]) -> str:
    """The entry's account group, or LedgerError: balanced, one-sided lines, one group."""
    if not lines:
        raise LedgerError("entry_empty", "记账凭证没有分录")
    groups = set()
    debit = credit = Decimal("0")
    for ln in lines:
        if ln.account not in CHART:
            raise LedgerError("unknown_account", f"科目{ln.account}不存在")
        if ln.debit < 0 or ln.credit < 0 or (ln.debit > 0) == (ln.credit > 0):
            raise LedgerError("posting_sides", "每条分录须且只能有借方或贷方，金额为正")
        if ln.debit != ln.debit.quantize(Decimal("0.01")) or ln.credit != ln.credit.quantize(
            Decimal("0.01")
        ):
            raise LedgerError("posting_precision", "金额最多两位小数")
        groups.add(CHART[ln.account][1])
        debit += ln.debit
        credit += ln.credit
    if len(groups) != 1:
        # The one rule that keeps the fund and the management fees apart.
        raise LedgerError("fund_mgmt_mixed", "医保基金与管理费不得在同一凭证中往来")
    if debit != credit:
        raise LedgerError("entry_unbalanced", f"借贷不平：借{debit}，贷{credit}")
    return groups.pop()


def nonzero(*lines: Line) -> list[Line]:
    """Drop zero lines (a settlement with no critical-illness part has no 5102 line)."""
    return [ln for ln in lines if ln.debit > 0 or ln.credit > 0]


@dataclass(frozen=True)
class ReceiptKind:
    """Money the office records arriving or leaving outside settlements and payments."""

    label: str
    debit: str
    credit: str
    # An account whose balance the amount may not exceed: a receivable cannot be
    # collected twice, management fees cannot be spent before they arrive.
    limited_by: str | None


RECEIPT_KINDS: dict[str, ReceiptKind] = {
    "subsidy": ReceiptKind("财政补助资金到账", "1101", "1202", "1202"),
    "assistance": ReceiptKind("医疗救助资助参保资金到账", "1101", "1203", "1203"),
    "mgmt_income": ReceiptKind("管理费拨入", "6101", "6201", None),
    "mgmt_expense": ReceiptKind("管理费支出", "6301", "6101", "6101"),
}


def receipt_lines(kind: str, amount: Decimal) -> list[Line]:
    k = RECEIPT_KINDS[kind]
    return [Line(k.debit, debit=amount), Line(k.credit, credit=amount)]


# ---------------------------------------------------------------- settlements


def settlement_lines(s, sign: int) -> list[Line]:
    """Dr the tiers' expense accounts, Cr 2101 payable to the institution (sign +1);
    the other way round for a reversal (sign -1). `s`: an engine result or a row."""
    L = Line
    paid = s.basic_fund + s.critical_illness + s.assistance
    expense = [("5101", s.basic_fund), ("5102", s.critical_illness), ("5103", s.assistance)]
    if sign > 0:
        lines = [L(a, debit=v) for a, v in expense] + [L("2101", credit=paid)]
    else:
        lines = [L(a, credit=v) for a, v in expense] + [L("2101", debit=paid)]
    return nonzero(*lines)
