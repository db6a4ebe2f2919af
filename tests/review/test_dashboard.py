"""The risk dashboard: institutions of the officer's jurisdiction ranked by the month's
score with colour and six-month trend, the findings behind a score, a colour's
institutions and their claims; bounded queries; patients' names audited."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huimin.audit.models import AuditEvent
from huimin.review.fingerprints import claim_fingerprint
from huimin.review.models import Finding, RiskScore
from tests import factories
from tests.audit.shown import people_named

MONTH = "2026-03"


def score(institution, month=MONTH, value="0", colour="", findings=0, claims=0, previous=""):
    return RiskScore.objects.create(
        subject_kind="institution",
        subject=institution.insurance_code,
        institution=institution,
        region_code=institution.region_id,
        month=month,
        score=Decimal(value),
        colour=colour,
        previous_colour=previous,
        finding_count=findings,
        claim_count=claims,
    )


_n = iter(range(1, 10_000))


def finding(institution, person, rule="duplicate_charge", name="重复收费", month=MONTH, paid="80"):
    n = next(_n)
    return Finding.objects.create(
        rule=rule,
        name=name,
        category="item",
        severity="warning",
        weight=Decimal("8"),
        explanation=f"疑似{name}：请核实（{n}）",
        source="batch",
        rule_set_name="测试规则集",
        subject_kind="claim",
        person=person,
        institution=institution,
        region_code=person.village_id,
        service_date=datetime.date(int(month[:4]), int(month[5:]), 5),
        month=month,
        fund_paid=Decimal(paid),
        fingerprint=claim_fingerprint(rule, 900_000 + n),
    )


@pytest.fixture
def county_scores(officer):
    hospital = factories.make_institution("新邵县人民医院")
    centre = factories.make_institution(
        "酿溪镇卫生院", region=factories.TOWNSHIPS[0], kind="township_health_centre", level="1"
    )
    clinic = factories.make_institution(
        "严塘镇卫生院", region=factories.TOWNSHIPS[1], kind="township_health_centre", level="1"
    )
    outside = factories.make_institution("邵阳县人民医院", region="430523")
    score(hospital, value="72.00", colour="red", findings=9, claims=6, previous="orange")
    score(centre, value="34.00", colour="orange", findings=3, claims=2)
    score(clinic, value="6.00", colour="blue", findings=1, claims=1)
    score(outside, value="99.00", colour="red", findings=12, claims=8)
    for month, value, colour in (("2025-12", "20.00", "yellow"), ("2026-01", "30.00", "orange")):
        score(hospital, month=month, value=value, colour=colour)
    score(hospital, month="2025-09", value="50.00", colour="orange")  # outside six months
    return hospital, centre, clinic, outside


def test_institutions_are_ranked_by_the_months_score_in_the_officers_jurisdiction(
    client, officer, county_scores
):
    hospital, centre, clinic, outside = county_scores
    client.force_login(officer)
    r = client.get(reverse("review:dashboard"), {"month": MONTH})
    assert r.status_code == 200
    page = r.content.decode()
    ranking = page[page.index('id="ranking"') :]
    assert ranking.index(hospital.name) < ranking.index(centre.name) < ranking.index(clinic.name)
    assert outside.name not in page  # another county's hospital
    assert "72.00" in ranking and "colour-red" in ranking and "（此前橙色）" in ranking
    # Colour tiles count this county's institutions and lead to the colour's list.
    tiles = page[page.index('id="colours"') : page.index('id="ranking"')]
    assert reverse("review:risk_colour", args=["red"]) + f"?month={MONTH}" in tiles
    assert '<span class="count">1</span>红色' in tiles


def test_the_trend_shows_the_last_six_months_with_their_colours(client, officer, county_scores):
    client.force_login(officer)
    page = client.get(reverse("review:dashboard"), {"month": MONTH}).content.decode()
    assert "<title>2025-12：20.00</title>" in page
    assert "<title>2026-01：30.00</title>" in page
    assert "<title>2026-02：0</title>" in page  # no score that month: an empty bar
    assert "2025-09" not in page


def test_the_dashboard_defaults_to_the_latest_month_scored(client, officer, county_scores):
    client.force_login(officer)
    page = client.get(reverse("review:dashboard")).content.decode()
    assert f'<span class="muted">{MONTH}</span>' in page


def test_a_malformed_month_is_refused_politely(client, officer, county_scores):
    client.force_login(officer)
    r = client.get(reverse("review:dashboard"), {"month": "2026-13"})
    assert r.status_code == 400 and "月份格式有误" in r.content.decode()


def test_the_dashboard_takes_the_same_queries_for_three_institutions_or_thirty(
    client, officer, county_scores
):
    client.force_login(officer)
    url = reverse("review:dashboard")
    client.get(url, {"month": MONTH})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"month": MONTH})
    for i in range(27):
        inst = factories.make_institution(f"村卫生室{i}", region=factories.VILLAGES[0], level="1")
        score(inst, value=str(i), colour="blue" if i >= 5 else "")
        score(inst, month="2026-02", value=str(i))
    with CaptureQueriesContext(connection) as many:
        r = client.get(url, {"month": MONTH})
    assert r.content.decode().count('<svg class="spark"') == 30
    assert len(many) == len(few)


def test_the_findings_behind_a_score_by_rule_then_the_claims_audited(
    client, officer, county_scores
):
    hospital = county_scores[0]
    alice = factories.make_person("李秀英", sex="2")
    bob = factories.make_person("王建军", village=factories.VILLAGES[2])
    finding(hospital, alice, paid="120.50")
    finding(hospital, bob, paid="80.00")
    finding(hospital, bob, rule="split_admission", name="分解住院", paid="3000.00")
    finding(hospital, bob, month="2026-02")  # another month: not behind this score
    client.force_login(officer)
    url = reverse("review:risk_institution", args=[hospital.pk, MONTH])
    r = client.get(url)
    assert r.status_code == 200
    page = r.content.decode()
    by_rule = page[page.index('id="by-rule"') : page.index('id="claims"')]
    assert by_rule.index("重复收费") < by_rule.index("分解住院")  # most findings first
    assert "200.50" in by_rule and "3000.00" in by_rule
    claims = page[page.index('id="claims"') :]
    assert "李秀英" in claims and "王建军" in claims
    event = AuditEvent.objects.filter(object_type="review.finding").latest("seq")
    assert people_named(event) == {alice.pk, bob.pk}

    only_split = client.get(url, {"rule": "split_admission"}).content.decode()
    claims = only_split[only_split.index('id="claims"') :]
    assert "王建军" in claims and "李秀英" not in claims


def test_another_countys_institution_is_not_found(client, officer, county_scores):
    outside = county_scores[3]
    client.force_login(officer)
    r = client.get(reverse("review:risk_institution", args=[outside.pk, MONTH]))
    assert r.status_code == 404


def test_a_colour_lists_its_institutions_and_their_claims(client, officer, county_scores):
    hospital, centre, _, outside = county_scores
    alice = factories.make_person("李秀英", sex="2")
    finding(hospital, alice)
    carol = factories.make_person("赵桂兰", sex="2")
    finding(centre, carol)
    finding(outside, factories.make_person("外县人", village=factories.OTHER_COUNTY_VILLAGE))
    client.force_login(officer)
    r = client.get(reverse("review:risk_colour", args=["red"]), {"month": MONTH})
    assert r.status_code == 200
    page = r.content.decode()
    assert hospital.name in page and "李秀英" in page
    assert centre.name not in page and "赵桂兰" not in page  # orange
    assert outside.name not in page and "外县人" not in page
    event = AuditEvent.objects.filter(object_type="review.finding").latest("seq")
    assert people_named(event) == {alice.pk}
    assert client.get(reverse("review:risk_colour", args=["purple"])).status_code == 404


def test_a_cashier_has_no_dashboard(client, county):
    hospital = factories.make_institution()
    cashier = factories.make_staff("cashier", "cashier", factories.COUNTY, institution=hospital)
    client.force_login(cashier)
    assert client.get(reverse("review:dashboard")).status_code == 403
