"""Read-side queries shared by pages and the API: search and filters over scoped querysets."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from huimin.core import idnumber
from huimin.registry import rules
from huimin.registry.models import HouseholdMembership, PersonCategory, id_number_lookups


def search_people(qs: QuerySet, q: str) -> QuerySet:
    """One search box: full ID number (18 digits, or 15 for a legacy one), household
    number, pinyin, or name (prefix)."""
    q = (q or "").strip()
    if not q:
        return qs
    kind = rules.search_kind(q)
    if kind == "id_number":
        # A 15-digit legacy number finds the holder of its 18-digit upgrade.
        return qs.filter(id_number_index__in=id_number_lookups(idnumber.upgrade_legacy(q) or q))
    if kind == "household":
        members = HouseholdMembership.objects.filter(
            household__number=q, left_on__isnull=True
        ).values("person_id")
        return qs.filter(pk__in=members)
    if kind == "pinyin":
        low = q.lower()
        return qs.filter(Q(name_initials__startswith=low) | Q(name_pinyin__startswith=low))
    return qs.filter(name__startswith=q)


def filter_people(
    qs: QuerySet,
    *,
    region: str = "",
    sex: str = "",
    category: str = "",
    alive: bool | None = None,
) -> QuerySet:
    if region:
        qs = qs.within(region)
    if sex:
        qs = qs.filter(sex=sex)
    if category:
        today = timezone.localdate()
        # Exists, not a join: two open rows of one category must not list a person twice.
        in_force = PersonCategory.objects.filter(
            person=OuterRef("pk"), category=category, valid_from__lte=today
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        qs = qs.filter(Exists(in_force))
    if alive is True:
        qs = qs.filter(death_date__isnull=True)
    elif alive is False:
        qs = qs.filter(death_date__isnull=False)
    return qs


def search_households(qs: QuerySet, q: str) -> QuerySet:
    q = (q or "").strip()
    if not q:
        return qs
    if q.isdigit():
        return qs.filter(number__startswith=q)
    if q.isascii() and q.isalpha():
        low = q.lower()
        return qs.filter(
            Q(head__name_initials__startswith=low) | Q(head__name_pinyin__startswith=low)
        )
    return qs.filter(head__name__startswith=q)


def page(qs: QuerySet, offset: int, limit: int) -> tuple[list, int | None]:
    """A slice and the next offset (None at the end), without COUNT(*) over the table."""
    rows = list(qs[offset : offset + limit + 1])
    has_more = len(rows) > limit
    return rows[:limit], (offset + limit if has_more else None)
