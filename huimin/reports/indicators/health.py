"""Basic public-health indicators over the health records (国家基本公共卫生服务规范
（第三版）, the assessment's indicator list). Formulas and sources: docs/indicators.md."""

from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from huimin.policy.scope import prefix_condition
from huimin.records.models import HealthRecord, RecordStatus
from huimin.registry.models import Person, PersonStatus
from huimin.reports.indicators.base import (
    RATE,
    STOCK,
    Indicator,
    Members,
    member_rate,
)
from huimin.reports.indicators.registry import register
from huimin.reports.periods import Period

SPEC = "国家基本公共卫生服务规范（第三版）"


def residents(prefix: str, on):
    """常住居民 on a day: in the registry, not merged away, born by and alive on it."""
    return (
        Person.objects.filter(prefix_condition("village_id", prefix))
        .filter(status=PersonStatus.ACTIVE, birth_date__lte=on)
        .filter(Q(death_date__isnull=True) | Q(death_date__gt=on))
    )


def records_in_force(prefix: str, on):
    """Records open on a day: opened by it, not closed or destroyed before it."""
    return (
        HealthRecord.objects.filter(prefix_condition("region_code", prefix))
        .filter(opened_on__lte=on)
        .exclude(status=RecordStatus.DESTROYED)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
    )


def _record_building(prefix: str, period: Period) -> Members:
    den = residents(prefix, period.end)
    has_record = records_in_force("", period.end).filter(person_id=OuterRef("pk"))
    return Members(
        denominator=den,
        numerator=den.filter(Exists(has_record)),
        region_field="village_id",
        person_field="pk",
        subject="person",
    )


RECORD_BUILDING = Indicator(
    code="record.building",
    name="居民电子健康档案建档率",
    unit=RATE,
    period_kind=STOCK,
    numerator_text="期末建立电子健康档案（未结案、未销毁）的常住居民人数",
    denominator_text="期末辖区常住居民人数",
    source=f"{SPEC}·居民健康档案管理服务规范·工作指标",
    group="health",
    leaves=member_rate(_record_building),
    members=_record_building,
    target=Decimal("0.90"),
)

register(RECORD_BUILDING)
