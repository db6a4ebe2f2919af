"""A batch run reviews with the region's active rule set and records which one; with
none active it falls back to the shipped default, named as such, and records none."""

from importlib import resources

import pytest

from huimin.review.batch.runner import rule_set_for
from huimin.review.models import ReviewRuleSet
from tests import factories


@pytest.mark.django_db
def test_the_active_set_is_used_and_named(county):
    uploader = factories.make_staff("up", "insurance_officer", factories.COUNTY)
    second = factories.make_staff("act", "insurance_officer", factories.COUNTY)
    text = resources.files("huimin.review").joinpath("default_rules.yaml").read_text("utf-8")
    shipped = 'rule_set: "新邵县智能审核规则2026年度（默认）"'
    text = text.replace(shipped, 'rule_set: "本县2026年度规则"')
    text = text.replace('region: "430522"', f'region: "{factories.COUNTY}"')
    row = ReviewRuleSet.objects.create(
        region_code=factories.COUNTY,
        year=2026,
        name="本县2026年度规则",
        document=text,
        status="active",
        uploaded_by=uploader,
        activated_by=second,
    )

    rule_set, used = rule_set_for(factories.VILLAGES[0], 2026)
    assert used == row and rule_set.name == "本县2026年度规则"

    default, none = rule_set_for(factories.VILLAGES[0], 2025)
    assert none is None and "默认" in default.name
