"""Programme registrations (纳入管理) and their end (结案/结束管理).

The rules of who may be registered are pure (schedule.registration_problems); here the
transaction, the lock on the record, the audit record, and the due list following.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from huimin.audit.services import record as audit
from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.records import schedule, services
from huimin.records.models import Programme


def do_register_programme(
    user, record_id: int, kind: str, registered_on: dt.date, details: dict | None = None
) -> Programme:
    details = dict(details or {})
    with transaction.atomic():
        record = services.get_record(user, record_id, for_update=True)
        services._check_writable(user, record, record.region_code)
        person = record.person
        open_rows = Programme.objects.filter(person=person, ended_on__isnull=True)
        open_kinds = set(open_rows.values_list("kind", flat=True))
        problems = schedule.registration_problems(
            kind,
            registered_on,
            details,
            today=services.today(),
            birth_date=person.birth_date,
            sex=person.sex,
            death_date=person.death_date,
            # At most one open registration per kind, a pregnancy included.
            open_kinds=frozenset(open_kinds),
        )
        if problems:
            raise ValidationFailed(problems)
        programme = Programme.objects.create(
            record=record,
            person=person,
            region_code=record.region_code,
            kind=kind,
            registered_on=registered_on,
            details=details,
            registered_by=user,
        )
        audit(
            action="create",
            object_type="records.programme",
            object_id=str(programme.pk),
            region_code=record.region_code,
            changes={"kind": kind, "registered_on": registered_on.isoformat()},
            actor=user,
        )
        services._touched(record, None)
        return programme


def do_end_programme(
    user,
    programme_id: int,
    ended_on: dt.date,
    reason: str,
    details: dict | None = None,
) -> Programme:
    """End a registration: a delivery ends a pregnancy (with `delivery_date` in
    `details`, which starts the postpartum visits); a move, refusal or death ends any."""
    with transaction.atomic():
        try:
            programme = Programme.objects.visible_to(user).select_for_update().get(pk=programme_id)
        except Programme.DoesNotExist:
            raise NotFound("管理项目") from None
        record = services.get_record(user, programme.record_id, for_update=True)
        services._check_writable(user, record, record.region_code)
        if programme.ended_on is not None:
            raise Conflict("programme_ended", "该管理项目已结束")
        merged = {**programme.details, **(details or {})}
        problems = schedule.ending_problems(
            programme.kind,
            programme.registered_on,
            ended_on,
            reason,
            merged,
            today=services.today(),
        )
        if problems:
            raise ValidationFailed(problems)
        programme.ended_on = ended_on
        programme.end_reason = reason
        programme.details = merged
        programme.save(update_fields=["ended_on", "end_reason", "details"])
        audit(
            action="update",
            object_type="records.programme",
            object_id=str(programme.pk),
            region_code=programme.region_code,
            changes={"ended_on": ended_on.isoformat(), "end_reason": reason},
            reason=schedule.END_REASONS[reason],
            actor=user,
        )
        services._touched(record, None)
        return programme
