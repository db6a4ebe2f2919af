"""Real-time settlement use cases, following the national platform's transactions.

1101 lookup · 2201/2401 register/admit · 2202/2404 cancel · 2402/2405 discharge and
its cancel · 2206/2303 pre-settle · 2207/2304 settle · 2208/2305 reverse. Fee details
(2204/2301, 2205/2302) are in fees.py; the year-so-far arithmetic in ytd.py.

The walk of a settlement (DESIGN.md §2): lock the person's accumulator row for the
year, run the pure engine, write the settlement, the accumulators, the ledger entry
and the audit record in one transaction. Queries per settlement do not grow with the
number of fee lines.

Every transaction that writes (register, cancel, discharge and its cancel, fee upload and
its cancel, settle, reverse) is idempotent per (institution, Idempotency-Key) through
huimin.core.idempotency: the same key and body return the first answer, written nothing
again; the same key with another body is a 409. The `*_once` functions are those
transactions; the `do_*` they wrap are the writes themselves, for callers that need no
retry (the demo's generator, tests).
"""

import datetime
import secrets
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import IntegrityError, connections, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from huimin.audit.services import record
from huimin.core import crypto, idempotency, idnumber
from huimin.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from huimin.core.text import control_problems, has_control_or_break
from huimin.insurance import engine, plans, statements, ytd
from huimin.insurance.ledger import services as ledger
from huimin.insurance.models import (
    Accumulator,
    FeeDetail,
    Settlement,
    SettlementKind,
    Visit,
    VisitStatus,
)
from huimin.insurance.plan import LEVEL_NAMES, visit_type_name
from huimin.insurance.statements import INT, TEXT, InList, Statement
from huimin.registry.models import (
    DesignationStatus,
    Institution,
    Person,
    id_number_lookups,
    ss_card_lookups,
)

ZERO = Decimal("0.00")


class Refused(DomainError):
    """A transaction refused for a business reason, with its machine code."""

    status = 422


# ---------------------------------------------------------------- idempotency


def once(institution, key, operation: str, body: dict, run, *, answer, replay, clash=None):
    """Run an institution transaction once per (institution, Idempotency-Key): the rules
    are huimin.core.idempotency's. Returns (result, replayed).

    `clash`: what a unique-constraint failure in the write means (settle, reverse: a
    key recorded on a settlement row but not in the idempotency table, i.e. written
    before that table or by the bulk generator)."""
    try:
        return idempotency.run_once(
            f"institution:{institution.pk}",
            key,
            operation,
            body,
            run,
            answer=answer,
            replay=replay,
            region_code=institution.region_id or "",
        )
    except IntegrityError:
        if clash is None:
            raise
        raise clash from None


# ---------------------------------------------------------------- lookups


# The hot path's statements, compiled once (statements.py). A visit, a settlement by key
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
_FEES = Statement(
    lambda visit: (
        FeeDetail.objects.filter(visit_id=visit, cancelled=False)
        .order_by("line_no")
        .values_list(*_FEE_COLUMNS, "b_self_ratio")
    ),
    visit=INT,
)
_ACCUMULATOR = Statement(
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
    from huimin.insurance.enrollment.services import coverage_on

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
    acc = _ACCUMULATOR.first(person=person.pk, year=on.year)
    return {"person": person, "coverage": cov, "refusal": refusal, "ytd": ytd.ytd_of(acc)}


# ---------------------------------------------------------------- visits


@dataclass
class VisitData:
    id_number: str
    visit_type: str
    his_visit_no: str
    visit_date: datetime.date
    diagnosis_code: str = ""
    diagnosis_name: str = ""


# A number is the path parameter of every later call (/visits/{his_visit_no}/…): '/'
# splits the path, '?' and '#' end it, '%' and '\' are decoded or rewritten on the way,
# and "." or ".." is folded away by clients. Such a visit could never be reached again.
_NOT_IN_PATH = "/\\?#%"


def visit_no_problem(no: str) -> str | None:
    """Why `no` cannot be an institution's visit number, or None."""
    if not no.strip() or len(no) > 40:
        return "机构就诊流水号不能为空且不超过40字符"
    if has_control_or_break(no):
        return "机构就诊流水号不能含有控制字符"
    if no != no.strip():
        return "机构就诊流水号首尾不能有空格"
    bad = [c for c in _NOT_IN_PATH if c in no]
    if bad:
        return f"机构就诊流水号不能含有字符 {' '.join(bad)}（无法用于接口路径）"
    if set(no) == {"."}:
        return "机构就诊流水号不能只由句点组成"
    return None


def do_register_visit(institution: Institution, data: VisitData, *, request=None) -> Visit:
    """2201 (outpatient) / 2401 (admission)."""
    # These are one line (NUL itself is refused at the edges: the API's parser, the pages'
    # input guard).
    errors = control_problems(
        {
            "visit_type": data.visit_type,
            "diagnosis_code": data.diagnosis_code,
            "diagnosis_name": data.diagnosis_name,
        }
    )
    if problem := visit_no_problem(data.his_visit_no):
        errors["his_visit_no"] = problem
    if data.visit_date > timezone.localdate():
        errors["visit_date"] = "就诊日期不能晚于今天"
    if errors:
        raise ValidationFailed.naming(errors)
    person = find_person(data.id_number)
    check_institution(institution, data.visit_date)
    cov = coverage(person, data.visit_date)
    plan_row = plans.active_plan_for(person.village_id, data.visit_date.year)
    if plan_row is None:
        raise Refused("no_plan", "参保地当年没有生效的结算方案")
    plan = plans.parsed(plan_row)
    vt = plan.visit_types.get(data.visit_type)
    if vt is None:
        raise Refused(
            "visit_type_unknown",
            "就诊类型不在结算方案中",
            {"visit_type": f"可选：{'、'.join(map(visit_type_name, plan.visit_types.values()))}"},
        )
    if vt.diagnoses and not data.diagnosis_code.strip().upper().startswith(vt.diagnoses):
        raise Refused(
            "diagnosis_not_covered",
            "该就诊类型限定诊断，诊断编码不在范围内",
            {"diagnosis_code": f"须为以下ICD-10编码之一开头：{'、'.join(vt.diagnoses)}"},
        )
    level = institution.level or "1"
    if level not in vt.ratio:
        raise Refused(
            "visit_type_not_covered",
            "该就诊类型在此等级的机构不予报销",
            {"visit_type": f"{visit_type_name(vt)}不在{LEVEL_NAMES.get(level, level)}机构报销"},
        )
    # No look-before-insert: the unique constraint answers a number registered twice
    # (also by a racing request), and the common case saves a query.
    taken = Conflict("visit_no_exists", "该就诊流水号已登记", {"his_visit_no": "已存在"})
    try:
        with transaction.atomic():
            visit = _create_visit(institution, person, cov, level, data)
            record(
                action="create",
                object_type="insurance.visit",
                object_id=str(visit.pk),
                region_code=person.village_id,
                request=request,
                institution_id=institution.pk,
            )
    except IntegrityError:
        raise taken from None  # the same number registered by a concurrent request
    return visit


def _create_visit(institution, person, cov, level: str, data: VisitData) -> Visit:
    visit = Visit(
        person=person,
        institution=institution,
        region_code=person.village_id,
        visit_type=data.visit_type,
        institution_level=level,
        person_category=cov.person_category,
        his_visit_no=data.his_visit_no,
        visit_date=data.visit_date,
        diagnosis_code=data.diagnosis_code[:20],
        diagnosis_name=data.diagnosis_name[:100],
    )
    statements.insert(visit)
    return visit


def _visit_answer(visit: Visit) -> dict:
    return {
        "visit": visit.pk,
        "status": visit.status,
        "discharge_date": visit.discharge_date.isoformat() if visit.discharge_date else None,
    }


def _visit_replay(institution: Institution):
    def replay(answer: dict) -> Visit:
        visit = Visit.objects.select_related("person").get(pk=answer["visit"])
        visit.institution = institution
        # The visit as the first answer showed it, not as it is now (it may have been
        # discharged or settled since): a replay repeats the answer. Not saved.
        visit.status = answer["status"]
        left = answer["discharge_date"]
        visit.discharge_date = datetime.date.fromisoformat(left) if left else None
        return visit

    return replay


def register_visit_once(
    institution: Institution,
    data: VisitData,
    idempotency_key: str,
    *,
    request=None,
    choose_no=None,
) -> tuple[Visit, bool]:
    """2201 / 2401 once per key. Returns (visit, replayed).

    `choose_no`: the counter page picks the visit number when the clerk left it blank;
    the number is chosen inside the transaction and is not part of the request, so a
    resent form is the same request."""
    # The ID number is hashed under the blind-index key, never as plain text (DESIGN.md
    # §6: a plain SHA-256 of an 18-digit number with a known birth date is guessable).
    # Any text hashes (a lone surrogate too): find_person refuses a bad number afterwards.
    raw = data.id_number.encode("utf-8", "surrogatepass").decode("latin-1")
    body = asdict(data) | {"id_number": crypto.blind_index(raw, context="idempotency.id_number")}

    def run() -> Visit:
        if choose_no is not None:
            data.his_visit_no = choose_no()
        return do_register_visit(institution, data, request=request)

    return once(
        institution,
        idempotency_key,
        "register_visit",
        body,
        run,
        answer=_visit_answer,
        replay=_visit_replay(institution),
    )


def _visit_once(institution, key: str, operation: str, body: dict, run) -> tuple[Visit, bool]:
    return once(
        institution,
        key,
        operation,
        body,
        run,
        answer=_visit_answer,
        replay=_visit_replay(institution),
    )


def cancel_visit_once(institution, his_visit_no: str, idempotency_key: str, *, request=None):
    """2202 / 2404 once per key. Returns (visit, replayed)."""
    return _visit_once(
        institution,
        idempotency_key,
        "cancel_visit",
        {"visit": his_visit_no},
        lambda: do_cancel_visit(institution, his_visit_no, request=request),
    )


def discharge_once(
    institution, his_visit_no: str, discharge_date, idempotency_key: str, *, request=None
):
    """2402 once per key. Returns (visit, replayed)."""
    return _visit_once(
        institution,
        idempotency_key,
        "discharge",
        {"visit": his_visit_no, "discharge_date": discharge_date.isoformat()},
        lambda: do_discharge(institution, his_visit_no, discharge_date, request=request),
    )


def cancel_discharge_once(institution, his_visit_no: str, idempotency_key: str, *, request=None):
    """2405 once per key. Returns (visit, replayed)."""
    return _visit_once(
        institution,
        idempotency_key,
        "cancel_discharge",
        {"visit": his_visit_no},
        lambda: do_cancel_discharge(institution, his_visit_no, request=request),
    )


def get_visit(institution: Institution, his_visit_no: str, *, lock=False, for_fees=False) -> Visit:
    statement = _VISIT_FOR_FEES if for_fees else _VISIT_LOCKED if lock else _VISIT
    visit = statement.first(inst=institution.pk, no=his_visit_no)
    if visit is None:
        raise NotFound("就诊记录")
    visit.institution = institution
    return visit


def do_cancel_visit(institution: Institution, his_visit_no: str, *, request=None) -> Visit:
    """2202 / 2404: only a visit not settled."""
    with transaction.atomic():
        visit = get_visit(institution, his_visit_no, lock=True)
        if visit.status == VisitStatus.SETTLED:
            raise Conflict("visit_settled", "已结算的就诊须先冲正结算")
        # Cancelled already: say so (as settle and pre-settle do) rather than answer 200
        # again and audit a change that did not happen.
        if visit.status == VisitStatus.CANCELLED:
            raise Conflict("visit_closed", "该就诊已撤销")
        # Undone in the order it was done: 2405 reopens the stay, then 2404 cancels it.
        if visit.status == VisitStatus.DISCHARGED:
            raise Conflict("visit_discharged", "已办理出院的住院须先撤销出院（2405）")
        before = visit.status
        visit.status = VisitStatus.CANCELLED
        visit.save(update_fields=["status"])
        record(
            action="update",
            object_type="insurance.visit",
            object_id=str(visit.pk),
            region_code=visit.region_code,
            request=request,
            changes={"status": [before, "cancelled"]},
            institution_id=institution.pk,
        )
    return visit


def do_discharge(institution, his_visit_no: str, discharge_date: datetime.date, *, request=None):
    """2402."""
    with transaction.atomic():
        visit = get_visit(institution, his_visit_no, lock=True)
        if visit.visit_type != "inpatient":
            raise Refused("not_inpatient", "只有住院就诊可以办理出院")
        if visit.status != VisitStatus.OPEN:
            raise Conflict("visit_not_open", "该住院不在院")
        if discharge_date < visit.visit_date or discharge_date > timezone.localdate():
            raise ValidationFailed({"discharge_date": "出院日期须在入院日期与今天之间"})
        visit.discharge_date = discharge_date
        visit.status = VisitStatus.DISCHARGED
        visit.save(update_fields=["discharge_date", "status"])
        record(
            action="update",
            object_type="insurance.visit",
            object_id=str(visit.pk),
            region_code=visit.region_code,
            request=request,
            institution_id=institution.pk,
            changes={"status": ["open", "discharged"]},
        )
    return visit


def do_cancel_discharge(institution, his_visit_no: str, *, request=None) -> Visit:
    """2405: a discharge recorded by mistake; the stay is open again (not once settled:
    the settlement is reversed first)."""
    with transaction.atomic():
        visit = get_visit(institution, his_visit_no, lock=True)
        if visit.visit_type != "inpatient":
            raise Refused("not_inpatient", "只有住院就诊可以撤销出院")
        if visit.status == VisitStatus.SETTLED:
            raise Conflict("visit_settled", "已结算的住院须先冲正结算")
        if visit.status != VisitStatus.DISCHARGED:
            raise Conflict("visit_not_discharged", "该住院尚未办理出院")
        old = visit.discharge_date
        visit.discharge_date = None
        visit.status = VisitStatus.OPEN
        visit.save(update_fields=["discharge_date", "status"])
        record(
            action="update",
            object_type="insurance.visit",
            object_id=str(visit.pk),
            region_code=visit.region_code,
            request=request,
            institution_id=institution.pk,
            changes={"status": ["discharged", "open"], "discharge_date": [str(old), None]},
        )
    return visit


# ---------------------------------------------------------------- settle


def _claim(visit: Visit, fees: list[tuple]) -> engine.Claim:
    """The engine's claim from the visit and its `_FEES` rows."""
    if not fees:
        raise Refused("no_fees", "该就诊没有费用明细")
    return engine.Claim(
        visit_type=visit.visit_type,
        institution_level=visit.institution_level,
        person_category=visit.person_category,
        lines=tuple(
            engine.ClaimLine(
                code=code,
                name=name,
                cls=item_class,
                quantity=quantity,
                unit_price=unit_price,
                ceiling=ceiling,
                b_self_ratio=b_self_ratio,
            )
            for _pk, code, name, item_class, quantity, unit_price, ceiling, b_self_ratio in fees
        ),
    )


def _plan_for(visit: Visit):
    row = plans.active_plan_for(visit.region_code, visit.visit_date.year)
    if row is None:
        raise Refused("no_plan", "参保地当年没有生效的结算方案")
    return row, plans.parsed(row)


def pre_settle(institution: Institution, his_visit_no: str) -> engine.Settlement:
    """2206 / 2303: the full result; nothing is written."""
    visit = get_visit(institution, his_visit_no)
    if visit.status == VisitStatus.SETTLED:
        raise Conflict("visit_settled", "该就诊已结算")
    if visit.status == VisitStatus.CANCELLED:
        raise Conflict("visit_closed", "该就诊已撤销")
    # What settling would refuse, pre-settling refuses too.
    check_institution(institution, visit.visit_date)
    coverage(visit.person, visit.visit_date)
    _, plan = _plan_for(visit)
    fees = _FEES.tuples(visit=visit.pk)
    acc = _ACCUMULATOR.first(person=visit.person_id, year=visit.visit_date.year)
    return engine.adjudicate(plan, _claim(visit, fees), ytd.ytd_of(acc))


def _lock_accumulator(person_id: int, region_code: str, year: int) -> Accumulator:
    """The person's row for the year, created if missing, locked until commit.

    One statement: INSERT … ON CONFLICT DO UPDATE locks an existing row as FOR UPDATE
    would (waiting for a concurrent settlement to commit) and returns its latest values,
    so neither the first visit of the year nor a race needs a second round trip.
    """
    connection = connections[Accumulator.objects.db]
    fresh = Accumulator(person_id=person_id, year=year, region_code=region_code)
    fields = [f for f in Accumulator._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(fresh, True), connection) for f in fields]
    q = connection.ops.quote_name
    columns = ", ".join(q(f.column) for f in fields)
    every = ", ".join(q(f.column) for f in Accumulator._meta.concrete_fields)
    year_col = q("year")
    # Only quoted names from the model go into the text; the values are parameters.
    sql = (
        f"INSERT INTO {q(Accumulator._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({q('person_id')}, {year_col}) "
        f"DO UPDATE SET {year_col} = EXCLUDED.{year_col} "
        f"RETURNING {every}"
    )
    # raw() converts the columns as the ORM would (JSON, decimals) on either database.
    (acc,) = Accumulator.objects.raw(sql, values)  # read to the end: the statement completes
    return acc


def check_refundable(person_id: int, region_code: str, year: int) -> None:
    """A contribution is not refunded once the year's benefits were used (an unreversed
    settlement). Takes the person's lock for the year, as settling does, so a refund
    and a settlement never both go through."""
    _lock_accumulator(person_id, region_code, year)
    used = Settlement.objects.filter(
        person_id=person_id,
        year=year,
        kind=SettlementKind.SETTLE,
        reversed_at__isnull=True,
    ).exists()
    if used:
        raise Conflict(
            "benefits_used",
            "该参保人本年度已享受医保待遇（有未冲正的结算），不能退费；须先冲正相关结算",
        )


_ACCUMULATED = [
    "basic_paid",
    "basic_paid_by_type",
    "deductible_paid_by_type",
    "ci_base",
    "ci_paid",
    "assistance_paid",
    "updated_at",
]


def _apply(acc: Accumulator, year: engine.YearToDate) -> None:
    acc.basic_paid = year.basic_paid
    acc.basic_paid_by_type = {k: str(v) for k, v in year.basic_paid_by_type.items()}
    acc.deductible_paid_by_type = {k: str(v) for k, v in year.deductible_paid_by_type.items()}
    acc.ci_base = year.ci_base
    acc.ci_paid = year.ci_paid
    acc.assistance_paid = year.assistance_paid
    statements.update(acc, _ACCUMULATED)


def _settlement_replay(institution, key: str):
    """A settlement (or reversal) keeps its key (unique per institution), so the record
    stores no answer: the replay reads the row by key. The row does not change once
    written (only reversed_at, which the answer does not show)."""
    return lambda _answer: Settlement.objects.select_related("visit").get(
        institution=institution, idempotency_key=key
    )


def _post_entry(s, sign: int, **entry) -> None:
    """The settlement's (or reversal's) fund entry; none when the funds pay nothing."""
    lines = ytd.ledger_lines(s, sign)
    if lines:
        ledger.post(source_type="settlement", lines=lines, **entry)


def do_settle(
    institution: Institution,
    his_visit_no: str,
    idempotency_key: str,
    body: dict,
    *,
    actor=None,
    request=None,
) -> tuple[Settlement, bool]:
    """2207 / 2304. Returns (settlement, replayed)."""
    request_body = {"visit": his_visit_no, **body}
    digest = idempotency.request_hash("settle", request_body)

    def settle() -> Settlement:
        visit = get_visit(institution, his_visit_no, lock=True)
        if visit.status == VisitStatus.SETTLED:
            raise Conflict("visit_settled", "该就诊已结算")
        if visit.status == VisitStatus.CANCELLED:
            raise Conflict("visit_closed", "该就诊已撤销")
        if visit.visit_type == "inpatient" and visit.status != VisitStatus.DISCHARGED:
            raise Refused("not_discharged", "住院结算前须办理出院")
        # Checked again at settlement, not only at registration: an institution
        # suspended since, or a stay outside its designation, is not paid.
        check_institution(institution, visit.visit_date)
        plan_row, plan = _plan_for(visit)
        fees = _FEES.tuples(visit=visit.pk)
        claim = _claim(visit, fees)
        year = visit.visit_date.year
        acc = _lock_accumulator(visit.person_id, visit.region_code, year)
        # Under the person's lock for the year, which a refund of their contribution
        # also takes (check_refundable): either the refund committed first and the
        # person is seen uninsured here, or it waits and then sees this settlement.
        coverage(visit.person, visit.visit_date)
        before = ytd.ytd_of(acc)
        result = engine.adjudicate(plan, claim, before)
        _apply(acc, result.ytd_after)
        payload = result.as_json()
        payload["ytd_delta"] = ytd.delta(before, result.ytd_after)
        # The fee rows the lines priced, in the lines' order: the receipt names each line
        # from its own row, even after lines were cancelled and re-entered.
        payload["fee_lines"] = [f[0] for f in fees]
        settlement = Settlement(
            visit=visit,
            person_id=visit.person_id,
            institution=institution,
            region_code=visit.region_code,
            plan=plan_row,
            year=year,
            kind=SettlementKind.SETTLE,
            visit_type=visit.visit_type,
            person_category=visit.person_category,
            total=result.total,
            self_pay=result.self_pay,
            b_self_pay=result.b_self_pay,
            eligible=result.eligible,
            deductible=result.deductible,
            basic_fund=result.basic_fund,
            critical_illness=result.critical_illness,
            assistance=result.assistance,
            patient_pay=result.patient_pay,
            result=payload,
            idempotency_key=idempotency_key,
            request_hash=digest,
            settled_by=actor if actor is not None and actor.is_authenticated else None,
            terminal=getattr(request, "auth_terminal", "") if request else "",
            verification_code=secrets.token_hex(6).upper(),
        )
        statements.insert(settlement)
        visit.status = VisitStatus.SETTLED
        statements.update(visit, ["status"])
        _post_entry(
            result,
            +1,
            region_code=plan_row.region_code,
            year=year,
            source_id=settlement.pk,
            purpose="settle",
            memo=f"结算 {institution.name} {visit.his_visit_no}",
        )
        record(
            action="create",
            object_type="insurance.settlement",
            object_id=str(settlement.pk),
            region_code=visit.region_code,
            request=request,
            actor=actor,
            institution_id=institution.pk,
        )
        return settlement

    return once(
        institution,
        idempotency_key,
        "settle",
        request_body,
        settle,
        answer=None,
        replay=_settlement_replay(institution, idempotency_key),
        clash=Conflict("visit_settled", "该就诊已结算"),
    )


def do_reverse(
    institution: Institution,
    settlement_id: int,
    idempotency_key: str,
    reason: str,
    *,
    actor=None,
    request=None,
) -> tuple[Settlement, bool]:
    """2208 / 2305: a compensating settlement that restores the accumulators exactly."""
    if not reason.strip():
        raise ValidationFailed({"reason": "须填写冲正原因"})
    request_body = {"settlement": settlement_id, "reason": reason}
    digest = idempotency.request_hash("reverse", request_body)

    def reverse() -> Settlement:
        original = (
            # The settlement row only: locking the joined plan too made every reversal
            # take the plan row FOR UPDATE, which deadlocks with a concurrent settlement
            # of the same person (it holds the year's accumulator and, at COMMIT, checks
            # its foreign key to the plan).
            Settlement.objects.select_for_update(of=("self",))
            .select_related("visit", "plan")
            .filter(pk=settlement_id, kind=SettlementKind.SETTLE)
            .first()
        )
        # Another institution's settlement is simply not found.
        if original is None or original.institution_id != institution.pk:
            raise NotFound("结算记录")
        if original.reversed_at is not None:
            raise Conflict("already_reversed", "该结算已冲正")
        # A settlement already cleared may still be reversed (an error found later): the
        # reversal is a settlement of the month it is made in, so that month's clearing
        # nets it against what the institution is paid.
        acc = _lock_accumulator(original.person_id, original.region_code, original.year)
        restored = ytd.undo(ytd.ytd_of(acc), original.result["ytd_delta"])
        _apply(acc, restored)
        negated = {
            f: -getattr(original, f)
            for f in (
                "total",
                "self_pay",
                "b_self_pay",
                "eligible",
                "deductible",
                "basic_fund",
                "critical_illness",
                "assistance",
                "patient_pay",
            )
        }
        reversal = Settlement.objects.create(
            visit=original.visit,
            person_id=original.person_id,
            institution=institution,
            region_code=original.region_code,
            plan=original.plan,
            year=original.year,
            kind=SettlementKind.REVERSAL,
            reverses=original,
            visit_type=original.visit_type,
            person_category=original.person_category,
            result={"reason": reason.strip()[:200], "reverses": original.pk},
            idempotency_key=idempotency_key,
            request_hash=digest,
            settled_by=actor if actor is not None and actor.is_authenticated else None,
            terminal=getattr(request, "auth_terminal", "") if request else "",
            verification_code=secrets.token_hex(6).upper(),
            **negated,
        )
        original.reversed_at = timezone.now()
        original.save(update_fields=["reversed_at"])
        Visit.objects.filter(pk=original.visit_id).update(
            status=VisitStatus.OPEN
            if original.visit.visit_type != "inpatient"
            else VisitStatus.DISCHARGED
        )
        _post_entry(
            original,
            -1,
            region_code=original.plan.region_code,
            year=original.year,
            source_id=original.pk,
            purpose="reverse",
            memo=f"冲正 {original.pk}：{reason.strip()[:100]}",
        )
        record(
            action="update",
            object_type="insurance.settlement",
            object_id=str(original.pk),
            region_code=original.region_code,
            request=request,
            actor=actor,
            institution_id=institution.pk,
            changes={"reversed": [False, True]},
            purpose=reason.strip()[:200],
        )
        return reversal

    return once(
        institution,
        idempotency_key,
        "reverse",
        request_body,
        reverse,
        answer=None,
        replay=_settlement_replay(institution, idempotency_key),
        clash=Conflict("already_reversed", "该结算已冲正"),
    )
