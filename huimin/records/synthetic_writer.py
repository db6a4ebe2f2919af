"""Writing synthetic health records (the huimin/records/synthetic package) for the people already
in the registry.

Village by village, people without a file are read, planned by the pure generator and
written with the registry writer's bulk insert (multi-row INSERT, COPY on PostgreSQL).
Each flush of about `batch_size` people is one transaction covering whole villages, so
an interrupted run leaves complete villages and a rerun skips everyone with a file.

Rows are written by the village's doctor when the village has a village-doctor
account (responsible doctor, creator and signer); otherwise by the inactive system
user `synthetic`, created once with no usable password and no role, so it cannot log
in and owns nothing but generated rows.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from huimin.records.models import Form, FormStatus, HealthRecord, Programme, RecordStatus
from huimin.records.synthetic import (
    PersonIn,
    RecordBatch,
    RecordsGenerator,
    form_columns,
)
from huimin.registry.models import Institution, InstitutionKind, Person, PersonStatus, Role, Staff
from huimin.registry.synthetic.writer import _insert

SYSTEM_USERNAME = "synthetic"


@dataclass
class RecordsWriteResult:
    records: int = 0
    closed: int = 0
    programmes: int = 0
    forms: int = 0
    drafts: int = 0
    skipped: int = 0  # people who already had a file
    injected: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def system_user():
    """The inactive author of generated rows where a village has no doctor account."""
    User = get_user_model()
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, first_name="合成数据", is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def village_doctors(prefix: str) -> dict[str, tuple[int, str]]:
    """Village code → (user id, name) of the village's doctor account: a village doctor
    working at a clinic of that village (the lowest id when there are several)."""
    out: dict[str, tuple[int, str]] = {}
    rows = (
        Staff.objects.filter(
            role=Role.VILLAGE_DOCTOR,
            user__is_active=True,
            institution__region__code__startswith=prefix,
        )
        .order_by("user_id")
        .values_list("institution__region_id", "user_id", "user__first_name", "user__username")
    )
    for village, user_id, first_name, username in rows:
        out.setdefault(village, (user_id, first_name or username))
    return out


def vaccinating_units(prefix: str) -> dict[str, str]:
    """Township code → its health centre's name (children are vaccinated there)."""
    rows = (
        Institution.objects.within(prefix)
        .filter(kind=InstitutionKind.TOWNSHIP_CENTRE)
        .order_by("insurance_code")
        .values_list("region_id", "name")
    )
    out: dict[str, str] = {}
    for township, name in rows:
        out.setdefault(township, f"{name}预防接种门诊"[:60])
    return out


def write_records(
    *,
    year: int,
    as_of: dt.date,
    seed: int,
    prefix: str = "",
    batch_size: int = 5000,
    progress: bool | None = None,
) -> RecordsWriteResult:
    """Give people under `prefix` without a file their generated records."""

    started = time.perf_counter()
    result = RecordsWriteResult()
    doctors = village_doctors(prefix)
    generator = RecordsGenerator(
        year,
        as_of=as_of,
        seed=seed,
        doctors={v: name for v, (_, name) in doctors.items()},
        units=vaccinating_units(prefix),
    )
    author = system_user().pk
    people = Person.objects.within(prefix).filter(status=PersonStatus.ACTIVE)
    result.skipped = HealthRecord.objects.filter(person__in=people).count()
    villages = list(people.order_by("village_id").values_list("village_id", flat=True).distinct())
    bar = tqdm(
        total=len(villages),
        unit="村",
        disable=None if progress is None else not progress,
        desc="生成健康档案",
        mininterval=0.5,
    )
    pending: list[RecordBatch] = []
    size = 0
    with bar:
        for village in villages:
            rows = (
                people.filter(village_id=village, health_record__isnull=True)
                .order_by("id")
                .values_list("id", "sex", "birth_date", "death_date")
            )
            batch = RecordBatch(village=village)
            for pid, sex, birth, death in rows.iterator(chunk_size=5000):
                generator.person(PersonIn(pid, sex, birth, death, village), batch)
            pending.append(batch)
            size += len(batch.records)
            if size >= batch_size:
                with transaction.atomic():
                    for b in pending:
                        _write_batch(b, generator, doctors, author, result)
                pending, size = [], 0
            bar.update(1)
        with transaction.atomic():
            for b in pending:
                _write_batch(b, generator, doctors, author, result)
    result.seconds = time.perf_counter() - started
    return result


def _write_batch(
    batch: RecordBatch,
    generator: RecordsGenerator,
    doctors: dict[str, tuple[int, str]],
    author: int,
    result: RecordsWriteResult,
) -> None:

    if not batch.records:
        return
    ops = connection.ops
    day = ops.adapt_datefield_value
    stamp = ops.adapt_datetimefield_value
    now = stamp(timezone.now())
    doctor = doctors.get(batch.village, (None, ""))[0]
    by = doctor or author
    serial = _last_serial(batch.village)
    record_rows = []
    for r in batch.records:
        serial += 1
        record_rows.append(
            (
                r.person,
                f"{batch.village}{serial:05d}",
                batch.village,
                doctor,
                RecordStatus.CLOSED.value if r.closed_on else RecordStatus.ACTIVE.value,
                day(r.opened_on),
                by,
                day(r.closed_on),
                r.close_reason,
                day(r.last_activity_on),
                False,
                now,
                now,
            )
        )
    if serial > 99999:
        raise RuntimeError(f"{batch.village}: record numbers exhausted")
    with connection.cursor() as cursor:
        ids = _insert(cursor, HealthRecord, _RECORD_FIELDS, record_rows, True)
        record_of = {r.person: i for r, i in zip(batch.records, ids, strict=True)}
        programme_rows = [
            (
                record_of[p.person],
                p.person,
                batch.village,
                p.kind,
                day(p.registered_on),
                day(p.ended_on),
                p.end_reason,
                json.dumps(p.details, ensure_ascii=False),
                by,
            )
            for p in batch.programmes
        ]
        programme_ids = _insert(cursor, Programme, _PROGRAMME_FIELDS, programme_rows, True)
        form_rows = []
        for f in batch.forms:
            cols = form_columns(generator.specs[f.kind], f.data)
            signed = f.signed
            form_rows.append(
                (
                    f.kind,
                    record_of[f.person],
                    f.person,
                    batch.village,
                    day(cols["service_date"]),
                    json.dumps(f.data, ensure_ascii=False),
                    FormStatus.SIGNED.value if signed else FormStatus.DRAFT.value,
                    programme_ids[f.programme] if f.programme is not None else None,
                    day(cols["next_due_date"]),
                    *(cols.get(c) for c in _MEASURE_COLUMNS),
                    cols["doctor_name"],
                    by,
                    now,
                    now,
                    by if signed else None,
                    stamp(f.signed_at) if signed else None,
                    "",
                )
            )
        _insert(cursor, Form, _FORM_FIELDS, form_rows, False)
    result.records += len(record_rows)
    result.closed += sum(1 for r in batch.records if r.closed_on)
    result.programmes += len(programme_rows)
    result.forms += len(form_rows)
    result.drafts += sum(1 for f in batch.forms if not f.signed)
    for i in batch.injected:
        result.injected[i.problem] = result.injected.get(i.problem, 0) + 1


def _last_serial(village: str) -> int:
    last = (
        HealthRecord.objects.filter(number__startswith=village)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return int(last[12:]) if last else 0


_RECORD_FIELDS = (
    "person number region_code responsible_doctor status opened_on opened_by closed_on "
    "close_reason last_activity_on qualified changed_at created_at"
).split()
_PROGRAMME_FIELDS = (
    "record person region_code kind registered_on ended_on end_reason details registered_by"
).split()
_MEASURE_COLUMNS = (
    "height_cm",
    "weight_kg",
    "waist_cm",
    "systolic",
    "diastolic",
    "fasting_glucose",
)
_FORM_FIELDS = [
    *"kind record person region_code service_date data status programme next_due_date".split(),
    *_MEASURE_COLUMNS,
    *"doctor_name created_by created_at updated_at signed_by signed_at amend_reason".split(),
]
