"""get_visible_or_404: one scoped, audited read of a row; a refused read (the row is
there, outside the user's scope) is audited too; a row that is not there is not."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from huimin.audit.models import AuditEvent
from huimin.core.errors import NotFound
from huimin.policy import get_visible_or_404
from huimin.registry.models import Institution, Person, Region, RolePermission
from tests import factories


@pytest.fixture
def people(county):
    return {
        "here": factories.make_person("张三", factories.VILLAGES[0]),
        "there": factories.make_person("王外", factories.OTHER_COUNTY_VILLAGE),
    }


@pytest.fixture
def clerk(county):
    return factories.make_staff("clerk", "township_clerk", factories.TOWNSHIPS[0])


def test_a_row_in_scope_is_returned_and_its_read_recorded(clerk, people):
    person = get_visible_or_404(
        clerk, Person.objects.all(), people["here"].pk, "核对", fields=["name"]
    )
    assert person == people["here"]
    event = AuditEvent.objects.get(action="read", object_id=str(person.pk))
    assert (event.object_type, event.outcome, event.region_code) == (
        "registry.person",
        "success",
        factories.VILLAGES[0],
    )
    assert event.purpose == "核对" and event.fields == ["name"]
    assert event.actor_id == clerk.pk


def test_a_row_outside_scope_is_404_and_the_refusal_recorded(clerk, people):
    with pytest.raises(NotFound):
        get_visible_or_404(clerk, Person, people["there"].pk, object_type="registry.person")
    event = AuditEvent.objects.get(object_id=str(people["there"].pk))
    assert (event.outcome, event.reason, event.region_code) == (
        "denied",
        "out_of_jurisdiction",
        factories.OTHER_COUNTY_VILLAGE,
    )


def test_a_missing_row_is_404_and_no_event(clerk, people):
    before = AuditEvent.objects.count()
    with pytest.raises(Http404):  # NotFound is also Django's: a page answers 404
        get_visible_or_404(clerk, Person.objects, 10**9)
    assert AuditEvent.objects.count() == before


def test_a_user_without_a_jurisdiction_reads_nothing(people):
    nobody = get_user_model().objects.create_user("nobody", password="Huimin#2026pass")
    with pytest.raises(NotFound):
        get_visible_or_404(nobody, Person, people["here"].pk)
    assert AuditEvent.objects.get(object_id=str(people["here"].pk)).outcome == "denied"


def test_the_region_of_a_foreign_key_path_needs_no_query(clerk, county):
    hospital = factories.make_institution(region=factories.TOWNSHIPS[0])
    assert clerk.staff  # loaded once per request in a real page
    # The row, then the audit append (chain head, event, new head; PostgreSQL does the
    # head in one statement fewer): no query for the region.
    with CaptureQueriesContext(connection) as queries:
        row = get_visible_or_404(clerk, Institution.objects.all(), hospital.pk)
    assert len(queries) <= 4
    region_table = Region._meta.db_table
    assert not [q for q in queries if f'"{region_table}"' in q["sql"]]
    assert AuditEvent.objects.get(object_id=str(row.pk)).region_code == factories.TOWNSHIPS[0]


def test_an_unscoped_queryset_is_refused_not_read():
    with pytest.raises(TypeError):
        get_visible_or_404(None, RolePermission.objects.all(), 1)
