"""Every health indicator on the fixed county of dataset.py, worked out by hand.

Residents alive on 31 Dec 2026: A B C D (V1), E G I (V2), H (V3) — F died in June.
"""

from decimal import Decimal

import pytest

from huimin.reports import aggregates, indicators
from huimin.reports.figures import Period, breakdown, figure
from tests import factories
from tests.reports import dataset

YEAR = Period.year(2026)
COUNTY = factories.COUNTY
T1, T2 = factories.TOWNSHIPS


@pytest.fixture
def fixed_county(county, settings):
    settings.HUIMIN_REPORTS_PREVALENCE = {
        "hypertension": [(35, 64, "0.20"), (65, None, "0.50")],
        "diabetes": [(35, None, "0.10")],
    }
    return dataset.build()


def nd(code, region=COUNTY, period=YEAR):
    f = figure(code, region, period)
    return f.numerator, f.denominator


def test_record_indicators(fixed_county):
    # 建档率: records in force for A B D G I H of the eight residents.
    assert nd("record.building") == (6, 8)
    assert figure("record.building", COUNTY, YEAR).rate == Decimal("0.7500")
    assert [(f.numerator, f.denominator) for f in breakdown("record.building", COUNTY, YEAR)] == [
        (5, 7),  # 酿溪镇: A B D G I of A B C D E G I
        (1, 1),  # 严塘镇: H
    ]
    assert nd("record.building", dataset.V2) == (2, 3)  # G I of E G I
    # Dynamic use: every record in force but I's has a signed form (or activity) in 2026.
    assert nd("record.dynamic_use") == (5, 6)
    # 合格: A D H of the six records in force.
    assert nd("record.qualified") == (3, 6)


def test_chronic_disease_indicators(fixed_county):
    # Hypertension: A (four face to face) and B (three, one phone call) are managed.
    assert nd("htn.standard") == (1, 2)
    # A's last BP 145/85 is under 150/90 at 76; B's is not under 140/90 at 56.
    assert nd("htn.control") == (1, 2)
    # Diabetes: B alone, four visits, last 6.5 mmol/L.
    assert nd("dm.standard") == (1, 1)
    assert nd("dm.control") == (1, 1)
    # Against prevalence (test rates 35–64: 20%, 65+: 50%): A .5 + B .2 + D .2 (V1),
    # E .5 + I .2 (V2), H .5 (V3) = 2.10 expected patients, two managed.
    assert nd("htn.coverage") == (Decimal(2), Decimal("2.10"))
    assert figure("htn.coverage", COUNTY, YEAR).rate == Decimal("0.9524")
    assert nd("htn.coverage", dataset.V2) == (0, Decimal("0.70"))
    # Diabetes 10% from 35: A B D E I H = 0.60, one managed.
    assert nd("dm.coverage") == (Decimal(1), Decimal("0.60"))
    # SMI: H's four visits include one 未访到: three face to face, not standard.
    assert nd("smi.standard") == (0, 1)


def test_elderly_children_and_mothers(fixed_county):
    assert nd("elderly.managed") == (2, 3)  # A H checked of A E H
    assert nd("tcm.elderly") == (1, 3)  # A
    assert nd("child.managed") == (2, 2)  # C (newborn visit) and G (child check)
    assert nd("tcm.child") == (1, 2)  # G of C G (0–36 months)
    assert nd("child.newborn_visit") == (1, 1)  # C visited on day 19
    assert nd("maternal.early_booking") == (1, 1)  # D booked at 10 weeks
    assert nd("maternal.postpartum_visit") == (0, 1)  # D visited on day 45


def test_immunisation_and_infectious_reports(fixed_county):
    # MMR 2 is due complete at 24 months (730 days): G reached it on 1 March 2026.
    assert nd("nip.MMR-2") == (1, 1)
    assert figure("nip.MMR-1", COUNTY, YEAR).rate is None  # nobody reached 12 months in 2026
    # Two cards in 2026: H's filled the day after diagnosis, B's four days late.
    assert nd("infectious.timely") == (1, 2)


def test_a_rebuild_stores_what_the_definitions_compute(fixed_county):
    live = {ind.code: nd(ind.code) for ind in indicators.all_indicators("health")}
    aggregates.rebuild(COUNTY, [YEAR])
    assert {code: nd(code) for code in live} == live


def test_worklist_is_the_denominator_less_the_numerator(fixed_county):
    members = indicators.get("htn.standard").members(COUNTY, YEAR)
    assert [r.person.name for r in members.worklist().select_related("person")] == ["白乙"]
    members = indicators.get("record.building").members(COUNTY, YEAR)
    assert {p.name for p in members.worklist()} == {"陈丙", "鄂戊"}
