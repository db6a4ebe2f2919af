"""Scoring the fixed county of tests/reports/dataset.py, publishing with four eyes, the
public-health funds on their own books, versions kept, and the village doctor's month —
every figure worked out by hand in the comments."""

from decimal import Decimal as D

import pytest

from huimin.assessment import services
from huimin.assessment.models import Publication, RegionScore
from huimin.core.errors import Conflict, PermissionDenied, ValidationFailed
from huimin.insurance.ledger import services as ledger
from huimin.insurance.ledger.models import JournalEntry
from tests import factories
from tests.reports import dataset

T1, T2 = factories.TOWNSHIPS
V1, V2, V3 = factories.VILLAGES

SCHEME = f"""
name: 测试考核方案
region: "{factories.COUNTY}"
year: 2026
per_capita_funding: "89.00"
village_share: "0.35"
tiers:
  - {{min: 90, ratio: "1.00", label: 全额拨付}}
  - {{min: 80, ratio: "0.70", label: 拨付70%}}
  - {{min: 60, ratio: "0.50", label: 拨付50%}}
  - {{min: 0, ratio: "0", label: 不予拨付}}
indicators:
  - {{code: record.building, weight: 50, rule: linear, target: "0.90"}}
  - {{code: htn.standard, weight: 50, rule: linear, target: "0.80"}}
deductions:
  - {{code: record.qualified, below: "0.90", per_point: "0.10", max: "5"}}
workload_weights: {{htn_followup: "1", dm_followup: "1", health_check: "2", smi_followup: "1.5"}}
"""


@pytest.fixture
def assessors(county):
    dataset.build()
    return (
        factories.make_staff("assessor1", "assessor", factories.COUNTY),
        factories.make_staff("assessor2", "assessor", factories.COUNTY),
    )


@pytest.fixture
def scheme(assessors):
    first, second = assessors
    row = services.SCHEMES.upload(first, SCHEME)
    with pytest.raises(PermissionDenied):  # four eyes
        services.SCHEMES.activate(first, row.pk)
    return services.SCHEMES.activate(second, row.pk)


def test_a_bad_scheme_is_refused_naming_the_item_and_parameter(assessors):
    bad = SCHEME.replace("code: htn.standard", "code: htn.nonsense").replace('"0.90"}}', "0.9}")
    with pytest.raises(ValidationFailed) as exc:
        services.SCHEMES.upload(assessors[0], bad)
    assert exc.value.fields["document.indicators[1].code"] == "未知指标：htn.nonsense"


def test_scored_by_hand_published_by_another_with_the_funds_on_their_own_books(scheme, assessors):
    first, second = assessors
    pub = services.do_score(first, factories.COUNTY, 2026)
    rows = {r.region_code: r for r in RegionScore.objects.filter(publication=pub)}
    t1 = rows[T1]
    # 酿溪镇: 建档 5/7 = 71.43% of 90% → 50 × 0.7143 / 0.9 = 39.68; 规范管理 1/2 of 80% →
    # 31.25; 合格 2/5 = 40%, 50 points under 90% × 0.10 = 5 off (the max).
    assert [ln["points"] for ln in t1.lines] == ["39.68", "31.25", "5.00"]
    assert (t1.earned, t1.deducted, t1.score) == (D("70.93"), D("5.00"), D("65.93"))
    assert (t1.tier_label, t1.tier_ratio) == ("拨付50%", D("0.5000"))
    # 7 residents × 89.00 = 623.00; half: 311.50; 35% to the clinics: 109.025 → 109.03
    assert (t1.funds_full, t1.funds_allocated) == (D("623.00"), D("311.50"))
    assert (t1.village_pool, t1.retained) == (D("109.03"), D("202.47"))
    # 城东村: A 4 + B 4 hypertension visits, B 4 diabetes visits, A's check (2) = 14
    # points; 城西村 has no weighted service (a child check weighs 0 here): all to 城东村.
    assert (rows[V1].workload, rows[V1].pass_rate, rows[V1].clinic_amount) == (
        D("14.00"),
        D("0.6667"),
        D("109.03"),
    )
    assert rows[V2].clinic_amount == D("0.00")
    # 严塘镇: 建档 1/1, no hypertension patient (points kept), 合格 1/1: 100, full.
    t2 = rows[T2]
    assert (t2.score, t2.tier_ratio, t2.funds_allocated) == (D("100.00"), D("1.0000"), D("89.00"))
    assert (t2.village_pool, rows[V3].clinic_amount) == (D("31.15"), D("31.15"))

    with pytest.raises(PermissionDenied):  # the scorer never publishes
        services.do_publish(first, pub.pk)
    services.do_publish(second, pub.pk)
    with pytest.raises(Conflict):
        services.do_publish(second, pub.pk)

    balances = {b["code"]: b["balance"] for b in ledger.balances(factories.COUNTY, 2026)}
    # 311.50 + 89.00 spent; clinics owed 109.03 + 31.15, centres 202.47 + 57.85
    assert balances["7501"] == D("400.50")
    assert balances["7202"] == D("140.18")
    assert balances["7201"] == D("260.32")
    assert balances["5101"] == D("0.00")  # the insurance fund untouched
    # Each clinic's share is an entry of its own, naming the clinic.
    clinic = JournalEntry.objects.get(
        source_type="assessment.allocation", source_id=f"{pub.pk}:{V1}"
    )
    assert "城东村村卫生室" in clinic.memo and clinic.group == "phf"


def test_a_republication_keeps_the_history_and_takes_the_old_funds_back(scheme, assessors):
    first, second = assessors
    v1 = services.do_score(first, factories.COUNTY, 2026)
    services.do_publish(second, v1.pk)
    v2 = services.do_score(second, factories.COUNTY, 2026)
    services.do_publish(first, v2.pk)
    assert list(Publication.objects.order_by("version").values_list("version", "status")) == [
        (1, "superseded"),
        (2, "published"),
    ]
    # The first version's rows are still there, unchanged.
    assert RegionScore.objects.get(publication=v1, region_code=T1).score == D("65.93")
    balances = {b["code"]: b["balance"] for b in ledger.balances(factories.COUNTY, 2026)}
    assert (balances["7501"], balances["7202"]) == (D("400.50"), D("140.18"))
    assert services.published(factories.COUNTY, 2026) == v2


def test_the_village_doctors_months_add_up_to_the_clinics_share(scheme, assessors):
    pub = services.do_score(assessors[0], factories.COUNTY, 2026)
    row = RegionScore.objects.get(publication=pub, region_code=V1)
    months = {m["month"]: (m["points"], m["subsidy"]) for m in services.monthly_statement(pub, row)}
    # 109.03 over 14 points: 7.787857 a point. Rounded down and the 6 fen left over to
    # the largest remainders: the one-point months first, then January and March.
    assert months[1] == (D(2), D("15.58"))
    assert months[2] == (D(1), D("7.79"))
    assert months[3] == (D(2), D("15.58"))
    assert months[4] == (D(2), D("15.57"))
    assert months[6] == (D(0), D("0.00"))
    assert sum(s for _, s in months.values()) == D("109.03")
