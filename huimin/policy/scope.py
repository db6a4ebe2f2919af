"""Who may read which rows: a jurisdiction (region-code prefix) for every staff member,
and for institution staff their own institution.

A queryset class declares once which column carries a row's region (`region_field`)
and, for rows that belong to an institution, which carries it (`institution_field`);
`visible_to(user)` is then the one scoping method every list, detail, export and API
read goes through. Apps above the registry widen it with `register_scope_extension`
(record loans), without this module importing them.
"""

from django.db import models
from django.db.models import Q

from huimin.core.errors import PermissionDenied
from huimin.core.text import ascii_digits
from huimin.policy import rules
from huimin.policy.roles import INSTITUTION_ROLES


def staff_of(user):
    """The Staff row of an active, logged-in user, else None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "staff", None)


def jurisdiction_of(user) -> str | None:
    """The region-code prefix a user may read; None means nothing.

    Only a Staff row gives a jurisdiction: a Django superuser without one has none (see
    permissions.py for why superusers hold nothing here). Callers never turn None into
    "" (which would mean everything): they refuse, or read through `visible_to`.
    """
    staff = staff_of(user)
    return None if staff is None else staff.jurisdiction


def check_jurisdiction(user) -> str:
    """The user's jurisdiction prefix, or 403 for a user without one: the fail-closed
    way to get a prefix to compute with (never `jurisdiction_of(user) or ""`)."""
    prefix = jurisdiction_of(user)
    if prefix is None:
        raise PermissionDenied("您的账号没有辖区，不能办理此项业务", code="no_jurisdiction")
    return prefix


def institution_of(user) -> int | None:
    """The institution an institution-staff user acts for; None for everyone else."""
    staff = staff_of(user)
    if staff is None or staff.role not in INSTITUTION_ROLES:
        return None
    return staff.institution_id


def is_institution_staff(user) -> bool:
    staff = staff_of(user)
    return staff is not None and staff.role in INSTITUTION_ROLES


def in_jurisdiction(user, region_code: str | None) -> bool:
    return rules.within(jurisdiction_of(user), region_code)


# Apps above the registry widen what a user may read without the registry importing
# them: e.g. records registers approved record loans (借阅). Each extension is called as
# fn(user, model) and returns a Q of extra rows, or None.
_scope_extensions: list = []


def register_scope_extension(fn):
    if fn not in _scope_extensions:
        _scope_extensions.append(fn)
    return fn


def prefix_condition(field: str, prefix: str) -> Q:
    """Codes starting with a digit prefix, as a range: `code >= '430522' AND code <
    '430523'`. Unlike LIKE, a range lets an ordinary btree index on (code, id) both find
    the rows and return them in page order, under any collation (digits sort alike)."""
    if ascii_digits(prefix):
        upper = str(int(prefix) + 1).zfill(len(prefix))
        if len(upper) == len(prefix):
            return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
        return Q(**{f"{field}__gte": prefix})  # "999…": nothing sorts after it
    return Q(**{f"{field}__startswith": prefix})


class ScopedQuerySet(models.QuerySet):
    """Rows bounded by a region-code column; `visible_to` is the one scoping method."""

    region_field = "village__code"
    # Rows that belong to an institution (visits, settlements, clearing…) name the
    # column here: institution staff then see only their own institution's rows.
    institution_field: str | None = None

    def within(self, prefix: str):
        """Rows under a prefix the caller has already checked ("" is every row)."""
        if not prefix:
            return self
        return self.filter(prefix_condition(self.region_field, prefix))

    def of_institution(self, institution_id: int | None):
        """An institution's rows (for an institution's API client); none for None."""
        if self.institution_field is None:
            raise TypeError(f"{self.model.__name__} rows do not belong to an institution")
        if institution_id is None:
            return self.none()
        return self.filter(**{self.institution_field: institution_id})

    def visible_to(self, user):
        staff = staff_of(user)
        if self.institution_field is not None and staff is not None:
            if staff.role in INSTITUTION_ROLES:
                return self.of_institution(staff.institution_id)
        prefix = jurisdiction_of(user)
        if prefix == "":
            return self
        extra = [q for fn in _scope_extensions if (q := fn(user, self.model)) is not None]
        if prefix is None and not extra:
            return self.none()
        condition = Q(pk__in=[])
        if prefix is not None:
            condition = prefix_condition(self.region_field, prefix)
        for q in extra:
            condition |= q
        return self.filter(condition)


class RegionScopedQuerySet(ScopedQuerySet):
    """Large tables of the apps above carry their own `region_code` column."""

    region_field = "region_code"


class InstitutionRowsQuerySet(RegionScopedQuerySet):
    """Rows with their own region code that belong to an institution."""

    institution_field = "institution_id"


def visible_to(user, rows):
    """`rows` (a model or a queryset) as `user` may see them. A model without a scoped
    queryset cannot be read this way: refusing is safer than returning every row."""
    qs = rows._default_manager.all() if isinstance(rows, type) else rows
    if isinstance(qs, models.Manager):
        qs = qs.all()
    if not isinstance(qs, ScopedQuerySet):
        raise TypeError(f"{qs.model.__name__} has no scoped queryset (policy.scope)")
    return qs.visible_to(user)
