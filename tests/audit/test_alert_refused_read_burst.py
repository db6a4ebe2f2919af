"""Bursts of refused reads (requests for records outside one's scope) by one account
raise an alert; a few refusals do not."""

from huimin.audit.models import AlertRule, SecurityAlert
from huimin.oversight import alerts
from tests import factories


def refused_alerts():
    # Other rules (off-hours reads at night) may fire on the same events.
    return [a for a in alerts.evaluate() if a.rule == "refused_read_burst"]


def probe(client, people):
    for p in people:
        assert client.get(f"/registry/people/{p.pk}/").status_code == 404


def test_ten_refused_reads_in_ten_minutes_raise_an_alert(client, county):
    clerk = factories.make_staff("clerk", "township_clerk", factories.TOWNSHIPS[0])
    outside = [
        factories.make_person(f"王{i}", village=factories.OTHER_COUNTY_VILLAGE) for i in range(10)
    ]
    client.force_login(clerk)
    probe(client, outside[:9])
    assert refused_alerts() == []  # nine: below the default threshold
    probe(client, outside[9:])
    raised = refused_alerts()
    assert len(raised) == 1
    alert = raised[0]
    assert alert.subject == "user:clerk"
    assert alert.details["count"] == 10
    assert alert.details["reasons"] == ["out_of_jurisdiction"]
    assert refused_alerts() == []  # raised once


def test_the_threshold_is_the_administrators_to_tune(client, county):
    alerts.ensure_rules()
    AlertRule.objects.filter(code="refused_read_burst").update(threshold=3)
    clerk = factories.make_staff("clerk", "township_clerk", factories.TOWNSHIPS[0])
    outside = [
        factories.make_person(f"王{i}", village=factories.OTHER_COUNTY_VILLAGE) for i in range(3)
    ]
    client.force_login(clerk)
    probe(client, outside)
    alerts.evaluate()
    assert SecurityAlert.objects.filter(rule="refused_read_burst").count() == 1
