"""Due services: keeps each record's DueService rows in step with its forms and
programmes (the schedule rules are pure, in schedule.py).

`refresh_many` does a batch of records in a fixed number of queries (programmes, forms
and existing rows each in one read, then at most one delete, one insert and one update),
so a single record after a form is signed and the nightly `refresh_due` over the
county share the same path.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huimin.records import schedule
from huimin.records.models import DueService, Form, FormStatus, Programme
from huimin.registry.models import Person

# The form kinds the schedule reads; other forms never change what is due.
SCHEDULED_KINDS = (
    *(kind for kind, _ in schedule.QUARTERLY.values()),
    "health_check",
    "newborn_visit",
    "child_check",
    "immunisation",
    "prenatal_first",
    "prenatal_followup",
    "postpartum_visit",
    "postpartum_42",
    *schedule.TCM_TB_KINDS,
)
# Forms older than this cannot change an adult's schedule: quarters and years look back
# one year at most, a pregnancy ten months. Children's forms (vaccines up to 18) are read
# from birth.
LOOKBACK_DAYS = 400


def refresh(record) -> None:
    """Recompute the record's due services."""
    refresh_many([record])


def refresh_many(records, today: dt.date | None = None) -> int:
    """Recompute the due rows of these records (each with its person loaded or
    loadable); returns how many rows were written or removed."""
    records = list(records)
    if not records:
        return 0
    today = today or timezone.localdate()
    people = {r.person_id: p for r, p in zip(records, _people(records), strict=True)}
    programmes = defaultdict(list)
    for p in Programme.objects.filter(person_id__in=list(people)).values(
        "person_id", "kind", "registered_on", "ended_on", "end_reason", "details"
    ):
        programmes[p.pop("person_id")].append(schedule.ProgrammeFact(**p))
    forms = defaultdict(list)
    for f in _forms(people, today):
        forms[f["person_id"]].append(
            schedule.FormFact(
                f["kind"],
                f["service_date"],
                f["next_due_date"],
                {k: f[k] for k in schedule.DATA_KEYS if f.get(k) is not None},
            )
        )
    wanted: dict[tuple[int, str, str], DueService] = {}
    for record in records:
        person = people[record.person_id]
        facts = schedule.Facts(
            today=today,
            birth_date=person.birth_date,
            sex=person.sex,
            death_date=person.death_date,
            record_status=record.status,
            programmes=tuple(programmes[record.person_id]),
            forms=tuple(forms[record.person_id]),
        )
        for item in schedule.due_services(facts):
            wanted[(record.person_id, item.service, item.occasion)] = DueService(
                record_id=record.pk,
                person_id=record.person_id,
                region_code=record.region_code,
                doctor_id=record.responsible_doctor_id,
                service=item.service,
                occasion=item.occasion,
                label=item.label,
                due_on=item.due_on,
                overdue_on=item.overdue_on,
            )
    return _replace(records, wanted)


def _people(records):
    missing = [r for r in records if "person" not in r._state.fields_cache]
    if missing:
        loaded = Person.objects.in_bulk([r.person_id for r in missing])
        for r in missing:
            r.person = loaded[r.person_id]
    return [r.person for r in records]


def _forms(people: dict, today: dt.date) -> list[dict]:
    """Signed forms in force of these people, with only the data keys the schedule
    reads, in one query."""
    cutoff = today - dt.timedelta(days=LOOKBACK_DAYS)
    born_after = dt.date(today.year - schedule.FORMS_FROM_BIRTH_UNDER_AGE - 1, 1, 1)
    children = [pid for pid, p in people.items() if p.birth_date and p.birth_date >= born_after]
    recent = Q(service_date__gte=cutoff)
    if children:
        recent |= Q(person_id__in=children)
    keys = [f"data__{k}" for k in schedule.DATA_KEYS]
    rows = Form.objects.filter(
        recent,
        person_id__in=list(people),
        status=FormStatus.SIGNED,
        kind__in=SCHEDULED_KINDS,
    ).values("person_id", "kind", "service_date", "next_due_date", *keys)
    return [{**row, **{k: row.pop(f"data__{k}") for k in schedule.DATA_KEYS}} for row in rows]


def _replace(records, wanted: dict) -> int:
    """Make the stored rows equal `wanted`: delete what is no longer due, insert what
    is new, update what moved."""
    fields = ("region_code", "doctor_id", "label", "due_on", "overdue_on")
    changed = 0
    with transaction.atomic():
        existing = {
            (d.person_id, d.service, d.occasion): d
            for d in DueService.objects.select_for_update().filter(
                record_id__in=[r.pk for r in records]
            )
        }
        gone = [d.pk for key, d in existing.items() if key not in wanted]
        if gone:
            DueService.objects.filter(pk__in=gone).delete()
        new = [row for key, row in wanted.items() if key not in existing]
        if new:
            DueService.objects.bulk_create(new, batch_size=1000)
        moved = []
        for key, row in wanted.items():
            old = existing.get(key)
            if old is not None and any(getattr(old, f) != getattr(row, f) for f in fields):
                for f in fields:
                    setattr(old, f, getattr(row, f))
                moved.append(old)
        if moved:
            DueService.objects.bulk_update(
                moved, ["region_code", "doctor", "label", "due_on", "overdue_on"], batch_size=1000
            )
        changed = len(gone) + len(new) + len(moved)
    return changed
