"""1101 person lookup, and the reads and checks every later transaction repeats:
the hot path's compiled statements, the person, the institution's designation,
coverage on the visit date, the institution's visit by number."""

import datetime

from django.db.models import OuterRef, Subquery

from huimin.core import idnumber
from huimin.core.errors import NotFound, ValidationFailed
from huimin.core.statements import INT, TEXT, InList, Statement
from huimin.insurance import ytd
from huimin.insurance.enrollment.services import coverage_on
from huimin.insurance.models import (
    Accumulator,
    FeeDetail,
    Visit,
)
from huimin.insurance.services.base import Refused
from huimin.registry.models import (
    DesignationStatus,
    Institution,
    Person,
    id_number_lookups,
    ss_card_lookups,
)

# The hot path's statements, compiled once (core/statements.py). A visit, a settlement by key
# and an accumulator are unique rows: no ORDER BY.
_VISIT = Statement(
    lambda inst, no: (
        Visit.objects.filter(institution_id=inst, his_visit_no=no)
        .select_related("person")
        .order_by()[:1]
    ),
    inst=INT,
    no=TEXT,
)
_VISIT_LOCKED = Statement(
    # Lock the visit only: locking the joined rows too deadlocks with a concurrent
    # registration's foreign-key check on the institution (see docs/BENCHMARKS.md).
    # With the person: settling checks again that they are alive and insured.
    lambda inst, no: (
        Visit.objects.filter(institution_id=inst, his_visit_no=no)
        .select_related("person")
        .order_by()
        .select_for_update(of=("self",))[:1]
    ),
    inst=INT,
    no=TEXT,
)
_VISIT_FOR_FEES = Statement(
    # With the person (sex and age rules) and the highest line number so far, cancelled
    # lines included.
    lambda inst, no: (
        Visit.objects.filter(institution_id=inst, his_visit_no=no)
        .select_related("person")
        .annotate(
            last_line_no=Subquery(
                FeeDetail.objects.filter(visit=OuterRef("pk"))
                .order_by("-line_no")
                .values("line_no")[:1]
            )
        )
        .order_by()
        .select_for_update(of=("self",))[:1]
    ),
    inst=INT,
    no=TEXT,
)
# The live lines of a visit as plain tuples, in line order: what pricing needs, without
# a model instance per line (pre-settle and settle each read every line).
_FEE_COLUMNS = ("pk", "code", "name", "item_class", "quantity", "unit_price", "ceiling")
FEE_ROWS = Statement(
    lambda visit: (
        FeeDetail.objects.filter(visit_id=visit, cancelled=False)
        .order_by("line_no")
        .values_list(*_FEE_COLUMNS, "b_self_ratio")
    ),
    visit=INT,
)
ACCUMULATOR = Statement(
    lambda person, year: Accumulator.objects.filter(person_id=person, year=year).order_by()[:1],
    person=INT,
    year=INT,
)
# By blind index: one per key in rotation, so the list is short and its length steady.
_PERSON = InList(
    lambda indexes: Person.objects.filter(id_number_index__in=indexes, status="active").order_by()[
        :1
    ]
)


_PERSON_BY_CARD = InList(
    lambda indexes: Person.objects.filter(ss_card_index__in=indexes, status="active").order_by()[:1]
)


def find_person(raw_id_number: str, *, legacy: bool = False) -> Person:
    """By ID number, or by social-security card number (nine characters); with `legacy`
    (a lookup), a 15-digit number finds the holder of its 18-digit upgrade."""
    try:
        if idnumber.looks_like_ss_card(raw_id_number):
            card = idnumber.parse_ss_card(raw_id_number)
            found = _PERSON_BY_CARD.rows(ss_card_lookups(card))
        else:
            read = idnumber.search_number if legacy else idnumber.parse
            number = read(raw_id_number).number
            found = _PERSON.rows(id_number_lookups(number))
    except idnumber.IDNumberError as exc:
        raise ValidationFailed({"id_number": exc.message}) from None
    person = found[0] if found else None
    if person is None:
        raise Refused("person_not_found", "未找到该参保人", {"id_number": "未登记"})
    return person


def check_institution(institution: Institution, on: datetime.date) -> None:
    if institution.designation_status != DesignationStatus.DESIGNATED:
        raise Refused("institution_not_designated", "该医疗机构不是定点机构或定点已暂停")
    if institution.designated_from and on < institution.designated_from:
        raise Refused("institution_not_designated", "就诊日期早于定点起始日期")
    if institution.designated_to and on > institution.designated_to:
        raise Refused("institution_not_designated", "就诊日期晚于定点终止日期")


def coverage(person: Person, on: datetime.date):
    if person.death_date is not None and person.death_date <= on:
        raise Refused("person_deceased", "参保人已死亡", {"visit_date": "晚于死亡日期"})
    cov = coverage_on(person.pk, on)
    if cov is None:
        raise Refused("not_insured", "参保人在就诊日期未参保或待遇未生效", {"visit_date": "未参保"})
    return cov


def lookup(institution: Institution, raw_id_number: str, on: datetime.date) -> dict:
    """1101: who is this, are they insured on that date, and their year so far."""
    person = find_person(raw_id_number, legacy=True)
    cov = None
    refusal = None
    try:
        cov = coverage(person, on)
    except Refused as exc:
        refusal = exc.code
    acc = ACCUMULATOR.first(person=person.pk, year=on.year)
    return {"person": person, "coverage": cov, "refusal": refusal, "ytd": ytd.ytd_of(acc)}


# ---------------------------------------------------------------- visits
def get_visit(institution: Institution, his_visit_no: str, *, lock=False, for_fees=False) -> Visit:
    statement = _VISIT_FOR_FEES if for_fees else _VISIT_LOCKED if lock else _VISIT
    visit = statement.first(inst=institution.pk, no=his_visit_no)
    if visit is None:
        raise NotFound("就诊记录")
    visit.institution = institution
    return visit
