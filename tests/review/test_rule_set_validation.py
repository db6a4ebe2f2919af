"""A rule set is refused whole, every problem named by rule and parameter."""

import copy
from decimal import Decimal

import pytest
import yaml

from huimin.review import ruleset
from huimin.review.ruleset import RuleSetError, parse_rule_set

VALID = {
    "rule_set": "测试规则",
    "region": "430522",
    "year": 2026,
    "scoring": {
        "severity_factors": {"blocking": "3", "warning": "2", "information": "1"},
        "colours": {"red": "60", "orange": "30", "yellow": "15", "blue": "5"},
    },
    "rules": [
        {
            "code": "split_admission",
            "name": "分解住院",
            "category": "admission",
            "severity": "warning",
            "weight": "15",
            "params": {
                "window_days": 15,
                "same_institution_only": True,
                "related_categories": [["I20", "I21"]],
            },
            "exceptions": {"diagnoses": ["Z51.1", "Z49"]},
            "explanation": "疑似分解住院：距上次出院{gap_days}天，请核实。",
        },
        {
            "code": "not_insured",
            "name": "就诊日未参保",
            "category": "identity",
            "severity": "blocking",
            "weight": 40,
            "explanation": "疑似非参保期间就医：{visit_date}，请核实。",
        },
    ],
}


def problems(change) -> dict[str, str]:
    doc = copy.deepcopy(VALID)
    change(doc)
    with pytest.raises(RuleSetError) as caught:
        parse_rule_set(yaml.safe_dump(doc, allow_unicode=True))
    return caught.value.problems


def split(doc):
    return doc["rules"][0]


def test_the_valid_document_parses():
    rs = parse_rule_set(yaml.safe_dump(VALID, allow_unicode=True))
    assert list(rs.rules) == ["split_admission", "not_insured"]
    cfg = rs.rules["split_admission"]
    assert cfg.params["window_days"] == 15
    assert cfg.params["related_categories"] == (("I20", "I21"),)
    assert cfg.exceptions.diagnoses == ("Z51.1", "Z49")
    assert str(rs.rules["not_insured"].weight) == "40"


def test_a_negative_window_is_refused_naming_rule_and_parameter():
    found = problems(lambda d: split(d)["params"].update(window_days=-15))
    assert found == {"rules.split_admission.params.window_days": "应为正整数天数（不能为负数或零）"}


def test_a_zero_window_is_refused_too():
    found = problems(lambda d: split(d)["params"].update(window_days=0))
    assert "rules.split_admission.params.window_days" in found


def test_a_missing_parameter_is_refused():
    found = problems(lambda d: split(d)["params"].pop("window_days"))
    assert found["rules.split_admission.params.window_days"].startswith("缺少此参数")


def test_a_missing_params_block_names_each_parameter():
    found = problems(lambda d: split(d).pop("params"))
    assert set(found) == {
        "rules.split_admission.params",
        "rules.split_admission.params.window_days",
        "rules.split_admission.params.same_institution_only",
        "rules.split_admission.params.related_categories",
    }


def test_an_unknown_parameter_is_refused():
    found = problems(lambda d: split(d)["params"].update(windows_days=15))
    assert "rules.split_admission.params.windows_days" in found
    assert "拼写错误" in found["rules.split_admission.params.windows_days"]


def test_an_unknown_rule_code_is_refused():
    found = problems(lambda d: d["rules"].append({"code": "split_admision", "name": "x"}))
    assert "未知的规则编码“split_admision”" in found["rules[2].code"]


def test_a_weight_that_does_not_parse_is_refused():
    found = problems(lambda d: split(d).update(weight="十五"))
    assert found == {"rules.split_admission.weight": '权重应为非负数值，如 "10"'}


@pytest.mark.parametrize("weight", ["-5", "1e3", True, None, [1]])
def test_negative_exponent_boolean_missing_and_list_weights_are_refused(weight):
    found = problems(lambda d: split(d).update(weight=weight))
    assert "rules.split_admission.weight" in found


def test_a_decimal_weight_typed_unquoted_is_read_as_typed():
    doc = copy.deepcopy(VALID)
    doc["rules"][0]["weight"] = 7.5
    rs = parse_rule_set(yaml.safe_dump(doc, allow_unicode=True))
    assert str(rs.rules["split_admission"].weight) == "7.5"


def test_every_problem_is_reported_at_once_and_nothing_is_returned():
    def many(d):
        split(d)["params"]["window_days"] = -1
        d["rules"][1]["weight"] = "abc"
        d["year"] = 1999

    found = problems(many)
    assert set(found) == {
        "rules.split_admission.params.window_days",
        "rules.not_insured.weight",
        "year",
    }
    # the message names each one
    with pytest.raises(RuleSetError, match=r"rules\.not_insured\.weight"):
        doc = copy.deepcopy(VALID)
        many(doc)
        parse_rule_set(yaml.safe_dump(doc, allow_unicode=True))


def test_a_duplicated_rule_is_refused():
    found = problems(lambda d: d["rules"].append(copy.deepcopy(d["rules"][0])))
    assert found == {"rules.split_admission": "规则重复出现"}


def test_bad_severity_and_category_are_refused():
    def bad(d):
        split(d)["severity"] = "fatal"
        split(d)["category"] = "fraud"

    found = problems(bad)
    assert set(found) == {"rules.split_admission.severity", "rules.split_admission.category"}


def test_a_batch_rule_cannot_block_at_the_counter():
    rule = {
        "code": "bulk_swiping",
        "name": "集中刷卡",
        "category": "pattern",
        "severity": "blocking",
        "weight": "20",
        "params": {"window_minutes": 10, "min_cards": 8},
        "explanation": "疑似套刷：{terminal}，请核实。",
    }
    found = problems(lambda d: d["rules"].append(rule))
    assert "不能设为 blocking" in found["rules.bulk_swiping.severity"]


def test_an_explanation_naming_an_unknown_fact_is_refused():
    found = problems(lambda d: split(d).update(explanation="疑似分解住院：{gap}天"))
    assert "{gap}" in found["rules.split_admission.explanation"]


def test_an_explanation_with_unpaired_braces_is_refused():
    found = problems(lambda d: split(d).update(explanation="疑似分解住院：{gap_days天"))
    assert "花括号" in found["rules.split_admission.explanation"]


def test_an_explanation_pronouncing_a_verdict_is_refused():
    found = problems(lambda d: split(d).update(explanation="认定为欺诈骗保：{gap_days}天"))
    assert "不能下结论" in found["rules.split_admission.explanation"]


def test_a_missing_explanation_is_refused():
    found = problems(lambda d: split(d).pop("explanation"))
    assert found == {"rules.split_admission.explanation": "缺少此项"}


def test_bad_exception_codes_are_refused():
    found = problems(lambda d: split(d)["exceptions"].update(diagnoses=["化疗"]))
    assert "化疗" in found["rules.split_admission.exceptions.diagnoses"]
    found = problems(lambda d: split(d)["exceptions"].update(items="001"))
    assert "rules.split_admission.exceptions.items" in found


def test_colours_must_descend_from_red_to_blue():
    found = problems(lambda d: d["scoring"]["colours"].update(yellow="40"))
    assert found == {"scoring.colours": "分值须满足 红 > 橙 > 黄 > 蓝 > 0"}


def test_a_missing_colour_or_factor_is_refused():
    def drop(d):
        d["scoring"]["colours"].pop("blue")
        d["scoring"]["severity_factors"].pop("warning")

    found = problems(drop)
    assert set(found) == {"scoring.colours.blue", "scoring.severity_factors.warning"}


def test_bad_region_year_and_unknown_top_keys_are_refused():
    def bad(d):
        d["region"] = "43052"
        d["year"] = "2026"
        d["rule"] = []

    found = problems(bad)
    assert set(found) == {"region", "year", "rule"}


def test_bad_yaml_and_an_empty_rule_list_are_refused():
    with pytest.raises(RuleSetError) as caught:
        parse_rule_set("rules: [")
    assert "rule_set" in caught.value.problems
    assert "rules" in problems(lambda d: d.update(rules=[]))


def test_parameter_kinds_refuse_their_bad_values():
    def bad(d):
        split(d)["params"]["same_institution_only"] = "yes"
        split(d)["params"]["related_categories"] = ["I20"]

    found = problems(bad)
    assert set(found) == {
        "rules.split_admission.params.same_institution_only",
        "rules.split_admission.params.related_categories",
    }


def test_a_ratio_above_one_is_refused():
    rule = {
        "code": "cap_bunching",
        "name": "冲顶消费",
        "category": "pattern",
        "severity": "information",
        "weight": "5",
        "params": {"band_ratio": "1.5", "min_claim_share": "0.5", "from_month": 13},
        "explanation": "疑似冲顶消费：{share}",
    }
    found = problems(lambda d: d["rules"].append(rule))
    assert set(found) == {
        "rules.cap_bunching.params.band_ratio",
        "rules.cap_bunching.params.from_month",
    }


def test_the_reasons_are_in_chinese():
    found = problems(lambda d: split(d)["params"].update(window_days=-1))
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in reason) for reason in found.values())
    assert ruleset.RuleSetError.__mro__[1] is ValueError


def test_item_codes_must_be_quoted_so_leading_zeros_survive():
    text = yaml.safe_dump(VALID, allow_unicode=True).replace(
        "    diagnoses:\n", "    items: [001102000010000]\n    diagnoses:\n", 1
    )
    with pytest.raises(RuleSetError) as caught:
        parse_rule_set(text)
    assert "须加引号" in caught.value.problems["rules.split_admission.exceptions.items"]


def test_full_width_digits_are_not_numbers_here():
    found = problems(lambda d: split(d).update(weight="１５"))
    assert "rules.split_admission.weight" in found


def test_whole_numbers_may_be_quoted_but_must_be_ascii_digits():
    doc = copy.deepcopy(VALID)
    doc["rules"][0]["params"]["window_days"] = "20"
    rs = parse_rule_set(yaml.safe_dump(doc, allow_unicode=True))
    assert rs.rules["split_admission"].params["window_days"] == 20
    found = problems(lambda d: split(d)["params"].update(window_days="２０"))
    assert "rules.split_admission.params.window_days" in found


def test_the_confirmed_factor_defaults_to_two_and_is_read_as_typed():
    assert parse_rule_set(yaml.safe_dump(VALID, allow_unicode=True)).confirmed_factor == 2
    doc = copy.deepcopy(VALID)
    doc["scoring"]["confirmed_factor"] = "1.5"
    rs = parse_rule_set(yaml.safe_dump(doc, allow_unicode=True))
    assert rs.confirmed_factor == Decimal("1.5")


@pytest.mark.parametrize("factor", ["0.5", "0", "-2", "11", "两倍", True])
def test_a_confirmed_factor_below_one_above_ten_or_not_a_number_is_refused(factor):
    found = problems(lambda d: d["scoring"].update(confirmed_factor=factor))
    assert list(found) == ["scoring.confirmed_factor"]
    assert "1至10" in found["scoring.confirmed_factor"]
