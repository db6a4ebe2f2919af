"""The follow-up forms against the specification's 分类干预 and 随访评估 clauses: the
classification against the measurements, the urgent referral on danger values, the
next visit within two weeks after an outcome that asks for it. Each rule fires, and its
near miss does not."""

import datetime as dt

from huimin.records.forms import SPECS
from huimin.records.forms.spec import Context, clean

TODAY = dt.date(2026, 11, 24)
BORN_1970 = Context(today=TODAY, birth_date=dt.date(1970, 5, 1), sex="1")  # 56
BORN_1950 = Context(today=TODAY, birth_date=dt.date(1950, 5, 1), sex="1")  # 76

HTN = {
    "visit_date": "2026-11-20",
    "mode": "1",
    "symptoms": ["1"],
    "systolic": "132",
    "diastolic": "84",
    "weight": "70",
    "adherence": "1",
    "adverse_reaction": "1",
    "classification": "1",
    "next_visit_date": "2027-02-18",
    "doctor": "张医生",
}
DM = {**HTN, "fasting_glucose": "6.5"}


def codes(kind, raw, ctx=BORN_1970):
    _, problems = clean(SPECS[kind], raw, ctx, final=True)
    return {(p.field, p.code): p.message for p in problems}


# ---------------------------------------------------------------- classification


def test_controlled_cannot_be_signed_with_165_over_100():
    got = codes("htn_followup", {**HTN, "systolic": "165", "diastolic": "100"})
    assert got == {
        (
            "classification",
            "not_controlled",
        ): "血压165/100mmHg未达到控制目标（<140/90mmHg），此次随访分类不能为“控制满意”",
        # 165/100 is not a danger value, but 控制满意 asks for no recheck: the form
        # refuses the classification only.
    }


def test_the_target_is_below_140_90_and_below_150_90_from_65():
    assert codes("htn_followup", {**HTN, "systolic": "139", "diastolic": "89"}) == {}
    assert ("classification", "not_controlled") in codes("htn_followup", {**HTN, "systolic": "140"})
    assert ("classification", "not_controlled") in codes("htn_followup", {**HTN, "diastolic": "90"})
    # At 76: 149/89 is controlled, 150/89 is not, nor is 140/90.
    assert codes("htn_followup", {**HTN, "systolic": "149", "diastolic": "89"}, BORN_1950) == {}
    assert ("classification", "not_controlled") in codes(
        "htn_followup", {**HTN, "systolic": "150", "diastolic": "89"}, BORN_1950
    )
    assert ("classification", "not_controlled") in codes(
        "htn_followup", {**HTN, "systolic": "140", "diastolic": "90"}, BORN_1950
    )


def test_diabetes_is_controlled_below_a_fasting_glucose_of_7():
    assert codes("dm_followup", {**DM, "fasting_glucose": "6.9"}) == {}
    got = codes("dm_followup", {**DM, "fasting_glucose": "7.0"})
    assert got == {
        (
            "classification",
            "not_controlled",
        ): "空腹血糖7.0mmol/L未达到控制目标（<7.0mmol/L），此次随访分类不能为“控制满意”"
    }
    # The diabetes form's classification is the glucose's: a BP of 145/92 does not
    # contradict 控制满意 there.
    assert codes("dm_followup", {**DM, "systolic": "145", "diastolic": "92"}) == {}


# ---------------------------------------------------------------- danger values


def uncontrolled(**values):
    """An uncontrolled visit seen again within two weeks: only the danger rule left."""
    return {**HTN, "classification": "2", "next_visit_date": "2026-12-04", **values}


def test_a_danger_blood_pressure_demands_the_urgent_referral_or_a_reason():
    got = codes("htn_followup", uncontrolled(systolic="182", diastolic="104"))
    assert got == {
        (
            "referral_reason",
            "urgent_referral",
        ): "血压182/104mmHg（≥180/110）属危急情况，应处理后紧急转诊：请填写转诊原因及机构，"
        "或填写危急情况未转诊原因"
    }
    assert ("referral_reason", "urgent_referral") in codes(
        "htn_followup", uncontrolled(systolic="170", diastolic="110")
    )
    referred = uncontrolled(
        systolic="182", diastolic="104", referral_reason="血压≥180mmHg", referral_to="县医院心内科"
    )
    assert codes("htn_followup", referred) == {}
    declined = uncontrolled(systolic="182", diastolic="104", no_referral_reason="本人拒绝转诊")
    assert codes("htn_followup", declined) == {}
    # Near miss: 179/109 is uncontrolled, not dangerous.
    assert codes("htn_followup", uncontrolled(systolic="179", diastolic="109")) == {}


def test_a_danger_glucose_demands_the_urgent_referral():
    for glucose in ("16.7", "3.9"):
        raw = {**DM, **uncontrolled(fasting_glucose=glucose)}
        assert ("referral_reason", "urgent_referral") in codes("dm_followup", raw), glucose
    for glucose in ("16.6", "4.0"):
        raw = {**DM, **uncontrolled(fasting_glucose=glucose)}
        assert ("referral_reason", "urgent_referral") not in codes("dm_followup", raw), glucose


def test_a_draft_shows_the_prompt_without_refusing_to_save():
    _, problems = clean(
        SPECS["htn_followup"],
        uncontrolled(systolic="185", diastolic="112"),
        BORN_1970,
        final=False,
    )
    assert [p.code for p in problems] == ["urgent_referral"]


# ---------------------------------------------------------------- next visit


def test_after_an_uncontrolled_visit_the_next_is_within_two_weeks():
    assert codes("htn_followup", uncontrolled(next_visit_date="2026-12-04")) == {}  # day 14
    got = codes("htn_followup", uncontrolled(next_visit_date="2026-12-05"))  # day 15
    assert got == {
        (
            "next_visit_date",
            "recheck_too_late",
        ): "此次随访分类为“控制不满意”，应在2周内随访：下次随访日期不能晚于2026-12-04"
    }
    for cls in ("3", "4"):  # 不良反应, 并发症
        raw = uncontrolled(classification=cls, next_visit_date="2027-02-18")
        if cls == "3":
            raw["adverse_reaction"], raw["adverse_reaction_detail"] = "2", "干咳"
        assert ("next_visit_date", "recheck_too_late") in codes("htn_followup", raw)


def test_after_a_referral_the_next_visit_is_within_two_weeks_even_when_controlled():
    referred = {**HTN, "referral_reason": "并发症加重", "referral_to": "县医院"}
    got = codes("htn_followup", referred)
    assert got[("next_visit_date", "recheck_too_late")].startswith("本次已转诊")
    assert codes("htn_followup", {**referred, "next_visit_date": "2026-12-01"}) == {}


def test_the_new_items_are_kept_and_old_forms_without_them_still_read():
    raw = uncontrolled(
        medication_adjustment=[{"name": "氨氯地平片", "dose": "10mg 每日1次"}],
        referral_result="1",
        referral_contact="王医生 13800000000",
    )
    data, problems = clean(SPECS["htn_followup"], raw, BORN_1970, final=True)
    assert problems == []
    assert data["medication_adjustment"] == [{"name": "氨氯地平片", "dose": "10mg 每日1次"}]
    assert data["referral_result"] == "1"
    assert codes("htn_followup", uncontrolled(referral_result="9")) == {
        ("referral_result", "unknown_code"): "上次转诊结果的代码“9”不在代码表中"
    }


# ---------------------------------------------------------------- SMI


SMI = {
    "visit_date": "2026-11-20",
    "mode": "2",
    "risk_level": "0",
    "symptoms": ["11"],
    "insight": "2",
    "sleep": "1",
    "diet": "1",
    "personal_care": "2",
    "housework": "2",
    "work": "9",
    "learning": "2",
    "social": "3",
    "behaviours_none": "1",
    "lockup": "1",
    "hospital": "0",
    "lab_tests": "1",
    "adherence": "1",
    "adverse_reaction": "1",
    "effect": "2",
    "referral": "1",
    "medications": [{"name": "利培酮片", "frequency": "每日2次", "dose_mg": "2"}],
    "classification": "3",
    "next_visit_date": "2027-02-18",
    "doctor": "周医生",
}


def test_smi_basically_stable_or_unstable_is_seen_within_two_weeks_stable_in_three_months():
    assert codes("smi_followup", SMI) == {}  # 稳定: 90 days
    fairly = {**SMI, "risk_level": "1", "classification": "2"}
    got = codes("smi_followup", fairly)
    assert got == {
        (
            "next_visit_date",
            "recheck_too_late",
        ): "本次随访分类为“基本稳定”，应在2周内随访：下次随访日期不能晚于2026-12-04"
    }
    assert codes("smi_followup", {**fairly, "next_visit_date": "2026-12-04"}) == {}
    unstable = {**SMI, "risk_level": "3", "classification": "1", "next_visit_date": "2026-12-05"}
    assert ("next_visit_date", "recheck_too_late") in codes("smi_followup", unstable)
    referred = {**SMI, "referral": "2", "referral_reason": "症状波动", "referral_to": "县精神病院"}
    assert ("next_visit_date", "recheck_too_late") in codes("smi_followup", referred)
    assert (
        codes("smi_followup", {**referred, "referral_result": "1", "next_visit_date": "2026-12-01"})
        == {}
    )
