"""Enrollment periods: one per region and year, contributions from the region's plan."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction

from huimin.audit.services import record
from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.insurance import plans
from huimin.insurance.enrollment import rules
from huimin.insurance.enrollment.models import EnrollmentPeriod
from huimin.insurance.enrollment.services.access import check_period_manager
from huimin.policy import jurisdiction_of
from huimin.registry.models import Region

# ---------------------------------------------------------------- periods


def period_for(region_code: str, year: int) -> EnrollmentPeriod | None:
    """The period of the pooling region containing `region_code` (longest prefix wins)."""
    prefixes = sorted({region_code[:n] for n in (2, 4, 6, 9, 12) if len(region_code) >= n})
    candidates = EnrollmentPeriod.objects.filter(region_code__in=prefixes, year=year)
    return max(candidates, key=lambda p: len(p.region_code), default=None)


def plan_contribution(region_code: str, year: int):
    """(Contribution, source) from the region's active plan for the year, or (None, "")."""
    row = plans.active_plan_for(region_code, year)
    if row is None:
        return None, ""
    return plans.parsed(row).contribution, f"结算方案：{row.name}"[:120]


@dataclass
class PeriodData:
    region_code: str
    year: int | None
    opens_on: datetime.date | None
    closes_on: datetime.date | None
    waiting_days: int | None = 90
    # Left empty, these are copied from the region's active plan for the year.
    individual: str | None = None
    subsidy: str | None = None
    shares: dict[str, str] = field(default_factory=dict)


@dataclass
class PeriodValues:
    individual: Decimal
    subsidy: Decimal
    shares: dict[str, str]
    source: str


def check_period(user, data: PeriodData) -> PeriodValues:
    check_period_manager(user, data.region_code)
    errors = rules.check_period(
        rules.PeriodInput(
            data.region_code, data.year, data.opens_on, data.closes_on, data.waiting_days
        )
    )
    if (
        "region_code" not in errors
        and not Region.objects.filter(code=data.region_code, level="county").exists()
    ):
        errors["region_code"] = "统筹区代码不存在或不是县级区划"
    individual = rules.read_amount(data.individual, "individual", errors, "个人缴费标准")
    subsidy = rules.read_amount(data.subsidy, "subsidy", errors, "财政补助标准")
    shares = {}
    for code, raw in (data.shares or {}).items():
        share = rules.read_share(raw, f"shares.{code}", errors, "医疗救助资助比例")
        if share is not None:
            shares[code] = share
    source = "经办人员录入"
    if individual is None or subsidy is None:
        contribution, plan_source = (None, "")
        if "year" not in errors and "region_code" not in errors:
            contribution, plan_source = plan_contribution(data.region_code, data.year)
        if contribution is None:
            missing = "该统筹区当年没有含缴费标准的生效结算方案，请填写"
            if individual is None:
                errors.setdefault("individual", missing + "个人缴费标准")
            if subsidy is None:
                errors.setdefault("subsidy", missing + "财政补助标准")
        else:
            individual = contribution.individual if individual is None else individual
            subsidy = contribution.subsidy if subsidy is None else subsidy
            shares = {**contribution.individual_paid_by_assistance, **shares}
            source = plan_source
    if errors:
        raise ValidationFailed(errors)
    return PeriodValues(individual, subsidy, {k: str(v) for k, v in shares.items()}, source)


def do_create_period(user, data: PeriodData, *, request=None) -> EnrollmentPeriod:
    values = check_period(user, data)
    try:
        with transaction.atomic():
            period = EnrollmentPeriod.objects.create(
                region_code=data.region_code,
                year=data.year,
                opens_on=data.opens_on,
                closes_on=data.closes_on,
                waiting_days=data.waiting_days,
                individual=values.individual,
                subsidy=values.subsidy,
                assistance_shares=values.shares,
                source=values.source,
                created_by=user,
            )
            record(
                action="create",
                object_type="enrollment.period",
                object_id=str(period.pk),
                region_code=period.region_code,
                fields=["opens_on", "closes_on", "waiting_days", "individual", "subsidy"],
                actor=user,
                request=request,
            )
            return period
    except IntegrityError:
        raise Conflict(
            "period_exists",
            f"{data.region_code} 的{data.year}年度参保登记期已存在，请修改原记录",
            {"year": "该年度已设置参保登记期"},
        ) from None


def do_update_period(
    user,
    period_id: int,
    opens_on: datetime.date | None,
    closes_on: datetime.date | None,
    waiting_days: int | None,
    *,
    request=None,
) -> EnrollmentPeriod:
    """Dates and waiting period only: amounts are fixed once people owe them."""
    with transaction.atomic():
        period = EnrollmentPeriod.objects.select_for_update().filter(pk=period_id).first()
        if period is None or jurisdiction_of(user) is None:
            raise NotFound("参保登记期")
        check_period_manager(user, period.region_code)
        errors = rules.check_period(
            rules.PeriodInput(period.region_code, period.year, opens_on, closes_on, waiting_days)
        )
        if errors:
            raise ValidationFailed(errors)
        changes = {
            name: [str(getattr(period, name)), str(value)]
            for name, value in (
                ("opens_on", opens_on),
                ("closes_on", closes_on),
                ("waiting_days", waiting_days),
            )
            if getattr(period, name) != value
        }
        period.opens_on, period.closes_on, period.waiting_days = opens_on, closes_on, waiting_days
        period.save(update_fields=["opens_on", "closes_on", "waiting_days", "updated_at"])
        record(
            action="update",
            object_type="enrollment.period",
            object_id=str(period.pk),
            region_code=period.region_code,
            changes=changes,
            actor=user,
            request=request,
        )
        return period
