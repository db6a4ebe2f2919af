"""bulk_swiping and peer_outlier: candidates and aggregates in SQL, the engine's rule
over them; and the rerun that keeps a reviewer's decision."""

import dataclasses
import datetime

from django.utils import timezone

from huimin.review.models import Decision, Finding
from huimin.review.ruleset import default_rule_set
from tests import factories
from tests.review.batch.support import D, found, run


def at(minute):
    return timezone.make_aware(
        datetime.datetime(2026, 3, 2, 14, 0) + datetime.timedelta(minutes=minute)
    )


def people(n):
    return [factories.make_person(f"参保人{i}") for i in range(n)]


def test_bulk_swiping_eight_cards_in_ten_minutes(claims):
    for i, p in enumerate(people(8)):
        claims.settle(person=p, terminal="T-01", at=at(i), visit_date=D(2026, 3, 2))
    run(["bulk_swiping"])
    [f] = found("bulk_swiping")
    assert (f.subject_kind, f.subject, f.institution_id) == ("terminal", "T-01", claims.hospital.pk)
    assert f.facts["cards"] == "8"
    assert "终端T-01在2026-03-02 14:00至2026-03-02 14:07（10分钟内）结算了8位不同参保人" in (
        f.explanation
    )


def test_bulk_swiping_spread_out_or_same_card_does_not_fire(claims):
    crowd = people(8)
    for i, p in enumerate(crowd):  # eight people, but over 14 minutes
        claims.settle(person=p, terminal="T-02", at=at(2 * i), visit_date=D(2026, 3, 2))
    for i in range(10):  # one person ten times
        claims.settle(person=crowd[0], terminal="T-03", at=at(i), visit_date=D(2026, 3, 2))
    run(["bulk_swiping"])
    assert found("bulk_swiping") == []


def small_peers():
    rs = default_rule_set()
    cfg = rs.rules["peer_outlier"]
    cfg = dataclasses.replace(cfg, params={**cfg.params, "min_cases": 2, "min_peers": 5})
    return dataclasses.replace(rs, rules={**rs.rules, "peer_outlier": cfg})


def test_peer_outlier_institution_far_above_its_level(claims):
    costs = {"甲": "100", "乙": "110", "丙": "90", "丁": "105", "戊": "400"}
    places = {}
    for name, cost in costs.items():
        places[name] = factories.make_institution(
            f"{name}卫生院", kind="township_centre", level="1"
        )
        for _ in range(2):
            claims.settle(institution=places[name], total=cost)
    run(["peer_outlier"], rule_set=small_peers())
    [f] = found("peer_outlier")
    assert (f.subject_kind, f.institution_id) == ("institution", places["戊"].pk)
    assert f.facts["average_cost"] == "400.00"
    assert f.facts["median"] == "105.00"


def test_peer_outlier_needs_enough_peers(claims):
    for name, cost in {"甲": "100", "乙": "110", "丙": "90", "戊": "400"}.items():
        place = factories.make_institution(f"{name}卫生院", kind="township_centre", level="1")
        for _ in range(2):
            claims.settle(institution=place, total=cost)
    run(["peer_outlier"], rule_set=small_peers())
    assert found("peer_outlier") == []


def test_rerun_keeps_findings_and_the_reviewers_decision(claims):
    claims.item("S1", "service", "血常规")
    claims.settle(lines=[("S1", "血常规", 1, "20"), ("S1", "血常规", 1, "20")])
    first = run(["duplicate_charge"])
    [f] = found("duplicate_charge")
    Decision.objects.create(finding=f, kind="dismiss", decided_by=claims.user, reason="两次检验")
    Finding.objects.filter(pk=f.pk).update(status="dismissed")
    again = run(["duplicate_charge"])
    assert first.counts["duplicate_charge"] == {"found": 1, "new": 1}
    assert again.counts["duplicate_charge"] == {"found": 1, "new": 0}
    [kept] = found("duplicate_charge")
    assert (kept.pk, kept.status, kept.run_id) == (f.pk, "dismissed", first.pk)
    assert kept.decisions.count() == 1
