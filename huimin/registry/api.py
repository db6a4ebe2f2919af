"""Registry API: thin handlers — parse typed input, call one service, return a schema."""

import datetime
from typing import Literal

from django.conf import settings
from django.utils import timezone
from ninja import Field, Query, Router, Status

from huimin.core import idnumber
from huimin.core.codes import RELATIONS
from huimin.core.errors import NotFound
from huimin.core.schemas import ERRORS, Schema
from huimin.policy import api_logged_in, api_requires, reads
from huimin.registry import queries, rules, services
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Institution,
    Person,
    Region,
)

router = Router(tags=["registry"])

MAX_LIMIT = 200
Limit = Field(None, ge=1, le=MAX_LIMIT, description="每页条数，默认为系统设置，最多200")
Offset = Field(0, ge=0, le=10_000_000)


def _limit(value: int | None) -> int:
    return value or settings.HUIMIN_PAGE_SIZE


# ---------------------------------------------------------------- regions


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    in_force: bool


class RegionPage(Schema):
    items: list[RegionOut]
    next_offset: int | None


class RegionFilter(Schema):
    parent: str | None = Field(None, max_length=12, description="上级区划代码")
    level: Literal["province", "city", "county", "township", "village"] | None = None
    q: str | None = Field(None, max_length=60, description="代码前缀或名称")
    limit: int | None = Limit
    offset: int = Offset


def _region(r: Region) -> dict:
    return {
        "code": r.code,
        "name": r.name,
        "level": r.level,
        "parent_code": r.parent_id,
        "in_force": r.in_force,
    }


@router.get(
    "/regions", auth=api_logged_in(), response={200: RegionPage, **ERRORS}, summary="行政区划列表"
)
def list_regions(request, filters: Query[RegionFilter]):
    qs = Region.objects.all()
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.q:
        qs = (
            qs.filter(code__startswith=filters.q)
            if filters.q.isdigit()
            else qs.filter(name__contains=filters.q)
        )
    items, nxt = queries.page(qs.order_by("code"), filters.offset, _limit(filters.limit))
    return {"items": [_region(r) for r in items], "next_offset": nxt}


@router.get(
    "/regions/{code}", auth=api_logged_in(), response={200: RegionOut, **ERRORS}, summary="行政区划"
)
def get_region(request, code: str):
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound("行政区划")
    return _region(region)


# ---------------------------------------------------------------- institutions


class InstitutionOut(Schema):
    id: int
    name: str
    insurance_code: str
    credit_code: str
    kind: str
    level: str
    region_code: str
    parent_id: int | None
    designation_status: str
    designated_from: datetime.date | None
    designated_to: datetime.date | None
    address: str


class InstitutionPage(Schema):
    items: list[InstitutionOut]
    next_offset: int | None


class InstitutionFilter(Schema):
    region: str | None = Field(None, max_length=12, description="区划代码前缀")
    kind: str | None = Field(None, max_length=30)
    q: str | None = Field(None, max_length=100, description="名称或医保机构编码")
    limit: int | None = Limit
    offset: int = Offset


class InstitutionIn(Schema):
    name: str = Field(..., max_length=200)
    insurance_code: str = Field(..., max_length=40)
    credit_code: str = Field(..., max_length=40)
    kind: str = Field(..., max_length=40)
    level: str = Field("", max_length=2)
    region_code: str = Field(..., max_length=12)
    parent_id: int | None = Field(None, ge=1, le=2**62)
    designation_status: str = Field("pending", max_length=20)
    designated_from: datetime.date | None = None
    designated_to: datetime.date | None = None
    address: str = Field("", max_length=200)


def _institution(i: Institution) -> dict:
    fields = [
        "id",
        "name",
        "insurance_code",
        "credit_code",
        "kind",
        "level",
        "parent_id",
        "designation_status",
        "designated_from",
        "designated_to",
        "address",
    ]
    return {**{f: getattr(i, f) for f in fields}, "region_code": i.region_id}


@router.get(
    "/institutions",
    auth=api_logged_in(),
    response={200: InstitutionPage, **ERRORS},
    summary="医疗机构列表",
)
def list_institutions(request, filters: Query[InstitutionFilter]):
    qs = Institution.objects.visible_to(request.user)
    if filters.region:
        qs = qs.within(filters.region)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(insurance_code=q) if q.startswith("H") else qs.filter(name__contains=q)
    items, nxt = queries.page(qs, filters.offset, _limit(filters.limit))
    return {"items": [_institution(i) for i in items], "next_offset": nxt}


@router.get(
    "/institutions/{int:institution_id}",
    auth=api_logged_in(),
    response={200: InstitutionOut, **ERRORS},
    summary="医疗机构",
)
def get_institution(request, institution_id: int):
    inst = Institution.objects.visible_to(request.user).filter(pk=institution_id).first()
    if inst is None:
        raise NotFound("医疗机构")
    return _institution(inst)


@router.post(
    "/institutions",
    auth=api_requires("institution.write"),
    response={201: InstitutionOut, **ERRORS},
    summary="登记医疗机构",
)
def create_institution(request, payload: InstitutionIn):
    data = services.InstitutionData(**payload.dict())
    return Status(201, _institution(services.do_create_institution(request.user, data)))


# ---------------------------------------------------------------- people


class CategoryOut(Schema):
    category: str
    valid_from: datetime.date
    valid_to: datetime.date | None


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    # Not the birth date: the masked number hides exactly those digits (DESIGN §6).
    age: int = Field(description="周岁（已故者为享年）；与脱敏身份证号并列时不给出生日期")
    id_number: str = Field(description="脱敏后的身份证号码")
    ethnicity: str
    phone: str = Field(description="脱敏后的电话")
    ss_card: str = Field(description="脱敏后的社会保障卡卡号（未登记为空）")
    village_code: str
    resident_type: str
    death_date: datetime.date | None
    status: str
    merged_into_id: int | None


class PersonDetailOut(PersonOut):
    categories: list[CategoryOut]
    household_id: int | None
    relation: str | None


class PersonPage(Schema):
    items: list[PersonOut]
    next_offset: int | None


class PersonFilter(Schema):
    q: str | None = Field(
        None, max_length=50, description="身份证号码、户编号、拼音首字母/全拼或姓名前缀"
    )
    region: str | None = Field(None, max_length=12, description="区划代码前缀")
    sex: Literal["1", "2"] | None = None
    category: Literal["tekun", "dibao", "poverty_monitoring", "disabled"] | None = None
    alive: bool | None = None
    limit: int | None = Limit
    offset: int = Offset


class PersonIn(Schema):
    name: str = Field(..., max_length=200, description="姓名，不超过50字")
    id_number: str = Field(..., max_length=40, description="18位公民身份号码")
    village_code: str = Field(..., max_length=20, description="居住村（居）12位区划代码")
    sex: str | None = Field(None, max_length=2, description="1男 2女；须与身份证号码一致")
    birth_date: datetime.date | None = Field(None, description="须与身份证号码一致")
    ethnicity: str = Field("01", max_length=4)
    phone: str = Field("", max_length=30)
    resident_type: str = Field("huji", max_length=20)
    ss_card: str | None = Field(
        None, max_length=20, description="社会保障卡卡号（9位）；缺省不改，空字符串清除"
    )


def _person_data(payload: PersonIn) -> services.PersonData:
    return services.PersonData(**payload.dict())


def _person(p: Person) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "sex": p.sex,
        "age": idnumber.age_beside_mask(p.birth_date, p.death_date or timezone.localdate()),
        "id_number": p.id_number_masked,
        "ethnicity": p.ethnicity,
        "phone": p.phone_masked,
        "ss_card": p.ss_card_masked,
        "village_code": p.village_id,
        "resident_type": p.resident_type,
        "death_date": p.death_date,
        "status": p.status,
        "merged_into_id": p.merged_into_id,
    }


def _person_detail(person: Person) -> dict:
    out = _person(person)
    out["categories"] = list(person.categories.all())
    current = person.memberships.filter(left_on__isnull=True).first()
    out["household_id"] = current.household_id if current else None
    out["relation"] = current.relation if current else None
    return out


@router.get(
    "/people",
    auth=api_requires("person.read"),
    response={200: PersonPage, **ERRORS},
    summary="居民列表与检索",
    description="按身份证号码检索请用 POST /people/search：号码不能放在网址中（422）。",
)
def list_people(request, filters: Query[PersonFilter]):
    return _people_page(request, filters)


@router.post(
    "/people/search",
    auth=api_requires("person.read"),
    response={200: PersonPage, **ERRORS},
    summary="居民检索（按身份证号码等，条件放在请求体中）",
)
def search_people(request, filters: PersonFilter):
    return _people_page(request, filters)


def _people_page(request, filters: PersonFilter):
    services.check_can_read_people(request.user)
    qs = Person.objects.visible_to(request.user)
    qs = queries.search_people(qs, filters.q or "")
    qs = queries.filter_people(
        qs,
        region=filters.region or "",
        sex=filters.sex or "",
        category=filters.category or "",
        alive=filters.alive,
    )
    items, nxt = queries.page(
        qs.order_by("village_id", "id"), filters.offset, _limit(filters.limit)
    )
    kind = rules.search_kind(filters.q) if filters.q else "list"
    services.audit_search(request.user, "registry.person", items, kind, request=request)
    return {"items": [_person(p) for p in items], "next_offset": nxt}


def _purpose(request) -> str:
    return request.headers.get("X-Huimin-Purpose", "")[:200]


@router.get(
    "/people/{int:person_id}",
    auth=api_requires("person.read"),
    response={200: PersonDetailOut, **ERRORS},
    summary="居民",
)
def get_person(request, person_id: int):
    person = services.read_person(
        request.user, person_id, request=request, purpose=_purpose(request)
    )
    return _person_detail(person)


def _unmask_refused(request) -> None:
    # A refused unmask with a purpose is recorded (the alert rules count refused reads):
    # the service writes that record and answers with its own refusal.
    purpose = request.GET.get("purpose", "")
    if purpose.strip():
        person_id = request.resolver_match.kwargs["person_id"]
        services.reveal_id_number(request.user, person_id, purpose[:200], request=request)


class IdNumberOut(Schema):
    id_number: str


@router.get(
    "/people/{int:person_id}/id-number",
    auth=api_requires("person.unmask_id", refused=_unmask_refused),
    response={200: IdNumberOut, **ERRORS},
    summary="查看完整身份证号码（须有权限并说明用途，留痕）",
)
def reveal_id_number(request, person_id: int, purpose: str = Query(..., max_length=200)):
    return {
        "id_number": services.reveal_id_number(request.user, person_id, purpose, request=request)
    }


@router.post(
    "/people",
    auth=api_requires("registry.write"),
    response={201: PersonDetailOut, **ERRORS},
    summary="登记居民",
)
def create_person(request, payload: PersonIn):
    person = services.do_create_person(request.user, _person_data(payload))
    return Status(201, _person_detail(person))


@router.put(
    "/people/{int:person_id}",
    auth=api_requires("registry.write"),
    response={200: PersonDetailOut, **ERRORS},
    summary="修改居民",
)
def update_person(request, person_id: int, payload: PersonIn):
    person = services.do_update_person(request.user, person_id, _person_data(payload))
    return _person_detail(person)


class DeathIn(Schema):
    death_date: datetime.date


@router.post(
    "/people/{int:person_id}/death",
    auth=api_requires("registry.write"),
    response={200: PersonDetailOut, **ERRORS},
    summary="登记死亡",
)
def record_death(request, person_id: int, payload: DeathIn):
    person = services.do_record_death(request.user, person_id, payload.death_date)
    return _person_detail(person)


class CategoryIn(Schema):
    category: str = Field(..., max_length=30)
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    note: str = Field("", max_length=200)


@router.post(
    "/people/{int:person_id}/categories",
    auth=api_requires("registry.write"),
    response={201: CategoryOut, **ERRORS},
    summary="登记特殊人员类别",
)
def add_category(request, person_id: int, payload: CategoryIn):
    category = services.do_add_category(
        request.user,
        person_id,
        payload.category,
        payload.valid_from,
        payload.valid_to,
        payload.note,
    )
    return Status(201, category)


# ---------------------------------------------------------------- households


class MemberOut(Schema):
    person_id: int
    name: str
    id_number: str
    relation: str
    relation_name: str
    joined_on: datetime.date
    left_on: datetime.date | None


class HouseholdOut(Schema):
    id: int
    number: str
    village_code: str
    address: str
    head_id: int | None


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut]
    former_members: list[MemberOut]


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_offset: int | None


class HouseholdFilter(Schema):
    q: str | None = Field(None, max_length=50, description="户编号前缀或户主姓名/拼音")
    region: str | None = Field(None, max_length=12, description="区划代码前缀")
    limit: int | None = Limit
    offset: int = Offset


class MemberIn(Schema):
    person_id: int = Field(..., ge=1, le=2**62)
    relation: str = Field(..., max_length=4, description="GB/T 4761 与户主关系代码")


class HouseholdIn(Schema):
    village_code: str = Field(..., max_length=20)
    address: str = Field(..., max_length=400)
    head_id: int | None = Field(..., ge=1, le=2**62)
    members: list[MemberIn] = Field(..., max_length=50)
    joined_on: datetime.date | None = None


class HouseholdUpdateIn(Schema):
    address: str = Field(..., max_length=400)
    head_id: int | None = Field(None, ge=1, le=2**62, description="新户主（须为本户成员）")
    old_head_relation: str = Field("", max_length=4, description="原户主与新户主的关系代码")


class MoveIn(Schema):
    person_id: int = Field(..., ge=1, le=2**62)
    relation: str = Field(..., max_length=4)
    reason: str = Field(..., max_length=200)
    on: datetime.date | None = None


def _household(h: Household) -> dict:
    return {
        "id": h.pk,
        "number": h.number,
        "village_code": h.village_id,
        "address": h.address,
        "head_id": h.head_id,
    }


def _member(m: HouseholdMembership) -> dict:
    return {
        "person_id": m.person_id,
        "name": m.person.name,
        "id_number": m.person.id_number_masked,
        "relation": m.relation,
        "relation_name": RELATIONS.get(m.relation, ""),
        "joined_on": m.joined_on,
        "left_on": m.left_on,
    }


def _household_detail(household: Household) -> dict:
    rows = list(
        household.memberships.select_related("person").order_by("relation", "joined_on", "id")
    )
    out = _household(household)
    out["members"] = [_member(m) for m in rows if m.left_on is None]
    out["former_members"] = [_member(m) for m in rows if m.left_on is not None]
    return out


@router.get(
    "/households",
    auth=api_requires("person.read"),
    response={200: HouseholdPage, **ERRORS},
    summary="家庭户列表",
)
def list_households(request, filters: Query[HouseholdFilter]):
    services.check_can_read_people(request.user)
    qs = Household.objects.visible_to(request.user)
    if filters.region:
        qs = qs.within(filters.region)
    qs = queries.search_households(qs, filters.q or "")
    items, nxt = queries.page(qs.order_by("number"), filters.offset, _limit(filters.limit))
    reads.audit_listing(
        request.user,
        model_label="registry.household",
        rows=items,
        query_description="search" if filters.q else "list",
        request=request,
    )
    return {"items": [_household(h) for h in items], "next_offset": nxt}


@router.get(
    "/households/{int:household_id}",
    auth=api_requires("person.read"),
    response={200: HouseholdDetailOut, **ERRORS},
    summary="家庭户及成员",
)
def get_household(request, household_id: int):
    household = services.read_household(
        request.user, household_id, request=request, purpose=_purpose(request)
    )
    return _household_detail(household)


@router.post(
    "/households",
    auth=api_requires("registry.write"),
    response={201: HouseholdDetailOut, **ERRORS},
    summary="建立家庭户",
)
def create_household(request, payload: HouseholdIn):
    data = services.HouseholdData(
        village_code=payload.village_code,
        address=payload.address,
        head_id=payload.head_id,
        members=[rules.MemberInput(m.person_id, m.relation) for m in payload.members],
        joined_on=payload.joined_on,
    )
    household = services.do_create_household(request.user, data)
    return Status(201, _household_detail(household))


@router.put(
    "/households/{int:household_id}",
    auth=api_requires("registry.write"),
    response={200: HouseholdDetailOut, **ERRORS},
    summary="修改家庭户（住址、变更户主）",
)
def update_household(request, household_id: int, payload: HouseholdUpdateIn):
    household = services.do_update_household(
        request.user, household_id, payload.address, payload.head_id, payload.old_head_relation
    )
    return _household_detail(household)


@router.post(
    "/households/{int:household_id}/members",
    auth=api_requires("registry.write"),
    response={201: HouseholdDetailOut, **ERRORS},
    summary="成员迁入（原户保留迁出记录）",
)
def move_member(request, household_id: int, payload: MoveIn):
    services.do_move_member(
        request.user,
        payload.person_id,
        household_id,
        payload.relation,
        payload.reason,
        payload.on,
    )
    return Status(201, _household_detail(services.get_household(request.user, household_id)))
