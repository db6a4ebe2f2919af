"""The generated policy matrix (issue #12): every page in the URL conf and every API
operation declares who may use it, and each runs as every role, in and out of scope.

- A page declares through huimin.policy (`requires`, `requires_any`, `logged_in`,
  `public`); an operation through its authentication (`api_requires`,
  `api_logged_in`, an institution bearer's scopes) or `public`. A new endpoint without
  a declaration fails `test_every_page_and_operation_declares_its_policy`.
- As every role and anonymous: without the permission → 403 (anonymous: a page sends
  them to log in, the API answers 401), before any object or body is looked at; with
  it → never 403, in scope the page or read answers, out of scope (another township,
  another institution) → 404.
- A page or read whose permission reads personal data and that answered 200 wrote an
  audit event naming the person ids it showed.
"""

import datetime
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from huimin.api import api
from huimin.audit.models import AuditEvent, AuditEventPerson
from huimin.policy import LOGGED_IN, PERSONAL_DATA_PERMISSIONS, PUBLIC, role_permissions
from huimin.policy.api import operation_policy
from huimin.policy.views import declared
from huimin.records import services as records
from huimin.registry.models import INSTITUTION_ROLES, Role
from tests import factories

TOWN, OTHER_TOWN = factories.TOWNSHIPS
INSIDE_VILLAGE, OUTSIDE_VILLAGE = factories.VILLAGES[0], factories.VILLAGES[2]
MISSING = 999999  # an id no object has: the gate is checked before any lookup

# Pages allowed to declare nothing yet: none. Keep it empty.
NOT_YET_DECLARED: set[str] = set()
# ninja's own page: /api/v1/ only redirects to the schema browser (declared public).
FRAMEWORK_ROUTES = {"api/v1/"}

# Pages that act on POST only: run as a POST with an empty body (the gate comes first).
POST_ONLY = re.compile(
    r"(logout/|/disable/|/enable/|/password/$|/2fa/$|/unlock/|/withdraw/|/decide/|/end/$"
    r"|/acknowledge/|/close/|/review/$|/approve/|/reject/|/status/|/credentials/$|/keys/"
    r"|/revoke/|/merge/|/enroll/|/pay/|/cancel/|/refund/|/open/|/transfer/$|/doctor/"
    r"|/destruction/|/confirm/|/recheck/|mappings/new/|/activate/)"
)


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _is_api_route(callback) -> bool:
    return getattr(callback, "__qualname__", "").startswith("PathView.get_view")


def pages():
    return [(r, cb) for r, cb in _walk(get_resolver().url_patterns) if not _is_api_route(cb)]


def operations():
    """(method, route under /api/v1/, operation) for every bound operation. The bound
    routers carry each operation's effective authentication (router defaults applied)."""
    found = []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for op in path_view.operations:
                route = (bound.prefix.rstrip("/") + "/" + path.lstrip("/")).lstrip("/")
                for method in op.methods:
                    found.append((method, route, op))
    return found


def test_every_page_and_operation_declares_its_policy():
    undeclared = [
        route
        for route, cb in pages()
        if not declared(cb) and route not in NOT_YET_DECLARED | FRAMEWORK_ROUTES
    ]
    undeclared += [f"{m} api/v1/{r}" for m, r, op in operations() if not operation_policy(op)]
    assert undeclared == [], "declare a policy (huimin/policy/views.py, api.py) for these"
    # The list of pages still to declare holds only pages that exist and declare nothing.
    routed = {route: cb for route, cb in pages()}
    assert {r for r in NOT_YET_DECLARED if r in routed and not declared(routed[r])} == (
        NOT_YET_DECLARED
    )


def _shape(path: str) -> str:
    # One spelling for a route's parameters: <int:pk>, {int:pk} and {pk} → {pk}.
    return re.sub(r"[<{](?:\w+:)?(\w+)[>}]", r"{\1}", path).strip("/")


def test_every_api_route_and_schema_operation_is_walked(client):
    # Nothing under /api/v1/ escapes the operation walk: not a URL, not a schema entry.
    walked = {(m, _shape(r)) for m, r, _ in operations()}
    routes = {
        _shape(r.removeprefix("api/v1/"))
        for r, cb in _walk(get_resolver().url_patterns)
        if _is_api_route(cb)
    }
    assert routes == {r for _, r in walked}
    schema = client.get("/api/v1/openapi.json").json()["paths"]
    in_schema = {
        (method.upper(), _shape(path.removeprefix("/api/v1/")))
        for path, ops in schema.items()
        for method in ops
    }
    assert in_schema == walked


# ---------------------------------------------------------------- the world


@pytest.fixture
def world(county):
    inside = factories.make_person("内甲", village=INSIDE_VILLAGE, birth=datetime.date(1960, 1, 1))
    outside = factories.make_person(
        "外乙", village=OUTSIDE_VILLAGE, birth=datetime.date(1961, 1, 1)
    )
    clinic = factories.make_institution(
        "城东卫生院", region=TOWN, kind="township_health_centre", level="1"
    )
    other_clinic = factories.make_institution(
        "严塘卫生院", region=OTHER_TOWN, kind="township_health_centre", level="1"
    )
    keeper = factories.make_staff("matrix_keeper", "public_health_officer", factories.COUNTY)
    w = {
        "inside_person": inside,
        "outside_person": outside,
        "inside_household": factories.make_household(inside),
        "outside_household": factories.make_household(outside),
        "inside_record": records.do_open_record(keeper, inside.pk),
        "outside_record": records.do_open_record(keeper, outside.pk),
        "inside_institution": clinic,
        "outside_institution": other_clinic,
        "inside_staff": factories.make_staff("matrix_town_clerk", "township_clerk", TOWN),
        "outside_staff": factories.make_staff("matrix_other_clerk", "township_clerk", OTHER_TOWN),
    }
    return w


def user_for(role: str, world):
    institution = world["inside_institution"] if role in INSTITUTION_ROLES else None
    return factories.make_staff(f"m_{role}", role, TOWN, institution=institution)


# Which object a URL's parameters name, by route: (kind of object, parameter). The
# person it shows (for the audit check) comes with it. Anything else gets MISSING.
OBJECTS = [
    (r"^registry/people/<int:pk>/$", "person", "pk"),
    (r"^registry/households/<int:pk>/$", "household", "pk"),
    (r"^registry/institutions/<int:pk>/$", "institution", "pk"),
    (r"^enrollment/households/<int:pk>/$", "household", "pk"),
    (r"^records/<int:record_id>/$", "record", "record_id"),
    (r"^records/archive/records/<int:record_id>/$", "record", "record_id"),
    (r"^records/household/<int:household_id>/$", "household", "household_id"),
    (r"^accounts/staff/<int:pk>/$", "staff", "pk"),
    (r"^api/v1/registry/people/\{int:person_id\}$", "person", "person_id"),
    (r"^api/v1/registry/households/\{int:household_id\}$", "household", "household_id"),
    (r"^api/v1/registry/institutions/\{int:institution_id\}$", "institution", "institution_id"),
    (r"^api/v1/records/\{int:record_id\}$", "record", "record_id"),
    (
        r"^api/v1/enrollment/households/\{int:household_id\}/enrollments$",
        "household_rows",
        "household_id",
    ),
    (r"^api/v1/enrollment/coverage$", "person", None),
]
# Query strings a read needs to answer at all ({person}: the person the URL names).
QUERIES = {
    "api/v1/enrollment/households/{int:household_id}/enrollments": "?year=2026",
    "api/v1/enrollment/coverage": "?person_id={person}&on=2026-06-01",
}
FIXED = {"code": TOWN, "village": INSIDE_VILLAGE, "kind": "x", "id_number": "x"}


def _object(world, kind: str, where: str):
    obj = world[f"{where}_{kind.removesuffix('_rows')}"]
    person_id = {
        "person": lambda o: o.pk,
        "household": lambda o: o.head_id,
        "record": lambda o: o.person_id,
    }.get(kind, lambda o: None)(obj)
    return obj.pk, person_id


def fill(route: str, world, where: str):
    """The URL for `route` with its parameters filled (`where`: inside or outside the
    test users' township), the person it shows, and whether it names a real object."""
    target = person_id = None
    for pattern, kind, param in OBJECTS:
        if re.search(pattern, route):
            target, person_id = _object(world, kind, where)
            named = param
            break

    def value(match):
        name = match.group(1)
        if target is not None and name == named:
            return str(target)
        return FIXED.get(name, str(MISSING))

    url = "/" + re.sub(r"[<{](?:\w+:)?(\w+)[>}]", value, route)
    url += QUERIES.get(route, "").format(person=target)
    return url, person_id, target is not None


def _new_audit(since: int) -> tuple[int, set[int]]:
    events = AuditEvent.objects.filter(pk__gt=since)
    people = set(
        AuditEventPerson.objects.filter(event__in=events).values_list("person_id", flat=True)
    )
    return events.count(), people


def _last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _may(declaration: tuple[str, ...], grants) -> bool:
    return LOGGED_IN in declaration or any(p in grants for p in declaration)


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("role", [None, *Role.values])
def test_pages_as_every_role(client, world, role):
    grants = role_permissions(role) if role else frozenset()
    if role:
        client.force_login(user_for(role, world))
    wrong = []
    for route, cb in pages():
        declaration = declared(cb)
        if not declaration or route in FRAMEWORK_ROUTES | {"logout/"}:
            continue  # (logging out would end the session the rest runs in)
        post = bool(POST_ONLY.search(route))
        for where in ("inside", "outside"):
            url, person_id, real = fill(route, world, where)
            if where == "outside" and not real:
                continue
            before = _last_event()
            response = client.post(url, {}) if post else client.get(url)
            status = response.status_code
            if declaration == (PUBLIC,):
                ok = status != 500
            elif role is None:
                ok = status == 302 and "/login/" in response["Location"]
            elif not _may(declaration, grants):
                ok = status == 403
            elif where == "outside":
                ok = status == 404 or (post and status != 403)
            else:
                ok = status != 403 and status < 500
                if ok and real and not post:
                    ok = status == 200
            if ok and role and status == 200 and not post:
                ok = _audited(declaration, before, person_id, response, world)
            if not ok:
                wrong.append((route, where, status))
    assert not wrong, "\n".join(map(str, wrong))


def _audited(declaration, before: int, person_id: int | None, response, world) -> bool:
    """A personal-data page or read that answered wrote an audit event naming whose
    data it showed: the person its URL names, and every resident of the world whose
    name it shows (a list shows nobody when it has no rows, and needs no event)."""
    if not PERSONAL_DATA_PERMISSIONS.intersection(declaration):
        return True
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    shown = {p.pk for p in (world["inside_person"], world["outside_person"]) if p.name in body}
    if person_id is not None:
        shown.add(person_id)
    if not shown:
        return True
    _, people = _new_audit(before)
    return shown <= people


# ---------------------------------------------------------------- API


@pytest.mark.parametrize("role", [None, *Role.values])
def test_api_as_every_role(client, world, role):
    grants = role_permissions(role) if role else frozenset()
    if role:
        client.force_login(user_for(role, world))
    wrong = []
    for method, route, op in operations():
        declaration = operation_policy(op)
        path = "api/v1/" + route
        for where in ("inside", "outside"):
            url, person_id, real = fill(path, world, where)
            if where == "outside" and not real:
                continue
            before = _last_event()
            if method == "GET":
                response = client.get(url)
            else:
                response = client.generic(method, url, "{}", content_type="application/json")
            status = response.status_code
            token_only = all(d.startswith("token:") for d in declaration)
            if declaration == (PUBLIC,):
                ok = status < 500
            elif token_only or role is None:
                # A staff session is never an institution's credential.
                ok = status == 401
            elif not _may([d for d in declaration if not d.startswith("token:")], grants):
                ok = status == 403
            elif method != "GET":
                ok = status != 403 and status < 500
            elif where == "outside":
                ok = status == 404
            else:
                ok = status != 403 and status < 500 and (status == 200 or not real)
            if ok and role and status == 200 and method == "GET":
                ok = _audited(declaration, before, person_id, response, world)
            if not ok:
                wrong.append((method, route, where, status))
    assert not wrong, "\n".join(map(str, wrong))
