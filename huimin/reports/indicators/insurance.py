"""Insurance indicators over enrollment, settlements, the fund ledger and claim review.
Formulas and sources: docs/indicators.md.

Settlements are counted where the insured person lives (`Settlement.region_code`, their
village) and, for the institution breakdown, by the institution that settled them. A
reversal carries the amounts negated, so sums are net; a visit counts +1 when settled
and −1 when reversed. The fund ledger and recoveries belong to the pooling region (the
county): those figures exist at county level only.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from huimin.insurance.enrollment.models import Enrollment, EnrollmentStatus
from huimin.insurance.ledger.models import Posting
from huimin.insurance.models import Settlement, SettlementKind
from huimin.insurance.plan import LEVEL_NAMES
from huimin.policy.scope import prefix_condition
from huimin.reports.indicators.base import (
    AMOUNT,
    AVERAGE,
    COUNT,
    FLOW,
    MONTHS,
    RATE,
    ROLLING_YEAR,
    STOCK,
    ZERO,
    Indicator,
    Leaves,
    Members,
    member_rate,
)
from huimin.reports.indicators.health import residents
from huimin.reports.indicators.registry import register
from huimin.reports.periods import Period
from huimin.review.models import Finding, Recovery

STATS = "国家医疗保障局《医疗保障事业发展统计快报》指标解释"
LEDGER = "社会保险基金会计制度（城乡居民基本医疗保险基金）"
MONEY = DecimalField(max_digits=18, decimal_places=2)
VISIT_TYPE_NAMES = {
    "inpatient": "住院",
    "outpatient_general": "普通门诊",
    "outpatient_chronic": "门诊慢特病",
}
FUND_PAID = F("basic_fund") + F("critical_illness") + F("assistance")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def settled_in(prefix: str, w: Period):
    return Settlement.objects.filter(prefix_condition("region_code", prefix)).filter(
        settled_at__gte=_day_start(w.start), settled_at__lt=_day_start(w.end + dt.timedelta(days=1))
    )


NET_VISITS = Sum(
    Case(
        When(kind=SettlementKind.SETTLE, then=Value(1)),
        When(kind=SettlementKind.REVERSAL, then=Value(-1)),
        default=Value(0),
        output_field=IntegerField(),
    )
)


def _sum(expr):
    return Coalesce(Sum(expr, output_field=MONEY), Value(Decimal(0)), output_field=MONEY)


def _settlement_figures(where: Q, num, den):
    """Leaves by village and by institution of Σnum / Σden over settled rows."""

    def leaves(prefix: str, w: Period) -> Leaves:
        out: Leaves = {}
        for r in (
            settled_in(prefix, w)
            .filter(where)
            .order_by()
            .values("region_code")
            .annotate(n=num, d=den)
        ):
            out[r["region_code"]] = (Decimal(r["n"] or 0), Decimal(r["d"] or 0))
        return out

    def institutions(prefix: str, w: Period):
        out = {}
        qs = (
            settled_in(prefix, w)
            .filter(where)
            .order_by()
            .values("institution_id", "institution__region_id")
            .annotate(n=num, d=den)
        )
        for r in qs:
            out[r["institution_id"]] = (
                r["institution__region_id"],
                Decimal(r["n"] or 0),
                Decimal(r["d"] or 0),
            )
        return out

    return leaves, institutions


def _settlement_indicator(code, name, unit, where, num, den, num_text, den_text, source, **kw):
    leaves, institutions = _settlement_figures(where, num, den)
    return Indicator(
        code=code,
        name=name,
        unit=unit,
        period_kind=kw.pop("kind", FLOW),
        numerator_text=num_text,
        denominator_text=den_text,
        source=source,
        group="insurance",
        leaves=leaves,
        institutions=institutions,
        **kw,
    )


# ------------------------------------------------------------------ enrollment


def _enrolled(prefix: str, w: Period) -> Members:
    den = residents(prefix, w.end)
    paid = Enrollment.objects.filter(
        person_id=OuterRef("pk"), year=w.end.year, status=EnrollmentStatus.PAID
    )
    return Members(den, den.filter(Exists(paid)), "village_id", "pk", "person")


def _admission_rate(prefix: str, w: Period) -> Leaves:
    out: Leaves = {}
    insured = (
        Enrollment.objects.filter(prefix_condition("region_code", prefix))
        .filter(year=w.end.year, status=EnrollmentStatus.PAID)
        .order_by()
        .values("region_code")
        .annotate(n=Sum(Value(1)))
    )
    for r in insured:
        out[r["region_code"]] = (ZERO, Decimal(r["n"]))
    admissions = (
        settled_in(prefix, w)
        .filter(visit_type="inpatient")
        .order_by()
        .values("region_code")
        .annotate(n=NET_VISITS)
    )
    for r in admissions:
        _, d = out.get(r["region_code"], (ZERO, ZERO))
        out[r["region_code"]] = (Decimal(r["n"] or 0), d)
    return out


# ------------------------------------------------------------------ ledger


def _ledger_sums(
    prefix: str, until: dt.date, since: dt.date | None, codes: tuple[str, ...], credit_side: bool
):
    """Σ over fund postings to `codes` in the ledgers under `prefix`, by the ledger's
    region: credits − debits for income accounts, debits − credits for expenses."""
    qs = Posting.objects.filter(
        prefix_condition("account__region_code", prefix),
        account__code__in=codes,
        entry__posted_at__lt=_day_start(until + dt.timedelta(days=1)),
    )
    if since is not None:
        qs = qs.filter(entry__posted_at__gte=_day_start(since))
    sign = (F("credit") - F("debit")) if credit_side else (F("debit") - F("credit"))
    return {
        r["account__region_code"]: Decimal(r["v"])
        for r in qs.order_by().values("account__region_code").annotate(v=_sum(sign))
    }


INCOME = ("4101", "4102", "4103")
SPENDING = ("5101", "5102", "5103")


def _ledger_flow(codes, credit_side):
    def leaves(prefix: str, w: Period) -> Leaves:
        sums = _ledger_sums(prefix, w.end, w.start, codes, credit_side)
        return {code: (v, Decimal(1)) for code, v in sums.items()}

    return leaves


def _balance(prefix: str, w: Period) -> Leaves:
    income = _ledger_sums(prefix, w.end, None, INCOME, True)
    spent = _ledger_sums(prefix, w.end, None, SPENDING, False)
    return {
        c: (income.get(c, ZERO) - spent.get(c, ZERO), Decimal(1))
        for c in income.keys() | spent.keys()
    }


def _balance_months(prefix: str, w: Period) -> Leaves:
    """Balance ÷ the average month of spending over the twelve months to the end."""
    balance = _balance(prefix, w)
    year = w.twelve_months_to_end()
    spent = _ledger_sums(prefix, year.end, year.start, SPENDING, False)
    return {
        c: (balance.get(c, (ZERO, 0))[0], (spent.get(c, ZERO) / 12).quantize(Decimal("0.01")))
        for c in balance.keys() | spent.keys()
    }


# ------------------------------------------------------------------ claim review


def _findings(prefix: str, w: Period) -> Leaves:
    qs = (
        Finding.objects.filter(prefix_condition("region_code", prefix))
        .filter(service_date__gte=w.start, service_date__lte=w.end)
        .order_by()
        .values("region_code")
        .annotate(n=Sum(Value(1)))
    )
    return {r["region_code"]: (Decimal(r["n"]), Decimal(1)) for r in qs}


def _recovered(prefix: str, w: Period) -> Leaves:
    qs = (
        Recovery.objects.filter(prefix_condition("region_code", prefix))
        .filter(cancelled_at__isnull=True)
        .filter(
            posted_at__gte=_day_start(w.start),
            posted_at__lt=_day_start(w.end + dt.timedelta(days=1)),
        )
        .order_by()
        .values("region_code")
        .annotate(v=_sum("amount"))
    )
    return {r["region_code"]: (Decimal(r["v"]), Decimal(1)) for r in qs}


def _amount(code, name, leaves, num_text, source, unit=AMOUNT, **kw):
    return Indicator(
        code=code,
        name=name,
        unit=unit,
        period_kind=kw.pop("kind", FLOW),
        numerator_text=num_text,
        denominator_text="—",
        source=source,
        group="insurance",
        leaves=leaves,
        **kw,
    )


COUNTY_ONLY = ("county",)
ALL = Q()

INDICATORS = [
    Indicator(
        code="ins.enrollment",
        name="参保率",
        unit=RATE,
        period_kind=STOCK,
        numerator_text="期末常住居民中已缴费参加当年城乡居民医保的人数",
        denominator_text="期末辖区常住居民人数（应参保人数；职工医保参保人未扣除）",
        source=f"{STATS}（基本医疗保险参保率）",
        group="insurance",
        leaves=member_rate(_enrolled),
        members=_enrolled,
        target=Decimal("0.95"),
        list_permission="person.read",
    ),
    _settlement_indicator(
        "ins.spend.total",
        "基金支出（三重保障合计）",
        AMOUNT,
        ALL,
        _sum(FUND_PAID),
        Sum(Value(1)),
        "期间内结算的基本医保统筹、大病保险与医疗救助支付合计（冲正为负）",
        "—",
        STATS,
    ),
    _settlement_indicator(
        "ins.spend.basic",
        "基本医保统筹基金支出",
        AMOUNT,
        ALL,
        _sum("basic_fund"),
        Sum(Value(1)),
        "期间内结算的基本医保统筹支付（冲正为负）",
        "—",
        STATS,
    ),
    _settlement_indicator(
        "ins.spend.critical",
        "大病保险支出",
        AMOUNT,
        ALL,
        _sum("critical_illness"),
        Sum(Value(1)),
        "期间内结算的大病保险支付（冲正为负）",
        "—",
        STATS,
    ),
    _settlement_indicator(
        "ins.spend.assistance",
        "医疗救助支出",
        AMOUNT,
        ALL,
        _sum("assistance"),
        Sum(Value(1)),
        "期间内结算的医疗救助支付（冲正为负）",
        "—",
        STATS,
    ),
    _settlement_indicator(
        "ins.policy_ratio",
        "政策范围内报销比例",
        RATE,
        ALL,
        _sum("basic_fund"),
        _sum("eligible"),
        "期间内基本医保统筹基金支付",
        "期间内政策范围内费用",
        f"{STATS}（政策范围内基金支付比例）",
        target=Decimal("0.70"),
    ),
    _settlement_indicator(
        "ins.actual_ratio",
        "实际报销比例",
        RATE,
        ALL,
        _sum(FUND_PAID),
        _sum("total"),
        "期间内基本医保、大病保险与医疗救助支付合计",
        "期间内医疗费用总额",
        f"{STATS}（实际报销比例）",
        target=Decimal("0.55"),
    ),
    _settlement_indicator(
        "ins.out_of_area",
        "县域外就医费用占比",
        RATE,
        ALL,
        Coalesce(
            Sum("total", filter=Q(visit__institution_level="out_of_area"), output_field=MONEY),
            Value(Decimal(0)),
            output_field=MONEY,
        ),
        _sum("total"),
        "期间内异地（统筹区外）就医的医疗费用总额",
        "期间内医疗费用总额",
        STATS,
        target=Decimal("0.10"),
        higher_is_better=False,
    ),
    Indicator(
        code="ins.admission_rate",
        name="住院率",
        unit=RATE,
        period_kind=ROLLING_YEAR,
        numerator_text="截至期末12个月内的住院结算人次（冲正扣减）",
        denominator_text="当年已缴费参保人数",
        source=f"{STATS}（住院率）",
        group="insurance",
        leaves=_admission_rate,
        higher_is_better=False,
        tags=("not_subset",),
    ),
    _amount(
        "ins.income",
        "基金收入",
        _ledger_flow(INCOME, True),
        "期间内记入个人缴费、财政补助、医疗救助资助参保收入科目的金额",
        LEDGER,
        levels=COUNTY_ONLY,
    ),
    _amount(
        "ins.income.individual",
        "个人缴费收入",
        _ledger_flow(("4101",), True),
        "期间内个人缴费收入",
        LEDGER,
        levels=COUNTY_ONLY,
    ),
    _amount(
        "ins.income.subsidy",
        "财政补助收入",
        _ledger_flow(("4102",), True),
        "期间内财政补助收入",
        LEDGER,
        levels=COUNTY_ONLY,
    ),
    _amount(
        "ins.income.assistance",
        "医疗救助资助参保收入",
        _ledger_flow(("4103",), True),
        "期间内医疗救助资助参保收入",
        LEDGER,
        levels=COUNTY_ONLY,
    ),
    _amount(
        "ins.balance",
        "基金累计结余",
        _balance,
        "期末累计收入（41xx）减累计待遇支出（51xx）",
        LEDGER,
        kind=STOCK,
        levels=COUNTY_ONLY,
    ),
    Indicator(
        code="ins.balance_months",
        name="累计结余可支付月数",
        unit=MONTHS,
        period_kind=STOCK,
        numerator_text="期末基金累计结余",
        denominator_text="截至期末12个月的月均待遇支出",
        source=f"{LEDGER}；国家医保局基金运行分析（累计结余可支付月数）",
        group="insurance",
        leaves=_balance_months,
        levels=COUNTY_ONLY,
        target=Decimal("6"),
        tags=("not_subset",),
    ),
    _amount(
        "review.findings",
        "审核疑点数",
        _findings,
        "期间内就诊的审核疑点条数（规则触发）",
        "huimin/review 规则库（docs/review.md）",
        unit=COUNT,
        higher_is_better=False,
    ),
    _amount(
        "review.recovered",
        "追回金额",
        _recovered,
        "期间内确认追回且未因申诉撤销的金额",
        "huimin/review 审核处理与追回（docs/review.md）",
        levels=COUNTY_ONLY,
    ),
]

for _level, _lname in LEVEL_NAMES.items():
    INDICATORS.append(
        _settlement_indicator(
            f"ins.spend.level.{_level}",
            f"基金支出（{_lname}机构）",
            AMOUNT,
            Q(visit__institution_level=_level),
            _sum(FUND_PAID),
            Sum(Value(1)),
            f"期间内在{_lname}机构结算的三重保障支付合计",
            "—",
            STATS,
        )
    )
    for _vt, _avg, _vname in (
        ("inpatient", "ins.avg_admission", "次均住院费用"),
        ("outpatient_general", "ins.avg_outpatient", "次均门诊费用"),
    ):
        INDICATORS.append(
            _settlement_indicator(
                f"{_avg}.{_level}",
                f"{_vname}（{_lname}）",
                AVERAGE,
                Q(visit_type=_vt, visit__institution_level=_level),
                _sum("total"),
                NET_VISITS,
                f"期间内{_lname}机构{VISIT_TYPE_NAMES[_vt]}医疗费用总额",
                f"期间内{_lname}机构{VISIT_TYPE_NAMES[_vt]}人次（冲正扣减）",
                f"{STATS}（次均费用）",
                higher_is_better=False,
                tags=("not_subset",),
            )
        )
for _vt, _vname in VISIT_TYPE_NAMES.items():
    INDICATORS.append(
        _settlement_indicator(
            f"ins.spend.type.{_vt}",
            f"基金支出（{_vname}）",
            AMOUNT,
            Q(visit_type=_vt),
            _sum(FUND_PAID),
            Sum(Value(1)),
            f"期间内{_vname}结算的三重保障支付合计",
            "—",
            STATS,
        )
    )

register(*INDICATORS)
