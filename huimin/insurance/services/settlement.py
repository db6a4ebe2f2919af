"""2206/2303 pre-settle and 2207/2304 settle: the walk of DESIGN.md §2.

Lock the person's accumulator row for the year, run the pure engine, write the
settlement, the accumulators, the ledger entry and the audit record in one transaction.
Queries per settlement do not grow with the number of fee lines."""

import secrets
from dataclasses import dataclass

from huimin.audit.services import record
from huimin.core import idempotency, statements
from huimin.core.errors import Conflict
from huimin.insurance import claim_checks, engine, plans, ytd
from huimin.insurance.ledger import rules as ledger_rules
from huimin.insurance.ledger import services as ledger
from huimin.insurance.models import (
    Accumulator,
    Settlement,
    SettlementKind,
    Visit,
    VisitStatus,
    VisitType,
)
from huimin.insurance.services.base import Refused, once
from huimin.insurance.services.lookup import (
    ACCUMULATOR,
    FEE_ROWS,
    check_institution,
    coverage,
    get_visit,
)
from huimin.registry.models import Institution


def _claim(visit: Visit, fees: list[tuple]) -> engine.Claim:
    """The engine's claim from the visit and its `FEE_ROWS` rows."""
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


@dataclass(frozen=True)
class PreSettled:
    """2206 / 2303's answer: the engine's result and the review findings that let it
    through."""

    result: engine.Settlement
    review_findings: list[dict]

    def as_json(self) -> dict:
        return self.result.as_json() | {"review_findings": self.review_findings}


def pre_settle(
    institution: Institution, his_visit_no: str, *, actor=None, request=None
) -> PreSettled:
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
    fees = FEE_ROWS.tuples(visit=visit.pk)
    acc = ACCUMULATOR.first(person=visit.person_id, year=visit.visit_date.year)
    before = ytd.ytd_of(acc)
    result = engine.adjudicate(plan, _claim(visit, fees), before)
    claim = claim_in_hand(
        "pre_settle", visit, fees, plan, before, result, actor=actor, request=request
    )
    return PreSettled(result, claim_checks.findings(checked(claim)))


def claim_in_hand(
    stage: str, visit: Visit, fees: list[tuple], plan, before, result, *, actor, request
) -> claim_checks.ClaimInHand:
    """What the review rules see of a claim once adjudicated."""
    operator = _operator(actor)
    return claim_checks.ClaimInHand(
        stage=stage,
        visit_id=visit.pk,
        person_id=visit.person_id,
        institution_id=visit.institution_id,
        region_code=visit.region_code,
        year=visit.visit_date.year,
        visit_type=visit.visit_type,
        visit_date=visit.visit_date,
        discharge_date=visit.discharge_date,
        diagnosis_code=visit.diagnosis_code,
        fee_line_ids=tuple(f[0] for f in fees),
        terminal=_terminal(request),
        operator_id=operator.pk if operator is not None else None,
        basic_ytd_before=before.basic_paid,
        basic_this=result.basic_fund,
        annual_cap=plan.annual_cap,
        lines_digest=claim_checks.lines_digest(fees),
        fund_paid=result.basic_fund + result.critical_illness + result.assistance,
    )


def checked(claim: claim_checks.ClaimInHand) -> list[claim_checks.CheckResult]:
    """The review rules' results; a blocking one refuses the claim (422 review_blocked)."""
    results = claim_checks.run_checks(claim)
    blocked = claim_checks.blocking(results)
    if blocked:
        fields: dict[str, str] = {}
        for r in blocked:
            fields[r.rule] = f"{fields[r.rule]}；{r.message}" if r.rule in fields else r.message
        raise Refused("review_blocked", "；".join(r.message for r in blocked), fields)
    return results


def _operator(actor):
    """The staff user acting, or None (an institution's machine credential)."""
    return actor if actor is not None and actor.is_authenticated else None


def _terminal(request) -> str:
    return getattr(request, "auth_terminal", "") if request else ""


def lock_accumulator(person_id: int, region_code: str, year: int) -> Accumulator:
    """The person's row for the year, created if missing, locked until commit: one
    statement (INSERT … ON CONFLICT DO UPDATE … RETURNING), so neither the first visit
    of the year nor a race needs a second round trip."""
    fresh = Accumulator(person_id=person_id, year=year, region_code=region_code)
    return statements.lock_or_create(fresh, ("person_id", "year"))


def check_refundable(person_id: int, region_code: str, year: int) -> None:
    """A contribution is not refunded once the year's benefits were used (an unreversed
    settlement). Takes the person's lock for the year, as settling does, so a refund
    and a settlement never both go through."""
    lock_accumulator(person_id, region_code, year)
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


def apply_ytd(acc: Accumulator, year: engine.YearToDate) -> None:
    acc.basic_paid = year.basic_paid
    acc.basic_paid_by_type = {k: str(v) for k, v in year.basic_paid_by_type.items()}
    acc.deductible_paid_by_type = {k: str(v) for k, v in year.deductible_paid_by_type.items()}
    acc.ci_base = year.ci_base
    acc.ci_paid = year.ci_paid
    acc.assistance_paid = year.assistance_paid
    statements.update(acc, _ACCUMULATED)


def settlement_replay(institution, key: str):
    """A settlement (or reversal) keeps its key (unique per institution), so the record
    stores no answer: the replay reads the row by key, review findings included. The row
    does not change once written (only reversed_at, which the answer does not show)."""
    return lambda _answer: Settlement.objects.select_related("visit").get(
        institution=institution, idempotency_key=key
    )


def write(row: Settlement, visit: Visit, *, ledger_region: str, memo: str) -> None:
    """The one path a settlement or a reversal is written by: its row, the visit's new
    status, and its fund entry (none when the funds pay nothing). A reversal's entry is
    the settlement's, the other way round, with the settlement as its source."""
    statements.insert(row)
    statements.update(visit, ["status"])
    settles = row.kind == SettlementKind.SETTLE
    fund = row if settles else row.reverses
    lines = ledger_rules.settlement_lines(fund, +1 if settles else -1)
    if lines:
        ledger.post(
            source_type="settlement",
            lines=lines,
            region_code=ledger_region,
            year=row.year,
            source_id=fund.pk,
            purpose="settle" if settles else "reverse",
            memo=memo,
        )


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
        if visit.visit_type == VisitType.INPATIENT and visit.status != VisitStatus.DISCHARGED:
            raise Refused("not_discharged", "住院结算前须办理出院")
        # Checked again at settlement, not only at registration: an institution
        # suspended since, or a stay outside its designation, is not paid.
        check_institution(institution, visit.visit_date)
        plan_row, plan = _plan_for(visit)
        fees = FEE_ROWS.tuples(visit=visit.pk)
        claim = _claim(visit, fees)
        year = visit.visit_date.year
        acc = lock_accumulator(visit.person_id, visit.region_code, year)
        # Under the person's lock for the year, which a refund of their contribution
        # also takes (check_refundable): either the refund committed first and the
        # person is seen uninsured here, or it waits and then sees this settlement.
        coverage(visit.person, visit.visit_date)
        before = ytd.ytd_of(acc)
        result = engine.adjudicate(plan, claim, before)
        # Before anything is written: a blocking finding rolls back the lock's insert too.
        in_hand = claim_in_hand(
            "settle", visit, fees, plan, before, result, actor=actor, request=request
        )
        results = checked(in_hand)
        apply_ytd(acc, result.ytd_after)
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
            result=result.as_json(),
            ytd_delta=ytd.delta(before, result.ytd_after),
            # The fee rows the lines priced, in the lines' order: the receipt names each
            # line from its own row, even after lines were cancelled and re-entered.
            fee_line_ids=list(in_hand.fee_line_ids),
            review_findings=claim_checks.findings(results),
            idempotency_key=idempotency_key,
            request_hash=digest,
            settled_by=_operator(actor),
            terminal=_terminal(request),
            verification_code=secrets.token_hex(6).upper(),
        )
        visit.status = VisitStatus.SETTLED
        write(
            settlement,
            visit,
            ledger_region=plan_row.region_code,
            memo=f"结算 {institution.name} {visit.his_visit_no}",
        )
        claim_checks.record_settled(in_hand, settlement.pk, results)
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
        replay=settlement_replay(institution, idempotency_key),
        clash=Conflict("visit_settled", "该就诊已结算"),
    )
