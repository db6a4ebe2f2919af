"""The 65+ yearly check's test panel (老年人健康管理服务规范 服务内容 3): blood and urine
routine, liver and kidney function, fasting glucose, lipids, ECG and abdominal
ultrasound; a missing part is a warning finding, one per part."""

import datetime as dt

from huimin.records import quality_rules as r
from huimin.records.forms.health_check import ELDERLY_PANEL

OLD = r.PersonFacts(name="王大爷", sex="1", birth_date=dt.date(1956, 3, 1))
PANEL = {
    "haemoglobin": 135,
    "wbc": "6.2",
    "platelets": 210,
    "urine_protein": "-",
    "urine_glucose": "-",
    "urine_ketone": "-",
    "urine_blood": "-",
    "alt": 22,
    "ast": 25,
    "bilirubin_total": "11.0",
    "creatinine": "78.0",
    "urea": "5.1",
    "fasting_glucose": "5.4",
    "cholesterol": "4.80",
    "triglycerides": "1.20",
    "ldl": "2.90",
    "hdl": "1.30",
    "ecg": "1",
    "ultrasound_abdomen": "1",
}


def check(day, data):
    return {"id": 7, "kind": "health_check", "service_date": day, "data": data}


def test_a_complete_panel_raises_nothing():
    assert r.elderly_panel_hits(check(dt.date(2026, 5, 1), PANEL), OLD) == []


def test_each_missing_part_is_named():
    data = {k: v for k, v in PANEL.items() if k not in ("ultrasound_abdomen", "ldl", "hdl")}
    found = r.elderly_panel_hits(check(dt.date(2026, 5, 1), data), OLD)
    assert [(h.rule, h.severity, h.field, h.message) for h in found] == [
        (
            "completeness.elderly_panel",
            "warning",
            "ldl",
            "65岁及以上老年人健康体检缺少血脂（血清低密度脂蛋白胆固醇、血清高密度脂蛋白胆固醇）",
        ),
        (
            "completeness.elderly_panel",
            "warning",
            "ultrasound_abdomen",
            "65岁及以上老年人健康体检缺少腹部B超",
        ),
    ]


def test_the_panel_is_asked_from_the_65th_birthday():
    assert r.elderly_panel_hits(check(dt.date(2021, 2, 28), {}), OLD) == []  # 64
    found = r.elderly_panel_hits(check(dt.date(2021, 3, 1), {}), OLD)  # 65
    assert len(found) == len(ELDERLY_PANEL) == 8


def test_check_record_runs_the_panel_rule():
    facts = r.RecordFacts(
        id=1, person=OLD, forms=[{**check(dt.date(2026, 5, 1), {}), "status": "signed"}]
    )
    assert "completeness.elderly_panel" in {
        h.rule for h in r.check_record(facts, dt.date(2026, 11, 24))
    }
