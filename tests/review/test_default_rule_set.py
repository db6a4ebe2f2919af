"""The rule set shipped in the package: parses, covers the library, reads as indications."""

from pathlib import Path

from huimin.review.rules import REGISTRY
from huimin.review.ruleset import default_rule_set


def test_it_parses_and_lists_every_rule_of_the_library():
    rs = default_rule_set()
    assert set(rs.rules) == set(REGISTRY)
    assert rs.rules["split_admission"].params["window_days"] == 15
    assert "Z51.1" in rs.rules["split_admission"].exceptions.diagnoses


def test_every_explanation_asks_for_review():
    for cfg in default_rule_set().rules.values():
        assert "请核实" in cfg.explanation or "请关注" in cfg.explanation, cfg.code


def test_every_rule_has_its_own_test_file():
    here = Path(__file__).parent
    missing = [code for code in REGISTRY if not (here / f"test_rule_{code}.py").exists()]
    assert missing == []


def test_docs_describe_every_rule_and_parameter():
    docs = (Path(__file__).parents[2] / "docs" / "review.md").read_text("utf-8")
    missing = [
        f"{spec.code}.{name}"
        for spec in REGISTRY.values()
        for name in (spec.code, *spec.params)
        if f"`{name}`" not in docs
    ]
    assert missing == []
