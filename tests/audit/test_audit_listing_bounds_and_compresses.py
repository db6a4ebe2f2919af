"""One event per page or export however long: the ids shown as ranges, bounded, with
their count; the residents in the hashed content and in the index, the chain intact."""

import pytest

from huimin.audit import ids
from huimin.audit.models import AuditEvent
from huimin.audit.services import verify_chain
from huimin.policy import reads
from tests.audit.shown import people_named, rows_named


def test_ranges_round_trip_and_collapse_runs():
    assert ids.to_ranges([7, 3, 4, 5, 12, 5, None, "x", 0, 16, 15]) == "3-5,7,12,15-16"
    assert ids.from_ranges("3-5,7,12,15-16") == [3, 4, 5, 7, 12, 15, 16]
    assert ids.to_ranges([]) == "" and ids.from_ranges("") == []


@pytest.mark.django_db
def test_a_long_page_is_one_event_naming_every_row(officer):
    shown = list(range(1, 601, 2))  # 300 scattered ids: too long for object_id
    event = reads.audit_listing(
        officer,
        model_label="insurance.settlement",
        ids=shown,
        person_ids=[9, 8, 9],
        query_description="list",
    )
    assert AuditEvent.objects.count() == 1
    assert event.object_id == "共300条" and event.changes["count"] == 300
    assert rows_named(event) == set(shown) and people_named(event) == {8, 9}
    consecutive = reads.audit_listing(officer, model_label="registry.person", ids=range(1, 501))
    assert consecutive.object_id == "1-500"
    assert verify_chain().ok


@pytest.mark.django_db
def test_past_the_bound_the_count_is_kept(officer, monkeypatch):
    monkeypatch.setattr(reads, "MAX_IDS", 5)
    event = reads.audit_listing(
        officer, model_label="registry.person", ids=[2, 4, 6, 8, 10, 12, 14], action="export"
    )
    assert rows_named(event) == {2, 4, 6, 8, 10}
    assert event.changes["count"] == 7 and event.changes["truncated"] is True


@pytest.mark.django_db
def test_a_page_that_showed_nothing_writes_nothing(officer):
    assert reads.audit_listing(officer, model_label="registry.person", rows=[]) is None
    assert not AuditEvent.objects.exists()
