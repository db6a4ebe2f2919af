"""The figures interface the assessment builds on: periods, rates, a figure and its
breakdown, read from the aggregates or computed when not yet aggregated."""

import datetime
from decimal import Decimal

import pytest

from huimin.records import services
from huimin.reports import aggregates
from huimin.reports.figures import Figure, Period, breakdown, figure
from huimin.reports.models import IndicatorFigure
from tests import factories

D = datetime.date


def test_periods_are_inclusive_months_quarters_and_years_with_chinese_labels():
    assert Period.month(2026, 2) == Period(D(2026, 2, 1), D(2026, 2, 28))
    assert Period.month(2028, 2).end == D(2028, 2, 29)
    assert Period.quarter(2026, 4) == Period(D(2026, 10, 1), D(2026, 12, 31))
    assert Period.year(2026) == Period(D(2026, 1, 1), D(2026, 12, 31))
    assert Period.month(2026, 11).label == "2026年11月"
    assert Period.quarter(2026, 3).label == "2026年第3季度"
    assert Period.year(2026).label == "2026年"
    assert Period.parse("2026-11") == Period.month(2026, 11)
    assert Period.parse("2026Q2") == Period.quarter(2026, 2)
    assert Period.parse("2026") == Period.year(2026)
    assert Period.parse(Period.quarter(2026, 2).key) == Period.quarter(2026, 2)
    assert [p.key for p in Period.quarter(2026, 1).months()] == ["2026-01", "2026-02", "2026-03"]
    assert Period.month(2026, 3).twelve_months_to_end() == Period(D(2025, 4, 1), D(2026, 3, 31))
    assert Period.year(2026).twelve_months_to_end() == Period.year(2026)


@pytest.mark.parametrize("text", ["", "2026-13", "2026-00", "26-01", "2026Q5", "二〇二六", "0001"])
def test_a_malformed_period_is_refused_in_chinese(text):
    with pytest.raises(ValueError, match="期间"):
        Period.parse(text)


def test_rate_is_four_places_half_up_and_none_without_a_denominator():
    p = Period.month(2026, 1)
    assert Figure("x", "430522", p, Decimal(2), Decimal(3)).rate == Decimal("0.6667")
    assert Figure("x", "430522", p, Decimal(1), Decimal(8)).rate == Decimal("0.1250")
    # 0.00005 exactly: half up, not to even.
    assert Figure("x", "430522", p, Decimal(1), Decimal(20000)).rate == Decimal("0.0001")
    assert Figure("x", "430522", p, Decimal(0), Decimal(0)).rate is None


@pytest.fixture
def small_county(county):
    doctor = factories.make_staff("gongwei", "public_health_officer", factories.COUNTY)
    people = [
        factories.make_person("甲", factories.VILLAGES[0]),
        factories.make_person("乙", factories.VILLAGES[0]),
        factories.make_person("丙", factories.VILLAGES[1]),
        factories.make_person("丁", factories.VILLAGES[2]),
    ]
    services.do_open_record(doctor, people[0].pk, opened_on=D(2026, 1, 5))
    services.do_open_record(doctor, people[2].pk, opened_on=D(2026, 3, 5))
    return people


def test_record_building_rate_and_its_breakdown_add_up(small_county):
    march = Period.month(2026, 3)
    county = figure("record.building", factories.COUNTY, march)
    assert (county.numerator, county.denominator) == (Decimal(2), Decimal(4))
    assert county.rate == Decimal("0.5000")
    # In February only 甲's record was open.
    assert figure("record.building", factories.COUNTY, Period.month(2026, 2)).numerator == 1
    towns = breakdown("record.building", factories.COUNTY, march)
    assert [(f.region_code, f.numerator, f.denominator) for f in towns] == [
        ("430522100", Decimal(2), Decimal(3)),
        ("430522101", Decimal(0), Decimal(1)),
    ]
    villages = breakdown("record.building", "430522100", march)
    assert [(f.region_code, f.numerator, f.denominator) for f in villages] == [
        ("430522100201", Decimal(1), Decimal(2)),
        ("430522100202", Decimal(1), Decimal(1)),
    ]


def test_figures_come_from_the_aggregates_once_rebuilt(small_county):
    march = Period.month(2026, 3)
    written = aggregates.rebuild(factories.COUNTY, [march], only=["record.building"])
    assert written == 6  # the county, two townships, three villages
    assert aggregates.rebuild(factories.COUNTY, [march], only=["record.building"]) == 6
    assert IndicatorFigure.objects.filter(indicator="record.building").count() == 6
    # What the pages read is the stored row: change it and the figure follows.
    IndicatorFigure.objects.filter(region_code=factories.COUNTY).update(numerator=3)
    assert figure("record.building", factories.COUNTY, march).numerator == Decimal(3)
    assert breakdown("record.building", "430522101", march)[0].denominator == Decimal(1)
