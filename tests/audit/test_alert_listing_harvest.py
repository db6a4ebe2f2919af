"""Harvesting through lists: the rows an account (or an institution's systems) is shown
by list pages and searches are summed over a window; past the threshold an alert is
raised once per window. Before, the bulk-read rule counted only single-record reads, and
101 pages of 200 residents went unnoticed."""

import datetime

import pytest
from django.urls import reverse

from huimin.audit.models import AlertRule
from huimin.oversight import alerts, rules
from tests import factories

T0 = datetime.datetime(2026, 12, 7, 2, 0, tzinfo=datetime.UTC)
CFG = rules.RuleConfig(threshold=1000, window_minutes=60)


def page(minutes: int, rows: int, actor=7, name="clerk1", institution=None):
    return rules.Listing(T0 + datetime.timedelta(minutes=minutes), rows, actor, name, institution)


def test_rows_summed_within_the_window_raise_one_finding():
    found = rules.listing_harvest([page(i, 200) for i in range(6)], CFG)
    assert len(found) == 1
    assert found[0].subject == "user:clerk1"
    assert found[0].details["rows"] == 1000 and found[0].details["pages"] == 5


def test_the_same_rows_spread_beyond_the_window_raise_nothing():
    assert rules.listing_harvest([page(i * 20, 200) for i in range(6)], CFG) == []


def test_an_institutions_systems_are_counted_by_institution():
    listings = [page(i, 500, actor=None, name="", institution=42) for i in range(2)]
    (found,) = rules.listing_harvest(listings, CFG)
    assert found.subject == "institution:42"


def test_two_accounts_are_not_added_together():
    listings = [page(i, 300, actor=1, name="a") for i in range(3)]
    listings += [page(i, 300, actor=2, name="b") for i in range(3)]
    assert rules.listing_harvest(listings, CFG) == []


@pytest.fixture
def residents(county):
    return [factories.make_person(f"张{i:02d}") for i in range(12)]


def test_paging_through_the_people_list_raises_the_alert(client, residents, settings):
    settings.HUIMIN_PAGE_SIZE = 5
    officer = factories.make_staff("officer9", "insurance_officer", factories.COUNTY)
    client.force_login(officer)
    alerts.ensure_rules()
    AlertRule.objects.filter(code=rules.LISTING_HARVEST).update(threshold=10)
    url = reverse("registry:person_list")
    first = client.get(url)
    second = client.get(url + f"?after={first.context['page'].next_cursor}")
    assert len(first.context["page"].rows) + len(second.context["page"].rows) == 10
    raised = [a for a in alerts.evaluate() if a.rule == rules.LISTING_HARVEST]
    assert [a.subject for a in raised] == ["user:officer9"]
    assert alerts.evaluate() == []  # once per window
