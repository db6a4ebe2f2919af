"""From the tables to what the rules read (claim.py): the claim in hand and the person's
recent history, in a fixed handful of queries.

`claim_facts(claim_in_hand)` answers with (Claim, History) for a settlement being made:
1. the visit with its person (sex, birth, death), institution (code, name, level), the
   person's paid enrollments of the visit's year and the next (coverage periods), the
   rule set in force and what the visit's pre-settlement review answered
   (`read_visit`: one statement, so a settle that reuses that answer reads nothing else);
2. its live fee lines;
3. the catalog versions of their items in force over the lines' dates;
4. the person's other visits of the last `HISTORY_DAYS` days at every institution, by
   the (person, visit_date) index and bounded to `LONGEST_STAY_DAYS` before that.
The hot statements are compiled once (core.statements) so a settlement pays only
for SQL, not for the ORM building it again.

Each item's facts are the catalog version's in force on the line's date: restrictions,
fee category, day-based, medically-unlikely maximum, days per unit (a drug line's days'
supply = quantity × that), required qualification, bundle components and exclusive
items; the institution's qualifications come with the visit (None: not recorded). An
item not in the catalog that day is unrestricted. Earlier dispensings are not read yet
(History.dispensings is empty), so over_dispensing judges the claim's own supply only.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery

from huimin.core.statements import DATE, INT, TEXT, InList, Statement
from huimin.insurance.catalog.models import CatalogVersion
from huimin.insurance.catalog.rules import parse_codes_text, parse_levels_text
from huimin.insurance.claim_checks import ClaimInHand
from huimin.insurance.enrollment.models import Enrollment, EnrollmentStatus
from huimin.insurance.models import FeeDetail, Settlement, Visit, VisitStatus
from huimin.registry.qualifications import parse_text as parse_qualifications
from huimin.review import rule_sets
from huimin.review.claim import (
    INPATIENT,
    CapPosition,
    Claim,
    CoveragePeriod,
    History,
    Institution,
    Item,
    Line,
    PastStay,
    PastVisit,
    Person,
)

HISTORY_DAYS = 90
HISTORY_ROWS = 200  # a person with more visits than this in 90 days is shown the latest
# A stay that began this long before the window and ended inside it is still history;
# the bound keeps the read an index range over the person's last months, not their life.
LONGEST_STAY_DAYS = 365


def _benefits_from(year):
    """The person's paid enrollment of a year: when its benefits start (None: not insured)."""
    return Subquery(
        Enrollment.objects.filter(
            person_id=OuterRef("person_id"), year=year, status=EnrollmentStatus.PAID
        )
        .order_by()
        .values("benefits_from")[:1]
    )


def _in_force(prefixes, year, column):
    return Subquery(rule_sets.active_rows(prefixes, year).values(column)[:1])


_VISIT = Statement(
    lambda visit, year, next_year, p6, p9, p12: (
        Visit.objects.filter(pk=visit)
        .annotate(
            covered_from=_benefits_from(year),
            covered_next=_benefits_from(next_year),
            rule_set_row=_in_force([p6, p9, p12], year, "pk"),
            rule_set_at=_in_force([p6, p9, p12], year, "activated_at"),
        )
        .order_by()
        .values_list(
            "person__sex",
            "person__birth_date",
            "person__death_date",
            "institution__insurance_code",
            "institution__name",
            "institution_level",
            "doctor_code",
            "institution__qualifications",
            "covered_from",
            "covered_next",
            "rule_set_row",
            "rule_set_at",
            "review_presettle__digest",
            "review_presettle__results",
            "review_presettle__checked_at",
        )
    ),
    visit=INT,
    year=INT,
    next_year=INT,
    p6=TEXT,
    p9=TEXT,
    p12=TEXT,
)
_FEES = Statement(
    lambda visit: (
        FeeDetail.objects.filter(visit_id=visit, cancelled=False)
        .order_by("line_no")
        .values_list(
            "pk",
            "line_no",
            "code",
            "name",
            "item_class",
            "quantity",
            "unit_price",
            "ceiling",
            "fee_date",
        )
    ),
    visit=INT,
)
# The catalog's own facts for review (catalog/models.py), after the restrictions.
REVIEW_TERMS = (
    "fee_category",
    "day_based",
    "mue",
    "days_supply_per_unit",
    "qualification",
    "component_codes",
    "exclusive_codes",
)
_VERSIONS = InList(
    lambda codes, first, last: (
        CatalogVersion.objects.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=first),
            item__code__in=codes,
            effective_from__lte=last,
        )
        .order_by()
        .values_list(
            "item__code",
            "item__kind",
            "unit",
            "sex",
            "age_min",
            "age_max",
            "institution_levels",
            "max_quantity_per_day",
            "effective_from",
            "effective_to",
            *REVIEW_TERMS,
        )
    ),
    first=DATE,
    last=DATE,
    most=128,
)
_COVERAGE = Statement(
    lambda person, first, last: (
        Enrollment.objects.filter(
            person_id=person, year__gte=first, year__lte=last, status=EnrollmentStatus.PAID
        )
        .order_by()
        .values_list("year", "benefits_from")
    ),
    person=INT,
    first=INT,
    last=INT,
)
_HISTORY = Statement(
    lambda person, visit, since, oldest: (
        Visit.objects.filter(
            Q(visit_date__gte=since) | Q(discharge_date__gte=since),
            person_id=person,
            visit_date__gte=oldest,
        )
        .exclude(pk=visit)
        .exclude(status=VisitStatus.CANCELLED)
        .order_by("-visit_date", "-id")
        .values_list(
            "pk",
            "visit_type",
            "visit_date",
            "discharge_date",
            "diagnosis_code",
            "institution__insurance_code",
            "institution__name",
        )[:HISTORY_ROWS]
    ),
    person=INT,
    visit=INT,
    since=DATE,
    oldest=DATE,
)


def ingredient_of(code: str, kind: str) -> str:
    """A drug's generic-name group: the national drug code's first ten characters
    (X/Z, category, generic name), so makers' and forms' codes add up."""
    if kind == "drug" and len(code) >= 10 and code[0] in "XZ":
        return code[:10]
    return ""


def _item(row) -> Item:
    code, kind, _unit, sex, age_min, age_max, levels, max_per_day = row[:8]
    category, day_based, mue, per_unit, qualification, components, exclusive = row[10:]
    return Item(
        kind=kind,
        category=category,
        sex=sex or "",
        age_min=age_min,
        age_max=age_max,
        levels=parse_levels_text(levels),
        max_quantity_per_day=max_per_day,
        day_based=bool(day_based),
        mue=mue,
        days_supply_per_unit=per_unit,
        components=frozenset(parse_codes_text(components)),
        exclusive_with=frozenset(parse_codes_text(exclusive)),
        qualification=qualification,
        ingredient=ingredient_of(code, kind),
    )


def days_supply(quantity: Decimal, item: Item) -> int | None:
    """Whole days a drug line lasts: quantity × the catalog's days per unit."""
    if item.days_supply_per_unit is None:
        return None
    return int(quantity * item.days_supply_per_unit)


def _items(codes: list[str], first: datetime.date, last: datetime.date) -> dict:
    """{(code, day): Item} resolver data: every version of the codes over [first, last]."""
    if not codes:
        return {}
    rows = _VERSIONS.tuples(codes, first=first, last=last)
    if rows is None:  # more distinct items than compiled statements cover
        rows = list(_VERSIONS.build(codes, first, last))
    versions: dict[str, list] = {}
    for row in rows:
        versions.setdefault(row[0], []).append((row[8], row[9], _item(row)))
    return versions


def _item_on(versions: dict, code: str, day: datetime.date) -> Item:
    for start, end, item in versions.get(code, ()):
        if start <= day and (end is None or day <= end):
            return item
    return Item()  # not in the catalog that day: unrestricted, as the library assumes


def _coverage(visit: "VisitRow", person_id: int, first: datetime.date, last: datetime.date):
    if last.year <= first.year + 1 and first.year in visit.covered:
        rows = [(y, visit.covered[y]) for y in (first.year, last.year)]
        rows = [(y, start) for y, start in dict(rows).items() if start is not None]
    else:  # a claim over more than the two years read with the visit
        rows = _COVERAGE.tuples(person=person_id, first=first.year, last=last.year)
    return tuple(
        sorted(
            CoveragePeriod(benefits_from, datetime.date(year, 12, 31))
            for year, benefits_from in rows
        )
    )


@dataclass(frozen=True)
class VisitRow:
    """`read_visit`'s answer: the visit's facts, the rule set in force and the stored
    pre-settlement answer."""

    sex: str
    birth: datetime.date | None
    death: datetime.date | None
    institution: tuple[str, str, str]  # national code, name, level on the visit
    doctor: str
    qualifications: str | None  # the institution's, as stored (None: not recorded)
    covered: dict  # {year: benefits_from or None} for the visit's year and the next
    rule_set: tuple  # (ReviewRuleSet id, activated_at), (None, None) for the default
    presettle: tuple | None  # (digest, results, checked_at) of PreSettleReview, or None


def read_visit(claim: ClaimInHand) -> VisitRow:
    year = claim.visit_date.year
    region = claim.region_code
    found = _VISIT.tuples(
        visit=claim.visit_id,
        year=year,
        next_year=year + 1,
        p6=region[:6],
        p9=region[:9],
        p12=region[:12],
    )
    if not found:
        raise LookupError(f"visit {claim.visit_id} not found")
    row = found[0]
    sex, birth, death, code, name, level, doctor, qualifications = row[:8]
    covered, covered_next, rs_id, rs_at, digest, results, checked_at = row[8:]
    return VisitRow(
        sex=sex,
        birth=birth,
        death=death,
        institution=(code, name, level),
        doctor=doctor,
        qualifications=qualifications,
        covered={year: covered, year + 1: covered_next},
        rule_set=(rs_id, rs_at),
        presettle=None if digest is None else (digest, results, checked_at),
    )


def claim_facts(claim: ClaimInHand, visit: VisitRow | None = None) -> tuple[Claim, History]:
    """The review's view of the claim in hand and the person's last 90 days (`visit`:
    what `read_visit` answered, when the caller read it already)."""
    visit = visit or read_visit(claim)
    sex, birth, death, doctor = visit.sex, visit.birth, visit.death, visit.doctor
    inst_code, inst_name, level = visit.institution
    fees = _FEES.tuples(visit=claim.visit_id)
    wanted = set(claim.fee_line_ids)
    if wanted:
        fees = [f for f in fees if f[0] in wanted]
    last_day = claim.discharge_date or claim.visit_date
    days = [f[8] for f in fees] or [claim.visit_date]
    versions = _items(sorted({f[2] for f in fees}), min(days), max(days))
    lines = tuple(
        Line(
            number=line_no,
            code=code,
            name=name,
            cls=cls,
            quantity=quantity,
            unit_price=unit_price,
            ceiling=ceiling,
            service_date=day,
            item=(item := _item_on(versions, code, day)),
            days_supply=days_supply(quantity, item),
        )
        for _, line_no, code, name, cls, quantity, unit_price, ceiling, day in fees
    )
    first_day = min(claim.visit_date, *days)
    person = Person(
        id=str(claim.person_id),
        sex=sex,
        birth_date=birth,
        death_date=death,
        coverage=_coverage(visit, claim.person_id, first_day, max(last_day, *days)),
    )
    cap = None
    if claim.annual_cap is not None:
        cap = CapPosition(
            annual_cap=claim.annual_cap,
            paid_before=claim.basic_ytd_before,
            paid_after=claim.basic_ytd_before + claim.basic_this,
        )
    review_claim = Claim(
        id=str(claim.visit_id),
        person=person,
        institution=Institution(
            id=inst_code,
            name=inst_name,
            level=level,
            qualifications=parse_qualifications(visit.qualifications),
        ),
        visit_type=claim.visit_type,
        admission_date=claim.visit_date,
        discharge_date=claim.discharge_date,
        diagnosis=claim.diagnosis_code,
        lines=lines,
        doctor=doctor,
        terminal=claim.terminal,
        cap=cap,
    )
    return review_claim, history(claim.person_id, claim.visit_id, claim.visit_date, last_day)


def history(
    person_id: int, visit_id: int, visit_date: datetime.date, last_day: datetime.date
) -> History:
    """The person's other visits since 90 days before this one, at every institution. A
    stay still open counts as lasting to this claim's last day (the patient is still in)."""
    since = visit_date - datetime.timedelta(days=HISTORY_DAYS)
    stays, visits = [], []
    oldest = since - datetime.timedelta(days=LONGEST_STAY_DAYS)
    for pk, vtype, vdate, discharge, diagnosis, inst_code, inst_name in _HISTORY.tuples(
        person=person_id, visit=visit_id, since=since, oldest=oldest
    ):
        if vtype == INPATIENT:
            stays.append(
                PastStay(
                    str(pk),
                    inst_code,
                    inst_name,
                    vdate,
                    discharge or max(vdate, last_day),
                    diagnosis,
                )
            )
        else:
            visits.append(PastVisit(str(pk), inst_code, inst_name, vdate, diagnosis))
    return History(stays=tuple(stays), visits=tuple(visits))


# ---------------------------------------------------------------- from a stored settlement


def claim_in_hand_for(settlement: Settlement, *, stage: str = "settle") -> ClaimInHand:
    """The ClaimInHand a stored settlement was made from (for tests, replays and the
    review page): the year so far before it from the settlement's own accumulators."""
    visit = settlement.visit
    ytd_after = (settlement.result or {}).get("ytd_after") or {}
    paid_after = Decimal(str(ytd_after.get("basic_paid", settlement.basic_fund)))
    fee_ids = tuple(
        FeeDetail.objects.filter(visit_id=visit.pk, cancelled=False)
        .order_by("line_no")
        .values_list("pk", flat=True)
    )
    return ClaimInHand(
        stage=stage,
        visit_id=visit.pk,
        person_id=settlement.person_id,
        institution_id=settlement.institution_id,
        region_code=settlement.region_code,
        year=settlement.year,
        visit_type=settlement.visit_type,
        visit_date=visit.visit_date,
        discharge_date=visit.discharge_date,
        diagnosis_code=visit.diagnosis_code,
        fee_line_ids=fee_ids,
        terminal=settlement.terminal,
        operator_id=settlement.settled_by_id,
        basic_ytd_before=paid_after - settlement.basic_fund,
        basic_this=settlement.basic_fund,
        annual_cap=None,
        fund_paid=settlement.basic_fund + settlement.critical_illness + settlement.assistance,
    )
