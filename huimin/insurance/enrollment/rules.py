"""Enrollment rules: what a person owes, when benefits start, what a bank row must hold.

Pure functions over plain values (no database), so each rule is testable on its own.
Amounts are Decimal yuan rounded to the fen, half up (huimin.core.money.r2).

Decisions written down here because pages, the API and the seed all follow them:

* **Assistance share.** Medical assistance pays `r2(individual × share)` of the
  individual part for a person in a special category in force on the enrollment date;
  the share comes from the plan's `contribution.individual_paid_by_assistance`
  (tekun 1.00, dibao 0.50 in the example plan). With several categories the largest
  share wins. The person pays the rest (`personal_due`).
* **Zero personal due** (e.g. 特困人员 with share 1.00): nothing to collect, so the
  enrollment is paid at enrollment by an `assistance` payment of 0.00 — the ledger then
  books the assistance receivable and the subsidy at once.
* **Late.** Contributions are due within the period [opens_on, closes_on]. An
  enrollment made after the period closes, or paid after it closes, is late: benefits
  start `waiting_days` after the payment date (never before 1 January of the year).
  Otherwise benefits start on 1 January of the year.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from huimin.core import idnumber
from huimin.core.idempotency import body_hash
from huimin.core.money import ZERO, parse_amount, parse_decimal, r2

MAX_WAITING_DAYS = 365
# Special categories in the order they decide the settlement's person_category.
PERSON_CATEGORY_ORDER = ("tekun", "dibao")
ORDINARY = "ordinary"


# ---------------------------------------------------------------- dues


@dataclass(frozen=True)
class Due:
    individual_due: Decimal
    assistance_share: Decimal
    personal_due: Decimal
    subsidy: Decimal
    category: str  # the category whose share applied, "" when none


def parse_shares(raw: dict) -> dict[str, Decimal]:
    """A period's stored shares ({"dibao": "0.50"}) as Decimals; bad values are skipped."""
    shares = {}
    for code, value in (raw or {}).items():
        try:
            share = parse_decimal(value, str(code))
        except ValueError:
            continue
        if 0 <= share <= 1:
            shares[str(code)] = share
    return shares


def contribution_due(
    individual: Decimal, subsidy: Decimal, shares: dict[str, Decimal], categories
) -> Due:
    """What a person owes for the year, given the special categories in force for them.

    Dibao with the example plan: individual 400.00 × 0.50 = 200.00 paid by assistance,
    personal due 400.00 − 200.00 = 200.00, subsidy 670.00.
    """
    best_share, best_category = ZERO, ""
    for category in sorted(set(categories)):
        share = shares.get(category)
        if share is not None and share > best_share:
            best_share, best_category = share, category
    assistance = min(r2(individual * best_share), individual)
    return Due(
        individual_due=individual,
        assistance_share=assistance,
        personal_due=individual - assistance,
        subsidy=subsidy,
        category=best_category,
    )


def person_category(categories) -> str:
    """The settlement engine's person_category: tekun, else dibao, else ordinary."""
    present = set(categories)
    for category in PERSON_CATEGORY_ORDER:
        if category in present:
            return category
    return ORDINARY


# ---------------------------------------------------------------- dates


def is_late(closes_on: datetime.date, enrolled_on: datetime.date, paid_on=None) -> bool:
    return enrolled_on > closes_on or (paid_on is not None and paid_on > closes_on)


def benefits_start(year: int, late: bool, start: datetime.date, waiting_days: int) -> datetime.date:
    """1 January of the year, or `start` (the payment date) plus the waiting period."""
    jan1 = datetime.date(year, 1, 1)
    if not late:
        return jan1
    return max(jan1, start + datetime.timedelta(days=waiting_days))


def check_enrollment_date(
    year: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    waiting_days: int,
    on: datetime.date,
) -> str | None:
    """Why a person cannot be enrolled for `year` on `on`, or None."""
    if on < opens_on:
        return f"{year}年度集中参保期自{opens_on:%Y-%m-%d}开始，尚未开放登记"
    if on > datetime.date(year, 12, 31):
        return f"{year}年度已结束，不能再登记参保"
    return check_benefits_in_year(year, is_late(closes_on, on), on, waiting_days)


def check_benefits_in_year(
    year: int, late: bool, paid_on: datetime.date, waiting_days: int
) -> str | None:
    """A late contribution whose waiting period outlasts the year would buy nothing."""
    start = benefits_start(year, late, paid_on, waiting_days)
    if start > datetime.date(year, 12, 31):
        return (
            f"集中参保期已过，{waiting_days}天等待期满（{start:%Y-%m-%d}）已超出{year}年度，"
            f"请登记{year + 1}年度参保"
        )
    return None


# ---------------------------------------------------------------- periods


@dataclass
class PeriodInput:
    region_code: str
    year: int | None
    opens_on: datetime.date | None
    closes_on: datetime.date | None
    waiting_days: int | None


def check_period(data: PeriodInput) -> dict[str, str]:
    errors = {}
    if not (data.region_code.isdigit() and len(data.region_code) == 6):
        errors["region_code"] = "统筹区应为6位县级区划代码"
    if data.year is None or not (2000 <= data.year <= 2100):
        errors["year"] = "参保年度应为2000至2100之间的整数"
    if data.opens_on is None:
        errors["opens_on"] = "须填写集中参保开始日期"
    if data.closes_on is None:
        errors["closes_on"] = "须填写集中参保截止日期"
    if data.opens_on and data.closes_on and data.closes_on < data.opens_on:
        errors["closes_on"] = "截止日期不能早于开始日期"
    if (
        "year" not in errors
        and data.opens_on
        and data.opens_on.year
        not in (
            data.year - 1,
            data.year,
        )
    ):
        errors["opens_on"] = "开始日期应在参保年度或其上一年"
    if "year" not in errors and data.closes_on and data.closes_on.year > data.year:
        errors.setdefault("closes_on", "截止日期不能晚于参保年度末")
    if data.waiting_days is None or not (0 <= data.waiting_days <= MAX_WAITING_DAYS):
        errors["waiting_days"] = f"待遇等待期应为0至{MAX_WAITING_DAYS}天"
    return errors


def read_amount(raw, field: str, errors: dict, label: str) -> Decimal | None:
    """An amount typed by a person ("400", "400.00"), or an error under `field`."""
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return parse_amount(raw, field)
    except ValueError:
        errors[field] = f"{label}应为非负金额，最多两位小数"
        return None


def read_share(raw, field: str, errors: dict, label: str) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = parse_decimal(raw, field)
    except ValueError:
        errors[field] = f"{label}应为0到1之间的比例"
        return None
    if not (0 <= value <= 1):
        errors[field] = f"{label}应为0到1之间的比例"
        return None
    return value


# ---------------------------------------------------------------- payments


def check_cash_payment(amount_raw, receipt_no: str, personal_due: Decimal) -> dict[str, str]:
    """The amount must be the personal due exactly; a cash payment needs its receipt."""
    errors = {}
    try:
        amount = parse_amount(amount_raw, "amount")
    except ValueError:
        errors["amount"] = "缴费金额应为非负金额，最多两位小数"
    else:
        if amount != personal_due:
            errors["amount"] = f"缴费金额须等于个人应缴{personal_due}元，收到{amount}元"
    receipt_no = (receipt_no or "").strip()
    if not receipt_no:
        errors["receipt_no"] = "现金缴费须填写票据号"
    elif len(receipt_no) > 40:
        errors["receipt_no"] = "票据号不能超过40个字符"
    return errors


def request_hash(body: dict) -> str:
    """What a retried request must repeat exactly to get the first answer back (the bank
    import's rows; the hash is core's, the one implementation)."""
    return body_hash(body)


def refund_reason(raw: str) -> tuple[str, str | None]:
    reason = (raw or "").strip()
    if not reason:
        return reason, "退费须填写原因"
    if len(reason) > 200:
        return reason, "退费原因不能超过200个字"
    return reason, None


# ---------------------------------------------------------------- bank rows


@dataclass(frozen=True)
class BankRow:
    row: int  # line number in the file, header counted
    id_number: str
    name: str
    amount: Decimal
    txn_no: str
    paid_on: datetime.date


class RowRejected(ValueError):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


HEADER_WORDS = ("身份证", "证件", "id", "姓名", "name")


def is_header(cells: list) -> bool:
    first = str(cells[0] if cells else "").strip().lower()
    return any(word in first for word in HEADER_WORDS)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A spreadsheet may hold a transaction number as a number.
        return str(int(value))
    return str(value).strip()


def _paid_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _cell_text(value).replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowRejected("paid_date_invalid", f"缴费日期无效：{text or '空'}（应为YYYY-MM-DD）")


def parse_bank_row(row_no: int, cells: list, *, today: datetime.date) -> BankRow:
    """Check one row's own content (no database): five columns, each well formed."""
    cells = list(cells) + [None] * (5 - len(cells))
    raw_id, raw_name, raw_amount, raw_txn, raw_date = cells[:5]
    try:
        parsed = idnumber.parse(_cell_text(raw_id), today=today)
    except idnumber.IDNumberError as exc:
        raise RowRejected(exc.code, exc.message) from None
    name = _cell_text(raw_name)
    if not name:
        raise RowRejected("name_missing", "姓名为空")
    if isinstance(raw_amount, float):
        # openpyxl reads a numeric cell as float; its shortest repr is what was typed.
        raw_amount = repr(raw_amount)
    try:
        amount = parse_amount(_cell_text(raw_amount), "amount")
    except ValueError:
        raise RowRejected("amount_invalid", f"金额无效：{_cell_text(raw_amount) or '空'}") from None
    txn = _cell_text(raw_txn)
    if not txn:
        raise RowRejected("txn_missing", "银行流水号为空")
    if len(txn) > 40:
        raise RowRejected("txn_too_long", "银行流水号超过40个字符")
    paid_on = _paid_date(raw_date)
    if paid_on > today:
        raise RowRejected("paid_date_future", "缴费日期晚于今天")
    return BankRow(row_no, parsed.number, name, amount, txn, paid_on)


# ---------------------------------------------------------------- progress


def reference_date(year: int) -> datetime.date:
    """The day a year's 参保率 counts residents on: 1 January, when the year's cover
    begins (benefits never start before it). Its denominator is the people living that
    day — born on or before it, not dead before it — whatever happened to them since."""
    return datetime.date(year, 1, 1)


def rate(insured: int, residents: int) -> Decimal | None:
    """参保率 in percent with two decimals; None when there is nobody to count."""
    if residents <= 0:
        return None
    return r2(Decimal(insured) * 100 / Decimal(residents))
