"""Writing a generated county: one transaction, multi-row INSERTs in batches."""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from huimin.registry import qualifications
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Institution,
    Person,
    PersonCategory,
    PersonStatus,
    Region,
    person_id_fields,
    person_ss_card_fields,
)
from huimin.registry.services import phone_columns
from huimin.registry.synthetic.county import CountyGenerator
from huimin.registry.synthetic.pools import make_credit_code, name_pinyin
from huimin.registry.synthetic.rows import SOURCE, VillageBatch


@dataclass
class WriteResult:
    townships: int = 0
    villages: int = 0
    institutions: int = 0
    households: int = 0
    people: int = 0
    deceased: int = 0
    categories: int = 0
    duplicates: int = 0
    seconds: float = 0.0


def write_county(
    generator: CountyGenerator,
    *,
    batch_size: int = 5000,
    progress: bool | None = None,
    progress_file=None,
) -> WriteResult:
    """Insert the generated county in one transaction, in bulk batches of people."""

    started = time.perf_counter()
    result = WriteResult()
    check_existing = Person.objects.exists()  # only then can a migrant's number clash
    with transaction.atomic():
        _write_regions(generator, result)
        _write_institutions(generator, result)
        bar = tqdm(
            total=generator.residents,
            unit="人",
            disable=None if progress is None else not progress,  # None: only on a terminal
            file=progress_file,
            desc="写入居民",
            mininterval=0.5,
        )
        with bar:
            pending = VillageBatch(village="")
            for b in generator.batches():
                pending.people += b.people
                pending.households += b.households
                pending.categories += b.categories
                pending.duplicates += b.duplicates
                if len(pending.people) >= batch_size:
                    _write_batch(generator, pending, result, check_existing)
                    bar.update(len(pending.people))
                    pending = VillageBatch(village="")
            if pending.people:
                _write_batch(generator, pending, result, check_existing)
                bar.update(len(pending.people))
    result.seconds = time.perf_counter() - started
    return result


def _write_regions(generator: CountyGenerator, result: WriteResult) -> None:
    rows = generator.region_rows()
    for level in ("township", "village"):
        objs = [
            Region(
                code=r.code,
                name=r.name,
                level=r.level,
                parent_id=r.parent,
                prefix=r.prefix,
                source=SOURCE,
            )
            for r in rows
            if r.level == level
        ]
        Region.objects.bulk_create(objs, batch_size=2000)
    result.townships = len(generator.townships)
    result.villages = len(generator.villages)


def _write_institutions(generator: CountyGenerator, result: WriteResult) -> None:
    """Fill the gaps: an institution is written only where none of its kind exists yet
    (a county hospital in the county, a centre in a township, a clinic in a village),
    with codes that do not clash with ones already registered."""
    county = generator.county
    existing = Institution.objects.within(county)
    have = {(kind, region): pk for kind, region, pk in existing.values_list("kind", "region", "pk")}
    taken_ins = set(
        Institution.objects.filter(insurance_code__startswith=f"H{county}").values_list(
            "insurance_code", flat=True
        )
    )
    taken_credit = set(Institution.objects.values_list("credit_code", flat=True))
    pks: dict[str, int] = {}
    next_seq = itertools.count(1)
    bump = random.Random(generator.seed)
    for clinics in (False, True):
        objs, keys = [], []
        for row in generator.institutions:
            if (row.kind == "village_clinic") != clinics:
                continue
            found = have.get((row.kind, row.region)) if row.kind != "pharmacy" else None
            if found is not None:
                pks[row.key] = found
                continue
            code = row.insurance_code(county)
            while code in taken_ins:
                code = f"H{county}{next(next_seq) + 90000:05d}"
            taken_ins.add(code)
            credit = row.credit_code
            while credit in taken_credit:
                credit = make_credit_code(bump, credit[:2], county)
            taken_credit.add(credit)
            objs.append(
                Institution(
                    name=row.name,
                    insurance_code=code,
                    credit_code=credit,
                    kind=row.kind,
                    level=row.level,
                    region_id=row.region,
                    parent_id=pks.get(row.parent) if row.parent else None,
                    designation_status="designated",
                    designated_from=row.designated_from,
                    address=row.address,
                    qualifications=qualifications.as_text(qualifications.BY_KIND.get(row.kind, ())),
                )
            )
            keys.append(row.key)
        Institution.objects.bulk_create(objs, batch_size=1000)
        for key, obj in zip(keys, objs, strict=True):
            pks[key] = obj.pk
        result.institutions += len(objs)


def _write_batch(
    generator: CountyGenerator, batch: VillageBatch, result: WriteResult, check_existing: bool
) -> None:
    """People, their households, memberships and categories: a few multi-row INSERTs.

    Plain SQL rather than bulk_create: building and compiling model instances cost
    three quarters of the time at 100,000 residents. Values go through the backend's
    own adapters, so what is stored is what the ORM would have stored.
    """

    ops = connection.ops
    day = ops.adapt_datefield_value
    now = ops.adapt_datetimefield_value(timezone.now())
    fields = [person_id_fields(p.id_number) for p in batch.people]
    if check_existing:
        _avoid_clashes(generator, batch, fields)
    person_rows = []
    for p, idf in zip(batch.people, fields, strict=True):
        initials, pinyin = name_pinyin(p.name)
        phone = phone_columns(p.phone)
        person_rows.append(
            (
                p.name,
                initials,
                pinyin,
                p.sex,
                day(p.birth_date),
                idf["id_number_enc"],
                idf["id_number_index"],
                idf["id_number_masked"],
                p.ethnicity,
                phone["phone_enc"],
                phone["phone_masked"],
                p.village,
                p.resident_type,
                day(p.death_date),
                PersonStatus.ACTIVE.value,
                now,
                now,
            )
        )
    with connection.cursor() as cursor:
        person_ids = _insert(cursor, Person, _PERSON_FIELDS, person_rows, returning=True)
        pk = {p.key: i for p, i in zip(batch.people, person_ids, strict=True)}
        _issue_ss_cards(cursor, person_ids)
        household_rows = [
            (h.number, h.village, h.address, pk.get(h.head), now, now) for h in batch.households
        ]
        household_ids = _insert(cursor, Household, _HOUSEHOLD_FIELDS, household_rows, True)
        membership_rows = [
            (hid, pk[m.person], m.relation, day(m.joined_on), day(m.left_on), m.reason)
            for h, hid in zip(batch.households, household_ids, strict=True)
            for m in h.members
        ]
        _insert(cursor, HouseholdMembership, _MEMBERSHIP_FIELDS, membership_rows, False)
        category_rows = [
            (pk[c.person], c.category, day(c.valid_from), day(c.valid_to), c.note)
            for c in batch.categories
        ]
        _insert(cursor, PersonCategory, _CATEGORY_FIELDS, category_rows, False)
    result.people += len(person_rows)
    result.households += len(household_rows)
    result.categories += len(category_rows)
    result.deceased += sum(1 for p in batch.people if p.death_date is not None)
    result.duplicates += batch.duplicates


def _issue_ss_cards(cursor, person_ids: list[int]) -> None:
    """Seven residents in ten hold a social-security card; its number comes from the
    row's id (S and eight digits), so it is unique without a lookup."""
    rows = []
    for pid in person_ids:
        if pid % 10 < 7 and pid < 10**8:
            card = person_ss_card_fields(f"S{pid:08d}")
            rows.append((card["ss_card_enc"], card["ss_card_index"], card["ss_card_masked"], pid))
    if rows:
        table = cursor.db.ops.quote_name(Person._meta.db_table)
        cursor.executemany(
            f"UPDATE {table} SET ss_card_enc = %s, ss_card_index = %s, "  # noqa: S608
            "ss_card_masked = %s WHERE id = %s",
            rows,
        )


_PERSON_FIELDS = (
    "name name_initials name_pinyin sex birth_date id_number_enc id_number_index "
    "id_number_masked ethnicity phone_enc phone_masked village resident_type death_date "
    "status created_at updated_at"
).split()
_HOUSEHOLD_FIELDS = "number village address head created_at updated_at".split()
_MEMBERSHIP_FIELDS = "household person relation joined_on left_on reason".split()
_CATEGORY_FIELDS = "person category valid_from valid_to note".split()


def _insert(cursor, model, fields: list[str], rows: list[tuple], returning: bool) -> list[int]:
    """Insert rows; with `returning`, the new ids in row order."""
    if connection.vendor == "postgresql":
        return _copy(cursor, model, fields, rows, returning)
    quote = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(quote(meta.get_field(f).column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Identifiers come from the model and are quoted; every value is a parameter.
    head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    chunk = max(1, 8000 // len(fields))  # well under SQLite's 32,766 parameters
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        cursor.execute(head + ", ".join([one] * len(part)) + tail, [v for r in part for v in r])
        if returning:
            got = [r[0] for r in cursor.fetchall()]
            # Ids are assigned in VALUES order; a reordered RETURNING would show here.
            if len(got) != len(part) or any(a >= b for a, b in itertools.pairwise(got)):
                raise RuntimeError(f"{meta.db_table}: RETURNING did not give ids in order")
            ids += got
    return ids


def _copy(cursor, model, fields: list[str], rows: list[tuple], returning: bool) -> list[int]:
    """PostgreSQL: COPY, with ids drawn from the table's own sequence beforehand.

    A multi-row INSERT of thousands of parameters spends most of its time in the
    client parsing placeholders; COPY streams rows and is several times faster.
    """
    quote = connection.ops.quote_name
    meta = model._meta
    table, pk = meta.db_table, meta.pk.column
    columns = [quote(meta.get_field(f).column) for f in fields]
    ids: list[int] = []
    if returning:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk, len(rows)],
        )
        ids = [r[0] for r in cursor.fetchall()]
        columns.insert(0, quote(pk))
        rows = [(i, *r) for i, r in zip(ids, rows, strict=True)]
    # Identifiers come from the model and are quoted; rows travel as COPY data.
    sql = f"COPY {quote(table)} ({', '.join(columns)}) FROM STDIN"
    with cursor.cursor.copy(sql) as copy:
        for r in rows:
            copy.write_row(r)
    return ids


def _avoid_clashes(generator: CountyGenerator, batch: VillageBatch, fields: list[dict]) -> None:
    """Reissue the (rare) numbers already held by someone outside this run."""
    while True:
        wanted = {f["id_number_index"]: i for i, f in enumerate(fields)}
        indexes = list(wanted)
        taken = set()
        for start in range(0, len(indexes), 2000):  # bounded IN lists for SQLite
            chunk = indexes[start : start + 2000]
            taken |= set(
                Person.objects.filter(id_number_index__in=chunk).values_list(
                    "id_number_index", flat=True
                )
            )
        if not taken:
            return
        for index in taken:
            i = wanted[index]
            p = batch.people[i]
            p.id_number = generator.ids.issue(p.id_number[:6], p.birth_date, p.sex)
            fields[i] = person_id_fields(p.id_number)
