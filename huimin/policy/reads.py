"""Audited reads of personal data (DESIGN.md §6): every page, API response and export
that shows residents' data writes one audit event naming the rows it showed and the
residents they concern.

- `audit_read` — one object (a person, a household, a health record, a settlement…).
- `audit_listing` — a list, search result or export: ONE event per page or file, the
  row ids as ranges ("3-7,12") in `changes["ids"]` (and in `object_id` when they fit),
  their count, and the residents' ids, which `record` indexes for "who read my record"
  (audit.queries.reads_of_person).

A read made under a record loan (借阅) names the loan: apps that grant loans register a
lookup here (`register_loan_lookup`), so this layer needs no import of them.
"""

from collections.abc import Callable, Iterable

from huimin.audit import ids as id_ranges
from huimin.audit.models import AuditEvent
from huimin.audit.services import record
from huimin.core import ratelimit
from huimin.policy.scope import jurisdiction_of
from huimin.registry.models import Household, HouseholdMembership, Person

# An export's own limit (insurance EXPORT_LIMIT); past it an event keeps the count only.
MAX_IDS = 100_000
_OBJECT_ID_LENGTH = AuditEvent._meta.get_field("object_id").max_length

# fn(user, person_ids) -> {person_id: loan_id} for the people `user` reads under a loan now.
_loan_lookups: list[Callable[[object, list[int]], dict[int, int]]] = []


def register_loan_lookup(fn):
    _loan_lookups.append(fn)
    return fn


def loans_for(user, person_ids: Iterable[int], region_codes: Iterable[str] = ("",)) -> list[int]:
    """The loans under which `user` is reading these people. A loan is needed only
    outside one's jurisdiction: when every region code shown is inside it, nothing is
    asked (no query); an empty code means "not known here" and asks."""
    people = id_ranges.normalise(person_ids)
    if user is None or not people or not getattr(user, "is_authenticated", False):
        return []
    prefix = jurisdiction_of(user)
    if prefix == "":
        return []
    if prefix is not None and all(code and code.startswith(prefix) for code in region_codes):
        return []
    found: set[int] = set()
    for fn in _loan_lookups:
        found.update(fn(user, people).values())
    return sorted(found)


def _region_of(row) -> str:
    # From what was loaded only: touching a deferred field would cost a query per row.
    loaded = getattr(row, "__dict__", {})
    return loaded.get("village_id") or loaded.get("region_code") or ""


def people_of(rows) -> list[int]:
    """The residents a list of rows shows: a person's own id, a household's current
    members (its address and head are theirs too; one query), else a row's person_id."""
    people: set[int] = set()
    households: set[int] = set()
    for row in rows:
        if isinstance(row, Person):
            people.add(row.pk)
        elif isinstance(row, Household):
            households.add(row.pk)
            if row.head_id:
                people.add(row.head_id)
        elif getattr(row, "person_id", None):
            people.add(row.person_id)
    if households:
        people.update(
            HouseholdMembership.objects.filter(
                household_id__in=households, left_on__isnull=True
            ).values_list("person_id", flat=True)
        )
    return sorted(people)


def household_people(household_id: int) -> list[int]:
    """Everyone a household page shows: current and former members."""
    return sorted(
        set(
            HouseholdMembership.objects.filter(household_id=household_id).values_list(
                "person_id", flat=True
            )
        )
    )


def _loan_fields(user, person_ids, region_codes) -> dict:
    loans = loans_for(user, person_ids, region_codes)
    out = {"loan_id": loans[0] if loans else None}
    if len(loans) > 1:
        out["changes"] = {"loan_ids": id_ranges.to_ranges(loans)}
    return out


def audit_read(
    user,
    *,
    model_label: str,
    object_id,
    person_ids: Iterable[int] = (),
    region_code: str = "",
    fields: Iterable[str] = (),
    purpose: str = "",
    action: str = "read",
    request=None,
    institution_id: int | None = None,
) -> AuditEvent:
    """One object shown: who read it, whose data it is, and the loan if under one."""
    people = id_ranges.normalise(person_ids)
    loan = _loan_fields(user, people, [region_code or ""])
    return record(
        action=action,
        object_type=model_label,
        object_id=str(object_id),
        region_code=region_code or "",
        fields=list(fields),
        changes=loan.get("changes"),
        purpose=(purpose or "")[:200],
        actor=user,
        request=request,
        institution_id=institution_id,
        loan_id=loan["loan_id"],
        person_ids=people,
    )


def audit_listing(
    user,
    *,
    model_label: str,
    rows: Iterable = (),
    ids: Iterable | None = None,
    person_ids: Iterable[int] | None = None,
    action: str = "search",
    query_description: str = "",
    fields: Iterable[str] = (),
    region_code: str = "",
    request=None,
    institution_id: int | None = None,
) -> AuditEvent | None:
    """One list page, API page or export: ONE event naming every row shown.

    `rows` are the objects shown (their pks are the ids, and their residents are found
    by `people_of`); or pass `ids` and `person_ids` directly (an export that streams).
    `action` is "search" for lists and searches, "export" for files; `region_code`, when
    given, is where every row shown lies. A page that showed nothing writes nothing (no
    one's data was read); an export is recorded even when empty.
    """
    rows = list(rows)
    shown = id_ranges.normalise(ids if ids is not None else (r.pk for r in rows))
    people = id_ranges.normalise(person_ids if person_ids is not None else people_of(rows))
    if not shown and not people and action != "export":
        return None
    count = len(shown)
    if request is not None:
        # Harvesting through lists: counted before the answer is shown, so a refused one
        # (429) shows nothing. An export's rows are its own size, not a page's.
        ratelimit.listing(request, 0 if action == "export" else count)
    ranges = id_ranges.to_ranges(shown[:MAX_IDS])
    changes = {"ids": ranges, "count": count}
    if count > MAX_IDS:
        changes["truncated"] = True
    regions = [region_code] if region_code or ids is not None else [_region_of(r) for r in rows]
    loan = _loan_fields(user, people, regions)
    changes.update(loan.get("changes") or {})
    return record(
        action=action,
        object_type=model_label,
        object_id=ranges if len(ranges) <= _OBJECT_ID_LENGTH else f"共{count}条",
        region_code=region_code or "",
        fields=list(fields),
        changes=changes,
        purpose=(query_description or "")[:200],
        actor=user,
        request=request,
        institution_id=institution_id,
        loan_id=loan["loan_id"],
        person_ids=people[:MAX_IDS],
    )
