"""老年人生活自理能力评估表 and 老年人中医药健康管理服务记录表: derived scores by hand."""

import datetime as dt

import pytest

from huimin.records.forms import SPECS
from huimin.records.forms.elderly import selfcare_level
from huimin.records.forms.spec import Context, clean

TODAY = dt.date(2026, 11, 24)
AGED_70 = Context(today=TODAY, birth_date=dt.date(1956, 1, 10), sex="2")
AGED_64 = Context(today=TODAY, birth_date=dt.date(1962, 1, 10), sex="1")
SELFCARE = SPECS["elderly_selfcare"]
TCM = SPECS["tcm_elderly"]


def codes(problems):
    return {(p.field, p.code) for p in problems}


SELFCARE_RAW = {
    "assessed_date": "2026-11-20",
    "meal": "1",  # 独立完成: 0
    "grooming": "2",  # 轻度依赖: 1
    "dressing": "3",  # 中度依赖: 3
    "toileting": "2",  # 轻度依赖: 1
    "activity": "3",  # 中度依赖: 5
    "doctor": "赵医生",
}


def test_self_care_scores_total_and_level_are_derived():
    data, problems = clean(SELFCARE, {**SELFCARE_RAW, "total_score": "0"}, AGED_70, final=True)
    assert problems == []
    assert [
        data[f"{n}_score"] for n in ("meal", "grooming", "dressing", "toileting", "activity")
    ] == [
        0,
        1,
        3,
        1,
        5,
    ]
    # 0 + 1 + 3 + 1 + 5 = 10 → 9–18 中度依赖
    assert data["total_score"] == 10 and data["level"] == "3"


def test_unable_in_everything_scores_37_and_cannot_care_for_self():
    raw = {
        **SELFCARE_RAW,
        **dict.fromkeys(("meal", "grooming", "dressing", "toileting", "activity"), "4"),
    }
    data, _ = clean(SELFCARE, raw, AGED_70, final=True)
    # 5 + 7 + 5 + 10 + 10 = 37
    assert data["total_score"] == 37 and data["level"] == "4"


@pytest.mark.parametrize(
    ("total", "level"), [(0, "1"), (3, "1"), (4, "2"), (8, "2"), (9, "3"), (18, "3"), (19, "4")]
)
def test_self_care_level_bands(total, level):
    assert selfcare_level(total) == level


def test_self_care_half_filled_has_no_total_and_signing_names_the_missing_item():
    raw = {k: v for k, v in SELFCARE_RAW.items() if k != "activity"}
    data, problems = clean(SELFCARE, raw, AGED_70, final=True)
    assert "total_score" not in data and "level" not in data
    assert ("activity", "required") in codes(problems)


def test_self_care_is_for_65_and_over_and_refuses_unknown_levels():
    _, young = clean(SELFCARE, SELFCARE_RAW, AGED_64, final=True)
    assert ("person", "too_young") in codes(young)
    _, bad = clean(SELFCARE, {**SELFCARE_RAW, "meal": "5"}, AGED_70, final=False)
    assert ("meal", "unknown_code") in codes(bad)


def _answers(**overrides):
    raw = {f"q{n}": "2" for n in range(1, 34)}
    raw.update({k: str(v) for k, v in overrides.items()})
    return {"assessed_date": "2026-11-20", "doctor": "孙医生", **raw}


# Every answer 2 except: q1=3, q2=4, q3=3, q4=3, q11=3, q12=3.
# 气虚 q2+q3+q4+q14 = 4+3+3+2 = 12 → ≥11 是
# 阳虚 q11+q12+q13+q29 = 3+3+2+2 = 10 → 9–10 倾向是
# the other six biased types: 2+2+2+2 = 8 → ≤8 否
# 平和 q1 + reversed(q2, q4, q5, q13) = 3 + (6-4) + (6-3) + (6-2) + (6-2) = 16 → <17 否
FILLED = _answers(q1=3, q2=4, q3=3, q4=3, q11=3, q12=3)


def test_constitution_scores_and_judgements_from_a_filled_questionnaire():
    data, problems = clean(
        TCM, {**FILLED, "qixu_guidance": ["2", "4"], "yangxu_guidance": ["3"]}, AGED_70, final=True
    )
    assert problems == []
    assert (data["qixu_score"], data["qixu_result"]) == (12, "1")
    assert (data["yangxu_score"], data["yangxu_result"]) == (10, "2")
    assert all(
        (data[f"{k}_score"], data[f"{k}_result"]) == (8, "3")
        for k in ("yinxu", "tanshi", "shire", "xueyu", "qiyu", "tebing")
    )
    assert (data["pinghe_score"], data["pinghe_result"]) == (16, "3")


def test_balanced_constitution_is_yes_or_basically_yes_by_the_other_scores():
    # All answers 1 except q1=5: 平和 = 5 + (6-1)×4 = 25; every other type 1×4 = 4 → 是
    data, _ = clean(TCM, _answers(**{f"q{n}": 1 for n in range(2, 34)}, q1=5), AGED_70, final=False)
    assert (data["pinghe_score"], data["pinghe_result"]) == (25, "1")
    # 特禀 q15+q17+q18+q20 = 3+3+2+1 = 9 (倾向是) → 平和 only 基本是
    leaning = _answers(
        **{**{f"q{n}": 1 for n in range(2, 34)}, "q1": 5, "q15": 3, "q17": 3, "q18": 2}
    )
    data, _ = clean(TCM, leaning, AGED_70, final=False)
    assert data["tebing_result"] == "2" and data["pinghe_result"] == "2"


def test_found_types_need_guidance_and_other_guidance_needs_text():
    _, problems = clean(TCM, {**FILLED, "yangxu_guidance": ["6"]}, AGED_70, final=True)
    assert {("qixu_guidance", "required"), ("yangxu_guidance_other", "required")} <= codes(problems)


def test_every_question_is_answered_within_1_to_5():
    raw = {k: v for k, v in FILLED.items() if k != "q17"}
    raw["q3"] = "6"
    data, problems = clean(TCM, raw, AGED_70, final=True)
    assert {("q17", "required"), ("q3", "unknown_code")} <= codes(problems)
    # a type with an unanswered question is not scored, nor is 平和 judged
    assert "tebing_score" not in data and "pinghe_result" not in data
    _, young = clean(TCM, FILLED, AGED_64, final=False)
    assert ("person", "too_young") in codes(young)
