"""Record loans (借阅): ask by ID number, approve in the person's jurisdiction, read for
a limited time through the registry's scope extension, end or expire."""

import datetime
import time

from django.db import transaction
from django.db.models import Q

from huimin.accounts import audit, conf, rules
from huimin.accounts.models import LoanStatus, RecordLoan
from huimin.accounts.services import can, now, refusals_recorded
from huimin.core import idnumber
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.policy import jurisdiction_of
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Person,
    PersonStatus,
    id_number_lookups,
)

# ---------------------------------------------------------------- record loans

MAX_OPEN_REQUESTS = 20


def active_loans(user, at: datetime.datetime | None = None):
    at = at or now()
    return RecordLoan.objects.filter(
        requester=user,
        status=LoanStatus.APPROVED,
        valid_from__lte=at,
        valid_until__gt=at,
        person__isnull=False,
    )


_MEMO = "_huimin_loan_person_ids"
# A page's user object lives for one request: long enough that a slow request never asks
# twice (its query count stays fixed), short enough for long-lived objects in commands.
MEMO_SECONDS = 30.0


def _active_loans_by_person(user) -> dict[int, int]:
    """{person: loan} of the loans in force for `user`.

    Remembered on the user object for a moment, so one request's several scoped queries
    and its audit record ask once; never past the end of the first loan to run out.
    """
    at = time.monotonic()
    memo = getattr(user, _MEMO, None)
    if memo is not None and memo[0] > at:
        return memo[1]
    wall = now()
    rows = list(active_loans(user, wall).values_list("person_id", "pk", "valid_until"))
    ttl = min([MEMO_SECONDS] + [(until - wall).total_seconds() for _, _, until in rows])
    by_person = {person_id: pk for person_id, pk, _ in rows}
    setattr(user, _MEMO, (at + ttl, by_person))
    return by_person


def active_loan_person_ids(user) -> list[int]:
    """People `user` may read under a loan now."""
    return list(_active_loans_by_person(user))


def forget_loans(user) -> None:
    if hasattr(user, _MEMO):
        delattr(user, _MEMO)


def loans_of_people(user, person_ids: list[int]) -> dict[int, int]:
    """{person: loan} for the people among `person_ids` that `user` reads under a loan now
    (the audit record names the loan). From the memo the request's scoping filled."""
    by_person = _active_loans_by_person(user)
    return {p: by_person[p] for p in person_ids if p in by_person}


def loan_scope(user, model):
    """Scope extension: people with an active loan for `user`, and their households."""
    if model not in (Person, Household):
        return None
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    # Evaluated here (one indexed query): a literal id list lets the database combine
    # it with the jurisdiction's index instead of scanning every row for a subquery.
    ids = active_loan_person_ids(user)
    if not ids:
        return None
    if model is Person:
        return Q(pk__in=ids)
    households = HouseholdMembership.objects.filter(person_id__in=ids, left_on__isnull=True)
    return Q(pk__in=list(households.values_list("household_id", flat=True)))


def check_request_loan(actor, id_number: str, reason: str, days) -> str:
    if not can(actor, "person.read"):
        raise PermissionDenied("您无权借阅居民档案")
    errors = rules.check_loan_request(
        idnumber.is_valid(id_number or ""), reason, days, conf.loan_max_days()
    )
    if errors:
        raise ValidationFailed(errors)
    open_count = RecordLoan.objects.filter(requester=actor, status=LoanStatus.REQUESTED).count()
    if open_count >= MAX_OPEN_REQUESTS:
        raise Conflict("too_many_requests", f"待审批的借阅申请已有{open_count}件，请等审批后再申请")
    return idnumber.normalise(id_number)


def do_request_loan(actor, id_number: str, reason: str, days, *, request=None) -> RecordLoan:
    """Ask to read one person's record. Says nothing about whether the person exists."""
    with refusals_recorded("loan_request", "accounts.recordloan", actor=actor, request=request):
        number = check_request_loan(actor, id_number, reason, days)
    person = Person.objects.filter(id_number_index__in=id_number_lookups(number)).first()
    # A duplicate merged away lives on in its survivor.
    while person is not None and person.status == PersonStatus.MERGED:
        person = Person.objects.filter(pk=person.merged_into_id).first()
    with transaction.atomic():
        loan = RecordLoan.objects.create(
            requester=actor,
            person=person,
            id_number_masked=idnumber.mask(number),
            reason=reason.strip(),
            days=days,
        )
        audit.record(
            action="loan_request",
            object_type="accounts.recordloan",
            object_id=str(loan.pk),
            region_code=person.village_id if person else "",
            purpose=loan.reason,
            loan_id=loan.pk,
            actor=actor,
            request=request,
        )
    return loan


def my_loans(actor):
    return (
        RecordLoan.objects.filter(requester=actor)
        .select_related("person", "approver")
        .order_by("-requested_at", "-id")
    )


def approver_queue(actor):
    """Pending requests for people in the actor's jurisdiction, not the actor's own."""
    prefix = jurisdiction_of(actor)
    if prefix is None or not can(actor, "loan.approve"):
        return RecordLoan.objects.none()
    return (
        RecordLoan.objects.filter(
            status=LoanStatus.REQUESTED, person__village__code__startswith=prefix
        )
        .exclude(requester=actor)
        .select_related("person__village", "requester__staff__institution")
        .order_by("requested_at", "id")
    )


def decided_by(actor):
    return (
        RecordLoan.objects.filter(approver=actor)
        .select_related("person", "requester")
        .order_by("-decided_at", "-id")
    )


def do_decide_loan(
    actor, loan_id: int, *, approve: bool, note: str = "", days=None, request=None
) -> RecordLoan:
    action = "loan_approve" if approve else "reject"
    note = (note or "").strip()
    with refusals_recorded(action, "accounts.recordloan", loan_id, actor=actor, request=request):
        with transaction.atomic():
            loan = RecordLoan.objects.select_for_update().filter(pk=loan_id).first()
            if loan is None:
                raise NotFound("借阅申请")
            person = loan.person
            problem = rules.decision_problem(
                approver_id=actor.pk,
                requester_id=loan.requester_id,
                approver_jurisdiction=jurisdiction_of(actor),
                person_village=person.village_id if person else None,
                may_approve=can(actor, "loan.approve"),
            )
            if problem:
                code = {
                    "不能审批自己的借阅申请": "self_approval",
                    "该居民不在您的辖区内，不能审批": "out_of_jurisdiction",
                }.get(problem, "forbidden")
                raise PermissionDenied(problem, code=code)
            if loan.status != LoanStatus.REQUESTED:
                raise Conflict("loan_not_pending", "该借阅申请已处理")
            errors = {}
            if len(note) > 500:
                errors["note"] = "审批意见不能超过500个字"
            elif not approve and not note:
                errors["note"] = "驳回时请填写意见"
            if approve:
                days = loan.days if days is None else days
                errors.update(rules.check_loan_days(days, conf.loan_max_days()))
            if errors:
                raise ValidationFailed(errors)
            at = now()
            loan.approver = actor
            loan.decided_at = at
            loan.decision_note = note
            if approve:
                loan.status = LoanStatus.APPROVED
                loan.valid_from = at
                loan.valid_until = at + datetime.timedelta(days=days)
            else:
                loan.status = LoanStatus.REJECTED
            loan.save()
            audit.record(
                action=action,
                object_type="accounts.recordloan",
                object_id=str(loan.pk),
                region_code=person.village_id,
                changes={"status": [LoanStatus.REQUESTED, loan.status]},
                purpose=note,
                loan_id=loan.pk,
                actor=actor,
                request=request,
            )
            return loan


def do_end_loan(actor, loan_id: int, *, note: str = "", request=None) -> RecordLoan:
    """End early: the requester (also withdrawing a pending request) or the approver."""
    note = (note or "").strip()
    refusal = refusals_recorded(
        "loan_end", "accounts.recordloan", loan_id, actor=actor, request=request
    )
    with refusal:
        with transaction.atomic():
            loan = RecordLoan.objects.select_for_update().filter(pk=loan_id).first()
            if loan is None or actor.pk not in (loan.requester_id, loan.approver_id):
                raise NotFound("借阅")
            at = now()
            active = rules.loan_is_active(loan.status, loan.valid_from, loan.valid_until, at)
            pending = loan.status == LoanStatus.REQUESTED and actor.pk == loan.requester_id
            if not (active or pending):
                raise Conflict("loan_not_active", "该借阅已结束、已过期或未批准")
            if len(note) > 500:
                raise ValidationFailed({"note": "说明不能超过500个字"})
            old = loan.status
            loan.status = LoanStatus.ENDED
            loan.ended_by = actor
            loan.ended_at = at
            loan.end_note = note
            loan.save()
            audit.record(
                action="loan_end",
                object_type="accounts.recordloan",
                object_id=str(loan.pk),
                region_code=loan.person.village_id if loan.person else "",
                changes={"status": [old, LoanStatus.ENDED]},
                purpose=note,
                loan_id=loan.pk,
                actor=actor,
                request=request,
            )
    forget_loans(actor)
    return loan


def do_expire_loans(at: datetime.datetime | None = None) -> int:
    """Mark loans past their end, and requests left undecided too long, as expired.

    Access already stops at valid_until (a query condition); this keeps statuses honest.
    """
    at = at or now()
    stale = at - datetime.timedelta(days=conf.loan_max_days())
    count = 0
    with transaction.atomic():
        due = RecordLoan.objects.select_for_update(of=("self",)).filter(
            Q(status=LoanStatus.APPROVED, valid_until__lte=at)
            | Q(status=LoanStatus.REQUESTED, requested_at__lte=stale)
        )
        for loan in due.select_related("person").order_by("pk"):
            old = loan.status
            loan.status = LoanStatus.EXPIRED
            loan.save(update_fields=["status"])
            audit.record(
                action="loan_end",
                object_type="accounts.recordloan",
                object_id=str(loan.pk),
                region_code=loan.person.village_id if loan.person else "",
                changes={"status": [old, LoanStatus.EXPIRED]},
                reason="expired",
                loan_id=loan.pk,
            )
            count += 1
    return count
