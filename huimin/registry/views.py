"""Registry pages: thin views over the scoped querysets and services.

Every read of people, households and institutions starts from `visible_to(request.user)`;
regions are public reference data. ID numbers and phones are shown masked only.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huimin.core import idnumber
from huimin.core.errors import DomainError
from huimin.core.search import link_query, search_data
from huimin.policy import get_visible_or_404, has_perm, jurisdiction_of, logged_in, reads, requires
from huimin.registry import services
from huimin.registry.forms import (
    HouseholdFilter,
    InstitutionFilter,
    MergeForm,
    PersonFilter,
    RegionFilter,
    region_options,
)
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Institution,
    Person,
    PersonMerge,
    PersonStatus,
    Region,
    RegionLevel,
)

RESULTS_TARGET = "results"
# Village → township → county → city → province, joined in one query for breadcrumbs.
UP = "parent__parent__parent__parent"

# ---------------------------------------------------------------- helpers


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None


def keyset_page(qs, keys: tuple[str, ...], after: str, before: str, size: int) -> Page:
    """Rows after (or before) a cursor in `keys` order, without OFFSET or COUNT(*).

    Deep pages cost the same as the first one on a million rows: the cursor is the
    last row's key values and the next page starts at them through the index.
    """

    def decode(cursor: str):
        parts = cursor.split(",") if cursor else []
        return parts if len(parts) == len(keys) and all(parts) else None

    def beyond(values, op: str) -> Q:
        # (k1, k2) > (v1, v2) written so the leading column bounds an index range.
        strict = Q()
        for i in reversed(range(len(keys))):
            equal = {k: v for k, v in zip(keys[:i], values[:i], strict=True)}
            strict = Q(**equal, **{f"{keys[i]}__{op}": values[i]}) | strict
        return Q(**{f"{keys[0]}__{op}e": values[0]}) & strict

    def cursor_of(row) -> str:
        return ",".join(str(getattr(row, k)) for k in keys)

    after_values, before_values = decode(after), decode(before)
    try:
        if before_values:
            rows = list(
                qs.filter(beyond(before_values, "lt")).order_by(*(f"-{k}" for k in keys))[
                    : size + 1
                ]
            )
            has_more, rows = len(rows) > size, rows[:size][::-1]
            has_next, has_prev = True, has_more
        else:
            if after_values:
                qs = qs.filter(beyond(after_values, "gt"))
            rows = list(qs.order_by(*keys)[: size + 1])
            has_next, rows = len(rows) > size, rows[:size]
            has_prev = after_values is not None
    except (ValueError, TypeError):
        # A hand-edited cursor that does not fit the column types: start over.
        return keyset_page(qs, keys, "", "", size)
    return Page(
        rows=rows,
        next_cursor=cursor_of(rows[-1]) if rows and has_next else None,
        prev_cursor=cursor_of(rows[0]) if rows and has_prev else None,
    )


def page_of(request, qs, keys) -> Page:
    return keyset_page(
        qs,
        keys,
        request.GET.get("after", ""),
        request.GET.get("before", ""),
        settings.HUIMIN_PAGE_SIZE,
    )


def render_part(request, page: str, part: str, context: dict, target: str = RESULTS_TARGET):
    """The whole page, or only the part htmx asked for (the element whose id is `target`).

    A history restore (back button) also carries HX-Request and needs the whole page.
    """
    partial = request.headers.get("HX-Target") == target and not request.headers.get(
        "HX-History-Restore-Request"
    )
    context.setdefault("no_jurisdiction", jurisdiction_of(request.user) is None)
    response = render(request, part if partial else page, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def render_list(request, name: str, context: dict):
    # The pager's links keep the filters (regions and institutions: past one page, the
    # pager had nothing to build them from and the list answered 500).
    context.setdefault("pager_query", link_query(request, request.GET, "after", "before"))
    return render_part(request, f"registry/{name}.html", f"registry/_{name}_results.html", context)


def with_ages(people):
    """Age today, or at death for the deceased: shown instead of the birth date beside
    the masked ID number (idnumber.age_beside_mask)."""
    today = timezone.localdate()
    for p in people:
        p.age = idnumber.age_beside_mask(p.birth_date, p.death_date or today)
    return people


def ancestors(region: Region) -> list[Region]:
    """From the top down to the region's parent (the chain is select_related)."""
    chain, node = [], region.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain[::-1]


def may_read_people(user) -> bool:
    """A role must hold person.read (the three administrators do not). An account with no
    role gets through to be told it has no jurisdiction, and sees nothing: visible_to
    gives it no rows."""
    if getattr(user, "staff", None) is None:
        return True
    return has_perm(user, "person.read")


# ---------------------------------------------------------------- dashboard


@logged_in
@require_GET
def summary(request):
    """Counts for the home page, loaded after it so the page itself answers at once."""
    user = request.user
    prefix = jurisdiction_of(user)
    region = None
    if prefix:
        region = Region.objects.filter(prefix=prefix).order_by("code").first()
    counts = {"institutions": Institution.objects.visible_to(user).count()}
    if may_read_people(user):
        counts["people"] = (
            Person.objects.visible_to(user).filter(status=PersonStatus.ACTIVE).count()
        )
        counts["households"] = Household.objects.visible_to(user).count()
    return render_part(
        request,
        "registry/summary.html",
        "registry/_summary.html",
        {"counts": counts, "prefix": prefix, "region": region},
        target="summary",
    )


# ---------------------------------------------------------------- people


def _audited_get(request, qs, pk: int, object_type: str, people=None):
    """The row if the user may see it, with its audit record naming whose data it shows
    (`people(row)`, else worked out from the row); else 404 (also recorded)."""
    return get_visible_or_404(
        request.user, qs, pk, request=request, object_type=object_type, person_ids=people
    )


PERSON_KEYS = ("village_id", "id")


@requires("person.read", "您的角色不能查看居民个人信息")
@require_http_methods(["GET", "POST"])
def person_list(request):
    # The search box posts: an ID number never travels in the URL (core/search.py).
    data = search_data(request)
    form = PersonFilter(data)
    qs = form.apply(Person.objects.visible_to(request.user)).select_related("village__parent")
    page = page_of(request, qs, PERSON_KEYS)
    with_ages(page.rows)
    services.audit_search(
        request.user,
        "registry.person",
        page.rows,
        "search" if form.value("q") else "list",
        request=request,
    )
    response = render_list(
        request,
        "person_list",
        {
            "form": form,
            "page": page,
            "regions": region_options(request.user, form.value("region")),
            "hint": form.search_hint(),
            "pager_query": link_query(request, data, "after", "before"),
        },
    )
    if request.method == "POST":
        # The address bar shows the search as its links carry it: a token, not a number.
        query = link_query(request, data).urlencode()
        response["HX-Push-Url"] = request.path + (f"?{query}" if query else "")
    return response


@requires("person.read", "您的角色不能查看居民个人信息")
@require_GET
def person_detail(request, pk: int):
    user = request.user
    person = _audited_get(
        request,
        Person.objects.visible_to(user).select_related(f"village__{UP}"),
        pk,
        "registry.person",
        lambda person: [person.pk],
    )
    with_ages([person])
    memberships = list(person.memberships.select_related("household").order_by("-joined_on", "-id"))
    current = next((m for m in memberships if m.left_on is None), None)
    survivor = None
    merge = None
    if person.merged_into_id:
        survivor = Person.objects.visible_to(user).filter(pk=person.merged_into_id).first()
        merge = PersonMerge.objects.filter(merged=person).select_related("merged_by").first()
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "places": ancestors(person.village),
            "categories": person.categories.order_by("valid_from"),
            "memberships": memberships,
            "current": current,
            "survivor": survivor,
            "merge": merge,
            "merged_from": Person.objects.visible_to(user).filter(merged_into=person),
            "today": timezone.localdate(),
        },
    )


# ---------------------------------------------------------------- households


@requires("person.read", "您的角色不能查看居民个人信息")
@require_GET
def household_list(request):
    form = HouseholdFilter(request.GET)
    members = (
        HouseholdMembership.objects.filter(household=OuterRef("pk"), left_on__isnull=True)
        .values("household")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = (
        form.apply(Household.objects.visible_to(request.user))
        .select_related("head", "village__parent")
        # A correlated count runs only for the rows on the page, not the whole table.
        .annotate(member_count=Subquery(members, output_field=IntegerField()))
    )
    page = page_of(request, qs, ("number",))
    # Head names and addresses are the households' members' data.
    reads.audit_listing(
        request.user,
        model_label="registry.household",
        rows=page.rows,
        query_description="search" if form.value("q") else "list",
        request=request,
    )
    return render_list(
        request,
        "household_list",
        {
            "form": form,
            "page": page,
            "regions": region_options(request.user, form.value("region")),
        },
    )


@requires("person.read", "您的角色不能查看居民个人信息")
@require_GET
def household_detail(request, pk: int):
    household = _audited_get(
        request,
        Household.objects.visible_to(request.user).select_related(f"village__{UP}", "head"),
        pk,
        "registry.household",
        lambda household: reads.household_people(household.pk),
    )
    rows = list(
        household.memberships.select_related("person").order_by("relation", "joined_on", "id")
    )
    with_ages([m.person for m in rows])
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "places": ancestors(household.village),
            "members": [m for m in rows if m.left_on is None],
            "former": sorted(
                (m for m in rows if m.left_on is not None), key=lambda m: m.left_on, reverse=True
            ),
        },
    )


# ---------------------------------------------------------------- institutions


@logged_in
@require_GET
def institution_list(request):
    form = InstitutionFilter(request.GET)
    qs = form.apply(Institution.objects.visible_to(request.user)).select_related("region")
    page = page_of(request, qs, ("region_id", "insurance_code"))
    return render_list(request, "institution_list", {"form": form, "page": page})


@logged_in
@require_GET
def institution_detail(request, pk: int):
    visible = Institution.objects.visible_to(request.user)
    institution = get_object_or_404(visible.select_related(f"region__{UP}"), pk=pk)
    return render(
        request,
        "registry/institution_detail.html",
        {
            "institution": institution,
            "places": ancestors(institution.region),
            # A parent outside the user's jurisdiction is named by nothing but its absence.
            "parent": visible.filter(pk=institution.parent_id).first()
            if institution.parent_id
            else None,
            "branches": visible.filter(parent=institution).order_by("insurance_code"),
        },
    )


# ---------------------------------------------------------------- regions

# Children whose codes are fixed-length prefixes of a village code, so one GROUP BY counts
# the people under each of them.
CHILD_CODE_LENGTH = {RegionLevel.COUNTY: 9, RegionLevel.TOWNSHIP: 12}


@logged_in
@require_GET
def region_list(request):
    form = RegionFilter(request.GET)
    qs = form.apply(Region.objects.all()).select_related("parent")
    page = page_of(request, qs, ("code",))
    mine = None
    prefix = jurisdiction_of(request.user)
    if prefix:
        mine = Region.objects.filter(prefix=prefix).order_by("code").first()
    return render_list(request, "region_list", {"form": form, "page": page, "mine": mine})


@logged_in
@require_GET
def region_detail(request, code: str):
    user = request.user
    region = get_object_or_404(Region.objects.select_related(UP), code=code)
    people = Person.objects.visible_to(user).within(region.prefix)
    children = list(region.children.order_by("code")[:500])
    length = CHILD_CODE_LENGTH.get(region.level)
    if length and children:
        per_child = dict(
            people.filter(status=PersonStatus.ACTIVE)
            .annotate(child=Substr("village_id", 1, length))
            .values("child")
            .annotate(n=Count("id"))
            .values_list("child", "n")
        )
        for child in children:
            child.people = per_child.get(child.code, 0)
    return render(
        request,
        "registry/region_detail.html",
        {
            "region": region,
            "places": ancestors(region),
            "children": children,
            "counts_by_child": bool(length),
            "counts": {
                "people": people.filter(status=PersonStatus.ACTIVE).count(),
                "households": Household.objects.visible_to(user).within(region.prefix).count(),
                "institutions": Institution.objects.visible_to(user).within(region.prefix).count(),
            },
        },
    )


# ---------------------------------------------------------------- duplicates

FIELD_LABELS = {"survivor_id": "保留的居民", "merged_id": "被合并的居民", "reason": "合并原因"}


def duplicate_groups(user) -> list[dict]:
    """likely_duplicates' groups with their people, fetched in one query for all groups."""
    groups = services.likely_duplicates(user)
    if not groups:
        return []
    match = Q(
        *(
            Q(name=g["name"], birth_date=g["birth_date"], village_id=g["village_id"])
            for g in groups
        ),
        _connector=Q.OR,
    )
    current = Prefetch(
        "memberships",
        queryset=HouseholdMembership.objects.filter(left_on__isnull=True).select_related(
            "household"
        ),
        to_attr="current_memberships",
    )
    people = (
        Person.objects.visible_to(user)
        .filter(match, status=PersonStatus.ACTIVE)
        .select_related("village__parent")
        .prefetch_related(current)
        .order_by("id")
    )
    by_key: dict[tuple, list] = {}
    for p in people:
        by_key.setdefault((p.name, p.birth_date, p.village_id), []).append(p)
    out = []
    for g in groups:
        members = by_key.get((g["name"], g["birth_date"], g["village_id"]), [])
        if len(members) > 1:
            # The rows show masked numbers: the group names the age, not the birth date.
            age = idnumber.age_beside_mask(g["birth_date"], timezone.localdate())
            out.append({**g, "age": age, "people": members, "village": members[0].village})
    return out


def render_duplicates(request, *, form=None, error=None, status=200):
    groups = duplicate_groups(request.user)
    reads.audit_listing(
        request.user,
        model_label="registry.person",
        rows=[p for g in groups for p in g["people"]],
        query_description="疑似重复居民",
        request=request,
    )
    if form is not None:
        # The failed form's group shows the error and keeps what was typed.
        ids = {form.data.get("survivor_id"), form.data.get("merged_id")}
        for g in groups:
            g["failed"] = any(str(p.pk) in ids for p in g["people"])
    return render(
        request,
        "registry/duplicate_list.html",
        {"groups": groups, "form": form, "error": error},
        status=status,
    )


@requires("registry.write", "只有县医保经办人员和乡镇经办人员可以处理重复记录")
@require_GET
def duplicate_list(request):
    return render_duplicates(request)


@requires("registry.write", "只有县医保经办人员和乡镇经办人员可以处理重复记录")
@require_POST
def duplicate_merge(request):
    form = MergeForm(request.POST)
    if not form.is_valid():
        error = {
            "message": "输入有误，请检查后重试",
            "fields": {FIELD_LABELS.get(k, k): " ".join(v) for k, v in form.errors.items()},
        }
        return render_duplicates(request, form=form, error=error, status=422)
    data = form.cleaned_data
    try:
        record = services.do_merge_people(
            request.user, data["survivor_id"], data["merged_id"], data["reason"]
        )
    except DomainError as exc:
        error = {
            "message": exc.message,
            "fields": {FIELD_LABELS.get(k, k): v for k, v in exc.fields.items()},
        }
        return render_duplicates(request, form=form, error=error, status=exc.status)
    messages.success(
        request,
        f"已将居民 {record.merged.name}（编号{record.merged_id}）合并至编号{record.survivor_id}",
    )
    return redirect("registry:duplicate_list")
