"""2208/2305: a compensating settlement that restores the accumulators exactly."""

import secrets

from django.utils import timezone

from huimin.audit.services import record
from huimin.core import idempotency, statements
from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.insurance import ytd
from huimin.insurance.models import (
    Settlement,
    SettlementKind,
    VisitStatus,
    VisitType,
)
from huimin.insurance.services.base import once
from huimin.insurance.services.settlement import (
    apply_ytd,
    lock_accumulator,
    settlement_replay,
    write,
)
from huimin.registry.models import Institution


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
        acc = lock_accumulator(original.person_id, original.region_code, original.year)
        restored = ytd.undo(ytd.ytd_of(acc), original.ytd_delta)
        apply_ytd(acc, restored)
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
        reversal = Settlement(
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
        statements.update(original, ["reversed_at"])
        # The visit may be settled again: open, or discharged for a stay.
        visit = original.visit
        visit.status = (
            VisitStatus.DISCHARGED if visit.visit_type == VisitType.INPATIENT else VisitStatus.OPEN
        )
        write(
            reversal,
            visit,
            ledger_region=original.plan.region_code,
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
        replay=settlement_replay(institution, idempotency_key),
        clash=Conflict("already_reversed", "该结算已冲正"),
    )
