"""Likely duplicates are listed and can be merged with a reason; a bad merge changes nothing."""

import datetime

import pytest
from django.urls import reverse

from huimin.registry.models import HouseholdMembership, Person, PersonMerge
from tests import factories

BORN = datetime.date(1961, 8, 2)


@pytest.fixture
def twins_on_paper(county):
    """王五 registered twice in 城东村 (two ID numbers), each in a household."""
    kept = factories.make_person("王五", birth=BORN)
    dup = factories.make_person("王五", birth=BORN)
    kept_home = factories.make_household(kept)
    dup_home = factories.make_household(dup)
    dup.categories.create(category="dibao", valid_from=datetime.date(2023, 1, 1))
    loner = factories.make_person("王五", birth=BORN, village=factories.VILLAGES[1])
    return {"kept": kept, "dup": dup, "kept_home": kept_home, "dup_home": dup_home, "loner": loner}


@pytest.fixture
def logged_in(client, officer):
    client.force_login(officer)
    return client


def merge(client, survivor, merged, reason):
    return client.post(
        reverse("registry:duplicate_merge"),
        {"survivor_id": survivor.pk, "merged_id": merged.pk, "reason": reason},
    )


def test_likely_duplicates_are_listed(logged_in, twins_on_paper):
    response = logged_in.get(reverse("registry:duplicate_list"))
    assert response.status_code == 200
    [group] = response.context["groups"]
    assert {p.pk for p in group["people"]} == {twins_on_paper["kept"].pk, twins_on_paper["dup"].pk}
    html = response.content.decode()
    assert twins_on_paper["kept"].id_number_masked in html
    assert twins_on_paper["dup_home"].number in html


def test_merge_marks_the_duplicate_and_keeps_history(logged_in, twins_on_paper):
    kept, dup = twins_on_paper["kept"], twins_on_paper["dup"]
    response = merge(logged_in, kept, dup, "经核实户籍底册为同一人")
    assert response.status_code == 302
    dup.refresh_from_db()
    assert dup.status == "merged"
    assert dup.merged_into_id == kept.pk
    record = PersonMerge.objects.get(merged=dup)
    assert record.reason == "经核实户籍底册为同一人"
    # The duplicate's household membership is closed, not deleted.
    old = HouseholdMembership.objects.get(person=dup, household=twins_on_paper["dup_home"])
    assert old.left_on is not None
    assert kept.categories.filter(category="dibao").exists()
    page = logged_in.get(response["Location"]).content.decode()
    assert "合并至" in page
    assert logged_in.get(reverse("registry:duplicate_list")).context["groups"] == []
    detail = logged_in.get(reverse("registry:person_detail", args=[dup.pk])).content.decode()
    assert "经核实户籍底册为同一人" in detail


def test_merge_without_reason_shows_error_and_changes_nothing(logged_in, twins_on_paper):
    kept, dup = twins_on_paper["kept"], twins_on_paper["dup"]
    response = merge(logged_in, kept, dup, "  ")
    assert response.status_code == 422
    assert "须填写合并原因" in response.content.decode()
    dup.refresh_from_db()
    assert dup.status == "active" and dup.merged_into_id is None
    assert not PersonMerge.objects.exists()
    assert HouseholdMembership.objects.get(person=dup).left_on is None


def test_merge_with_itself_is_refused(logged_in, twins_on_paper):
    kept = twins_on_paper["kept"]
    response = merge(logged_in, kept, kept, "同一人")
    assert response.status_code == 422
    assert "不能将居民与自身合并" in response.content.decode()
    assert Person.objects.filter(status="merged").count() == 0


def test_merge_outside_jurisdiction_is_refused(client, township_clerk, twins_on_paper):
    client.force_login(township_clerk)
    outsider = factories.make_person("王五", birth=BORN, village=factories.VILLAGES[2])
    response = merge(client, twins_on_paper["kept"], outsider, "同一人")
    assert response.status_code == 404
    assert "不存在或无权查看" in response.content.decode()
    outsider.refresh_from_db()
    assert outsider.status == "active"


def test_only_registry_writers_may_see_or_merge(client, county, twins_on_paper):
    assessor = factories.make_staff("assessor", "assessor", factories.COUNTY)
    client.force_login(assessor)
    assert client.get(reverse("registry:duplicate_list")).status_code == 403
    kept, dup = twins_on_paper["kept"], twins_on_paper["dup"]
    assert merge(client, kept, dup, "同一人").status_code == 403
    dup.refresh_from_db()
    assert dup.status == "active"
