"""Catalog API (1312 目录查询, 1318 限价查询, 1319 先行自付比例查询): thin handlers."""

import datetime
from typing import Literal

from django.conf import settings
from ninja import Field, Path, Query, Router

from huimin.access.auth import InstitutionBearer
from huimin.core.schemas import ERRORS, Schema
from huimin.insurance.catalog import rules, services
from huimin.insurance.catalog.models import CatalogVersion
from huimin.policy import api_requires, check_perm

# Staff read the catalog with their session; institutions' systems (HIS) with a token
# holding the catalog.read scope, for the national 1312/1318/1319 queries.
router = Router(
    tags=["catalog"],
    auth=[
        InstitutionBearer(scopes=["catalog.read"], optional=True),
        api_requires("catalog.read", "无权查询医保目录"),
    ],
)

MAX_LIMIT = 200
CodePath = Field(..., min_length=1, max_length=40, description="医保目录编码")
OnField = Field(None, description="查询日期YYYY-MM-DD，默认今天：返回该日有效的版本")


class Restrictions(Schema):
    sex: Literal["", "1", "2"] = Field(..., description="限性别：1男 2女，空为不限")
    age_min: int | None
    age_max: int | None
    institution_levels: list[str] = Field(..., description="限医院等级，空为不限")
    max_quantity_per_day: str | None
    restricted_use: str


class VersionOut(Schema):
    code: str
    kind: str
    name: str
    pinyin: str
    item_class: Literal["A", "B", "C"]
    unit: str
    ceiling: str | None = Field(..., description="最高支付标准（单价，元），空为不限价")
    b_self_ratio: str | None = Field(..., description="本项目的乙类自付比例，空为按结算方案")
    restrictions: Restrictions
    effective_from: datetime.date
    effective_to: datetime.date | None


class ItemPage(Schema):
    on: datetime.date
    items: list[VersionOut]
    next_offset: int | None


class ItemFilter(Schema):
    q: str | None = Field(None, max_length=50, description="编码前缀、名称或拼音首字母")
    kind: Literal["drug", "service", "consumable"] | None = None
    item_class: Literal["A", "B", "C"] | None = None
    on: datetime.date | None = OnField
    limit: int | None = Field(None, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10_000_000)


class OnFilter(Schema):
    on: datetime.date | None = OnField


class CodeParam(Schema):
    code: str = CodePath


class CeilingOut(Schema):
    code: str
    name: str
    on: datetime.date
    item_class: Literal["A", "B", "C"]
    unit: str
    ceiling: str | None = Field(..., description="最高支付标准（单价，元），空为不限价")
    effective_from: datetime.date
    effective_to: datetime.date | None


class SelfPayOut(Schema):
    code: str
    name: str
    on: datetime.date
    item_class: Literal["A", "B", "C"]
    self_pay_ratio: str | None = Field(
        ..., description="先行自付比例：甲类0，丙类1，乙类为本项目比例；空为按结算方案"
    )
    ratio_source: Literal["class", "item", "plan"]


def _check_read(request) -> None:
    if getattr(request, "auth_institution", None) is not None:
        return  # a machine token with the catalog.read scope (checked by InstitutionBearer)
    check_perm(request.user, "catalog.read", message="无权查询医保目录")


def version_out(v: CatalogVersion) -> dict:
    return {
        "code": v.item.code,
        "kind": v.item.kind,
        "name": v.name,
        "pinyin": v.pinyin,
        "item_class": v.item_class,
        "unit": v.unit,
        "ceiling": rules.price_text(v.ceiling),
        "b_self_ratio": rules.price_text(v.b_self_ratio),
        "restrictions": {
            "sex": v.sex,
            "age_min": v.age_min,
            "age_max": v.age_max,
            "institution_levels": list(v.allowed_levels),
            "max_quantity_per_day": rules.plain(v.max_quantity_per_day) or None,
            "restricted_use": v.restricted_use,
        },
        "effective_from": v.effective_from,
        "effective_to": v.effective_to,
    }


@router.get("/items", response={200: ItemPage, **ERRORS}, summary="目录查询（1312）")
def list_items(request, filters: Query[ItemFilter]):
    _check_read(request)
    on = filters.on or services.today()
    limit = filters.limit or settings.HUIMIN_PAGE_SIZE
    qs = services.search(
        filters.q or "", on=on, kind=filters.kind or "", item_class=filters.item_class or ""
    )
    rows = list(qs[filters.offset : filters.offset + limit + 1])
    more = len(rows) > limit
    return {
        "on": on,
        "items": [version_out(v) for v in rows[:limit]],
        "next_offset": filters.offset + limit if more else None,
    }


@router.get("/items/{code}", response={200: VersionOut, **ERRORS}, summary="目录项目详情")
def get_item(request, path: Path[CodeParam], filters: Query[OnFilter]):
    _check_read(request)
    return version_out(services.item_in_force(path.code, filters.on or services.today()))


@router.get(
    "/items/{code}/ceiling", response={200: CeilingOut, **ERRORS}, summary="限价查询（1318）"
)
def get_ceiling(request, path: Path[CodeParam], filters: Query[OnFilter]):
    _check_read(request)
    on = filters.on or services.today()
    v = services.item_in_force(path.code, on)
    return {
        "code": v.item.code,
        "name": v.name,
        "on": on,
        "item_class": v.item_class,
        "unit": v.unit,
        "ceiling": rules.price_text(v.ceiling),
        "effective_from": v.effective_from,
        "effective_to": v.effective_to,
    }


@router.get(
    "/items/{code}/self-pay",
    response={200: SelfPayOut, **ERRORS},
    summary="先行自付比例查询（1319）",
)
def get_self_pay(request, path: Path[CodeParam], filters: Query[OnFilter]):
    _check_read(request)
    on = filters.on or services.today()
    v = services.item_in_force(path.code, on)
    if v.item_class == "B":
        ratio = rules.price_text(v.b_self_ratio)
        source = "item" if ratio is not None else "plan"
    else:
        ratio, source = ("0.00" if v.item_class == "A" else "1.00"), "class"
    return {
        "code": v.item.code,
        "name": v.name,
        "on": on,
        "item_class": v.item_class,
        "self_pay_ratio": ratio,
        "ratio_source": source,
    }
