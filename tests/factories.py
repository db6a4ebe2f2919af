"""Test data built through the real services and models: a small county, people, staff."""

import datetime
import itertools

from django.contrib.auth import get_user_model

from huimin.core import idnumber
from huimin.registry import rules
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Institution,
    Person,
    Region,
    Staff,
    person_id_fields,
)

COUNTY = "430522"  # 新邵县, a real county code loaded by the migration
TOWNSHIPS = ["430522100", "430522101"]
VILLAGES = ["430522100201", "430522100202", "430522101201"]
OTHER_COUNTY_VILLAGE = "430523100201"  # 邵阳县: outside COUNTY's jurisdiction

_seq = itertools.count(1)


def make_regions() -> None:
    names = {
        "430522100": "酿溪镇",
        "430522101": "严塘镇",
        "430522100201": "城东村",
        "430522100202": "城西村",
        "430522101201": "严塘村",
        "430523100": "塘渡口镇",
        "430523100201": "塘渡口村",
    }
    for code in sorted(names, key=len):
        Region.objects.get_or_create(
            code=code,
            defaults={
                "name": names[code],
                "level": rules.region_level(code),
                "parent_id": rules.region_parent_code(code),
                "prefix": rules.region_prefix(code),
                "source": "test",
            },
        )


def valid_id(
    birth=datetime.date(1980, 5, 17), sex="1", address=COUNTY, seq: int | None = None
) -> str:
    # Steps of two: make() moves a sequence to the parity of the sex, so n and n+1 can clash.
    return idnumber.make(address, birth, 2 * next(_seq) if seq is None else seq, sex)


def make_person(
    name="张三", village=VILLAGES[0], birth=datetime.date(1980, 5, 17), sex="1", **extra
) -> Person:
    number = extra.pop("id_number", None) or valid_id(birth, sex)
    return Person.objects.create(
        name=name,
        name_initials=rules.pinyin_initials(name),
        name_pinyin=rules.pinyin_full(name),
        sex=sex,
        birth_date=birth,
        village_id=village,
        **person_id_fields(number),
        **extra,
    )


def make_household(head: Person, others=(), relation="20", joined=datetime.date(2020, 1, 1)):
    n = Household.objects.filter(village_id=head.village_id).count() + 1
    hh = Household.objects.create(
        number=rules.household_number(head.village_id, n),
        village_id=head.village_id,
        address="测试住址1号",
        head=head,
    )
    HouseholdMembership.objects.create(household=hh, person=head, relation="02", joined_on=joined)
    for p in others:
        HouseholdMembership.objects.create(
            household=hh, person=p, relation=relation, joined_on=joined
        )
    return hh


def make_institution(name="新邵县人民医院", region=COUNTY, kind="county_hospital", level="2"):
    n = next(_seq)
    return Institution.objects.create(
        name=name,
        insurance_code=f"H{region[:6]}{n:05d}",
        credit_code=_uscc(n),
        kind=kind,
        level=level,
        region_id=region,
        designation_status="designated",
    )


def _uscc(n: int) -> str:
    from stdnum.cn import uscc

    body = f"12430522MB{n:07d}"
    return body + uscc.calc_check_digit(body)


def make_staff(
    username="officer",
    role="insurance_officer",
    jurisdiction=COUNTY,
    institution=None,
    password="Huimin#2026pass",
):
    user = get_user_model().objects.create_user(username=username, password=password)
    Staff.objects.create(user=user, role=role, jurisdiction=jurisdiction, institution=institution)
    return user
