"""Catalog restrictions on a fee line, as pure rules (no database)."""

from decimal import Decimal

from huimin.insurance.catalog.rules import Terms, check_line


def line(version, *, sex="1", age=40, level="2", quantity="1", days=1):
    return [
        v.code
        for v in check_line(
            version,
            sex=sex,
            age=age,
            institution_level=level,
            quantity=Decimal(quantity),
            days=days,
        )
    ]


def test_unrestricted_item_passes_anyone_anywhere():
    free = Terms(name="氯化钠注射液", item_class="A")
    assert line(free, sex="2", age=0, level="out_of_area", quantity="999", days=1) == []


def test_sex_restriction():
    female_only = Terms(name="缩宫素注射液", item_class="A", sex="2")
    assert line(female_only, sex="1") == ["restriction_sex"]
    assert line(female_only, sex="2") == []
    found = check_line(
        female_only, sex="1", age=30, institution_level="2", quantity=Decimal(1), days=1
    )
    assert found[0].message == "该项目限女性使用"


def test_age_range_is_inclusive():
    children = Terms(name="布洛芬混悬液", item_class="A", age_min=1, age_max=14)
    assert line(children, age=0) == ["restriction_age"]
    assert line(children, age=1) == []
    assert line(children, age=14) == []
    assert line(children, age=15) == ["restriction_age"]
    adults = Terms(name="左氧氟沙星片", item_class="A", age_min=18)
    assert line(adults, age=17) == ["restriction_age"]
    assert line(adults, age=90) == []


def test_level_restriction():
    county_only = Terms(name="头颅CT平扫", item_class="A", allowed_levels=("2", "3"))
    assert line(county_only, level="1") == ["restriction_level"]
    assert line(county_only, level="out_of_area") == ["restriction_level"]
    assert line(county_only, level="3") == []
    message = check_line(
        county_only, sex="1", age=30, institution_level="1", quantity=Decimal(1), days=1
    )[0].message
    assert "二级" in message and "三级" in message


def test_quantity_is_per_day_times_days():
    oxygen = Terms(name="吸氧", item_class="A", max_quantity_per_day=Decimal(24))
    assert line(oxygen, quantity="24", days=1) == []
    assert line(oxygen, quantity="24.5", days=1) == ["restriction_quantity"]
    assert line(oxygen, quantity="72", days=3) == []
    assert line(oxygen, quantity="73", days=3) == ["restriction_quantity"]
    # A same-day visit counts as one day, never zero.
    assert line(oxygen, quantity="24", days=0) == []


def test_every_broken_restriction_is_reported():
    strict = Terms(
        name="剖宫产术",
        item_class="A",
        sex="2",
        age_min=14,
        allowed_levels=("2", "3"),
        max_quantity_per_day=Decimal(1),
    )
    assert line(strict, sex="1", age=10, level="1", quantity="2") == [
        "restriction_sex",
        "restriction_age",
        "restriction_level",
        "restriction_quantity",
    ]
