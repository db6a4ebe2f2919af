"""For every role, every page and endpoint that reads personal data keeps to the role's
jurisdiction: inside it answers (if the role may read people at all), outside it is a
404 — never the other township's resident — and roles without person.read get a 403."""

import datetime

import pytest

from huimin.policy import role_permissions
from huimin.registry.models import INSTITUTION_ROLES, Role
from tests import factories

TOWN = factories.TOWNSHIPS[0]
INSIDE_VILLAGE = factories.VILLAGES[0]  # in TOWN
OUTSIDE_VILLAGE = factories.VILLAGES[2]  # the other township of the county

# (name, url template) — {p} a person, {h} their household.
DETAILS = [
    ("person page", "/registry/people/{p}/"),
    ("household page", "/registry/households/{h}/"),
    ("person API", "/api/v1/registry/people/{p}"),
    ("household API", "/api/v1/registry/households/{h}"),
    ("household enrollment page", "/enrollment/households/{h}/"),
    ("household enrollments API", "/api/v1/enrollment/households/{h}/enrollments?year=2026"),
    ("coverage API", "/api/v1/enrollment/coverage?person_id={p}&on=2026-06-01"),
]
LISTS = [
    ("people list page", "/registry/people/"),
    ("household list page", "/registry/households/"),
    ("people API", "/api/v1/registry/people?limit=200"),
    ("households API", "/api/v1/registry/households?limit=200"),
    ("people search by name", "/registry/people/?q=%E5%A4%96"),
]


@pytest.fixture
def world(county):
    inside = factories.make_person("内一", village=INSIDE_VILLAGE, birth=datetime.date(1960, 1, 1))
    outside = factories.make_person(
        "外一", village=OUTSIDE_VILLAGE, birth=datetime.date(1961, 1, 1)
    )
    return {
        "inside": (inside, factories.make_household(inside)),
        "outside": (outside, factories.make_household(outside)),
        "institution": factories.make_institution(
            "酿溪镇卫生院", region=TOWN, kind="township_health_centre", level="1"
        ),
    }


def user_for(role: str, world):
    institution = world["institution"] if role in INSTITUTION_ROLES else None
    return factories.make_staff(f"u_{role}", role, TOWN, institution=institution)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_details_keep_to_the_jurisdiction(client, world, role):
    user = user_for(role, world)
    client.force_login(user)
    reads_people = "person.read" in role_permissions(role)
    for where in ("inside", "outside"):
        person, household = world[where]
        for name, template in DETAILS:
            url = template.format(p=person.pk, h=household.pk)
            status = client.get(url).status_code
            if not reads_people:
                assert status in (403, 404), (role, name, where, status)
            elif where == "inside":
                assert status == 200, (role, name, where, status)
            else:
                assert status == 404, (role, name, where, status)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_lists_never_show_the_other_township(client, world, role):
    user = user_for(role, world)
    client.force_login(user)
    outside, _ = world["outside"]
    inside, _ = world["inside"]
    for name, url in LISTS:
        response = client.get(url)
        body = response.content.decode()
        assert outside.name not in body, (role, name)
        assert outside.id_number_masked not in body, (role, name)
        if "person.read" in role_permissions(role) and "search" not in name:
            assert response.status_code == 200, (role, name)
            if "people" in name:
                assert inside.name in body, (role, name)
