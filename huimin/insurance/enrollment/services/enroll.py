"""Household enrollment and its cancel."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from huimin.audit.services import record
from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.insurance.enrollment import rules
from huimin.insurance.enrollment.models import (
    Enrollment,
    EnrollmentStatus,
    PaymentMethod,
)
from huimin.insurance.enrollment.services.access import (
    locked_enrollment,
    today,
)
from huimin.insurance.enrollment.services.payments import book
from huimin.insurance.enrollment.services.periods import period_for
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Person,
    PersonCategory,
    PersonStatus,
)
from huimin.registry.services import check_can_write

# ---------------------------------------------------------------- enrollment


def get_household(user, household_id: int) -> Household:
    household = (
        Household.objects.visible_to(user).select_related("village").filter(pk=household_id).first()
    )
    if household is None:
        raise NotFound("家庭户")
    return household


def categories_in_force(person_ids, on: datetime.date) -> dict[int, list[str]]:
    rows = PersonCategory.objects.filter(person_id__in=list(person_ids), valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    out: dict[int, list[str]] = {}
    for person_id, category in rows.values_list("person_id", "category"):
        out.setdefault(person_id, []).append(category)
    return out


@dataclass
class EnrollResult:
    enrolled: list[Enrollment]
    skipped: list[dict]  # {"person_id", "name", "reason"}


def _skip(person: Person, reason: str) -> dict:
    return {"person_id": person.pk, "name": person.name, "reason": reason}


def _refusal(person: Person) -> str | None:
    if person.status == PersonStatus.MERGED:
        return "该居民记录已被合并，请为保留的记录登记参保"
    if person.death_date is not None:
        return f"该居民已于{person.death_date:%Y-%m-%d}死亡，不能参保"
    return None


def do_enroll_household(
    user,
    household_id: int,
    year: int,
    person_ids: list[int] | None = None,
    *,
    on: datetime.date | None = None,
    request=None,
) -> EnrollResult:
    """Enroll a household's current members for `year`.

    With `person_ids`, exactly those members: a deceased, merged or non-member person is
    refused with an error naming `person_ids[i]`, and nothing is written. Without, every
    current member: the deceased and merged are listed as skipped. Members already
    enrolled for the year are skipped in both cases.
    """
    on = on or today()
    try:
        with transaction.atomic():
            household = get_household(user, household_id)
            check_can_write(user, household.village_id)
            # One enrollment at a time per household: a double click waits, then skips.
            Household.objects.select_for_update().filter(pk=household.pk).first()
            period = period_for(household.village_id, year)
            if period is None:
                raise ValidationFailed(
                    {"year": f"{year}年度尚未设置参保登记期"}, code="no_enrollment_period"
                )
            problem = rules.check_enrollment_date(
                year, period.opens_on, period.closes_on, period.waiting_days, on
            )
            if problem:
                raise ValidationFailed({"year": problem}, code="enrollment_not_open")
            members = {
                m.person_id: m.person
                for m in HouseholdMembership.objects.filter(
                    household=household, left_on__isnull=True
                ).select_related("person")
            }
            skipped, chosen, errors = [], [], {}
            if person_ids is None:
                for person in sorted(members.values(), key=lambda p: p.pk):
                    reason = _refusal(person)
                    if reason:
                        skipped.append(_skip(person, reason))
                    else:
                        chosen.append(person)
            else:
                for i, pid in enumerate(person_ids):
                    person = members.get(pid)
                    reason = "不是本户现有成员" if person is None else _refusal(person)
                    if reason:
                        errors[f"person_ids[{i}]"] = reason
                    elif person not in chosen:
                        chosen.append(person)
                if not person_ids:
                    errors["person_ids"] = "请至少选择一名成员"
            if errors:
                raise ValidationFailed(errors, code="enroll_refused")
            enrolled_already = set(
                Enrollment.objects.filter(person_id__in=[p.pk for p in chosen], year=year)
                .exclude(status__in=[EnrollmentStatus.CANCELLED, EnrollmentStatus.REFUNDED])
                .values_list("person_id", flat=True)
            )
            for person in chosen:
                if person.pk in enrolled_already:
                    skipped.append(_skip(person, f"已登记{year}年度参保"))
            todo = [p for p in chosen if p.pk not in enrolled_already]
            enrolled = _create_enrollments(user, household, period, todo, on, request)
            return EnrollResult(enrolled=enrolled, skipped=skipped)
    except IntegrityError:
        # Another request enrolled one of these people between our check and insert.
        raise Conflict("already_enrolled", "成员已登记当年参保，请刷新后重试") from None


def _create_enrollments(user, household, period, people, on, request) -> list[Enrollment]:
    shares = rules.parse_shares(period.assistance_shares)
    categories = categories_in_force([p.pk for p in people], on)
    late = rules.is_late(period.closes_on, on)
    out = []
    for person in people:
        due = rules.contribution_due(
            period.individual, period.subsidy, shares, categories.get(person.pk, [])
        )
        enrollment = Enrollment.objects.create(
            period=period,
            person=person,
            household=household,
            year=period.year,
            region_code=person.village_id,
            individual_due=due.individual_due,
            assistance_share=due.assistance_share,
            personal_due=due.personal_due,
            subsidy=due.subsidy,
            category=due.category,
            enrolled_on=on,
            late=late,
            benefits_from=rules.benefits_start(period.year, late, on, period.waiting_days),
            enrolled_by=user,
        )
        enrollment.period = period
        record(
            action="create",
            object_type="enrollment.enrollment",
            object_id=str(enrollment.pk),
            region_code=enrollment.region_code,
            fields=["person", "year", "personal_due", "assistance_share", "subsidy"],
            actor=user,
            request=request,
        )
        if due.personal_due == 0:
            # Nothing to collect: medical assistance pays it all, so it is paid now.
            book(
                enrollment,
                amount=Decimal("0.00"),
                method=PaymentMethod.ASSISTANCE,
                paid_at=_moment(on),
                key=f"assistance:{enrollment.pk}",
                body_hash=rules.request_hash({"enrollment_id": enrollment.pk}),
                user=user,
                request=request,
            )
        out.append(enrollment)
    return out


def _moment(on: datetime.date) -> datetime.datetime:
    """Now, or noon of `on` when acting for another day (back-office entry, seed, tests)."""
    now = timezone.now()
    if timezone.localdate(now) == on:
        return now
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(12, 0)))


def do_cancel_enrollment(user, enrollment_id: int, *, request=None) -> Enrollment:
    with transaction.atomic():
        enrollment = locked_enrollment(user, enrollment_id)
        if enrollment.status != EnrollmentStatus.OWED:
            raise Conflict(
                "enrollment_not_owed",
                f"只能取消待缴费的参保登记，该登记{enrollment.get_status_display()}",
            )
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.cancelled_at = timezone.now()
        enrollment.save(update_fields=["status", "cancelled_at"])
        record(
            action="update",
            object_type="enrollment.enrollment",
            object_id=str(enrollment.pk),
            region_code=enrollment.region_code,
            changes={"status": [EnrollmentStatus.OWED.value, EnrollmentStatus.CANCELLED.value]},
            actor=user,
            request=request,
        )
        return enrollment
