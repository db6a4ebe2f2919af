"""For every role, the health-record pages and endpoints keep to the role's jurisdiction:
inside it they answer (if the role may read records at all), outside it is a 404 — never
the other township's resident — and roles without record.read are refused."""

import datetime

import pytest

from huimin.policy import role_permissions
from huimin.records.models import DueService, Finding, HealthRecord
from huimin.registry.models import INSTITUTION_ROLES, Role
from tests import factories

TOWN = factories.TOWNSHIPS[0]

DETAILS = [
    ("record page", "/records/{r}/"),
    ("record API", "/api/v1/records/{r}"),
    ("household file", "/records/household/{h}/"),
]
LISTS = [
    ("due list", "/records/due/?within=90"),
    ("visit plan", "/records/due/plan/?within=90"),
    ("quality summary", "/records/quality/"),
    ("quality findings inside", f"/records/quality/{factories.VILLAGES[0]}/"),
]


def _record(person, serial: int) -> HealthRecord:
    record = HealthRecord.objects.create(
        person=person,
        number=f"{person.village_id}{serial:05d}",
        region_code=person.village_id,
        opened_on=datetime.date(2025, 1, 6),
    )
    DueService.objects.create(
        record=record,
        person=person,
        region_code=record.region_code,
        service="htn_followup",
        occasion="2026Q4",
        label="高血压随访",
        due_on=datetime.date(2026, 10, 1),
        overdue_on=datetime.date(2027, 1, 1),
    )
    Finding.objects.create(
        record=record,
        region_code=record.region_code,
        rule="completeness.personal_info",
        severity="blocking",
        message="缺少个人基本信息表",
    )
    return record


@pytest.fixture
def world(county):
    inside = factories.make_person("内一", village=factories.VILLAGES[0])
    outside = factories.make_person("外一", village=factories.VILLAGES[2])
    return {
        "inside": (inside, factories.make_household(inside), _record(inside, 1)),
        "outside": (outside, factories.make_household(outside), _record(outside, 1)),
        "institution": factories.make_institution(
            "酿溪镇卫生院", region=TOWN, kind="township_health_centre", level="1"
        ),
    }


def user_for(role: str, world):
    institution = world["institution"] if role in INSTITUTION_ROLES else None
    return factories.make_staff(f"u_{role}", role, TOWN, institution=institution)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_record_details_keep_to_the_jurisdiction(client, world, role):
    client.force_login(user_for(role, world))
    reads_records = "record.read" in role_permissions(role)
    for where in ("inside", "outside"):
        _, household, record = world[where]
        for name, template in DETAILS:
            status = client.get(template.format(r=record.pk, h=household.pk)).status_code
            if not reads_records:
                assert status in (403, 404), (role, name, where, status)
            elif where == "inside":
                assert status == 200, (role, name, where, status)
            else:
                assert status == 404, (role, name, where, status)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_record_lists_never_show_the_other_township(client, world, role):
    client.force_login(user_for(role, world))
    outside, _, outside_record = world["outside"]
    for name, url in LISTS:
        body = client.get(url).content.decode()
        assert outside.name not in body, (role, name)
        assert outside_record.number not in body, (role, name)
    # Asking for the other township's village by its code is no way round.
    response = client.get(f"/records/quality/{factories.VILLAGES[2]}/")
    assert response.status_code in (403, 404), role
