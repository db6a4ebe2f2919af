"""The data-quality rules over plain data: hand-worked modified z-scores, the form
rules reused from the specifications, consistency between forms, follow-up rhythm."""

import datetime as dt
from decimal import Decimal

import pytest

from huimin.records import quality_rules as r
from huimin.records.forms import SPECS
from huimin.records.forms.spec import CODE, CODES, DATE, DECIMAL, INT, ROWS, TEXT, clean

TODAY = dt.date(2026, 1, 10)
MAN = r.PersonFacts(name="王大爷", sex="1", birth_date=dt.date(1956, 3, 1))
WOMAN = r.PersonFacts(name="李阿姨", sex="2", birth_date=dt.date(1990, 4, 2))

FOLLOWUP = {
    "mode": "1",
    "symptoms": ["1"],
    "systolic": 130,
    "diastolic": 80,
    "weight": "65.0",
    "adherence": "1",
    "adverse_reaction": "1",
    "classification": "1",
    "doctor": "李医生",
}

_ids = iter(range(1, 10_000))


def form(kind="htn_followup", day="2025-06-01", status="signed", data=None, **columns):
    data = dict(FOLLOWUP, visit_date=day, next_visit_date="2026-12-01") if data is None else data
    return {
        "id": next(_ids),
        "kind": kind,
        "status": status,
        "service_date": dt.date.fromisoformat(day) if day else None,
        "data": data,
        "created_at": dt.datetime(2025, 6, 1, 9, 0),
        **columns,
    }


def _filler(field, day):
    if field.kind == DATE:
        return day
    if field.kind in (INT, DECIMAL):
        return field.min if field.min is not None else 1
    if field.kind == CODE:
        return next(iter(field.codes))
    if field.kind == CODES:
        return [next(iter(field.codes))]
    if field.kind == ROWS:
        return []
    if field.kind == TEXT:
        return "李医生"
    return False


def complete_data(kind, day, ctx):
    """Data that signs for any form: each field the spec asks for (also those a check
    asks for) gets a plain value; a form whose spec is not written yet gets none."""
    spec = SPECS.get(kind)
    if spec is None:
        return {}
    raw = {spec.date_field: day}
    for _ in range(3):
        data, problems = clean(spec, raw, ctx, final=True)
        missing = [p.field for p in problems if p.code == "required"]
        if not missing:
            break
        raw.update({name: _filler(spec.field(name), day) for name in missing})
    assert problems == [], problems
    return data


def rules_of(hits):
    return {(h.rule, h.severity, h.field) for h in hits}


# ---------------------------------------------------------------- modified z-score


def test_modified_z_score_by_hand():
    # Systolic readings 120 122 125 128 130 131 135 200:
    # median = (128 + 130) / 2 = 129; |x − 129| = 9 7 4 1 1 2 6 71 → sorted
    # 1 1 2 4 6 7 9 71, MAD = (4 + 6) / 2 = 5.
    # M(200) = 0.6745 × 71 / 5 = 9.5779 (> 3.5: outlier); M(135) = 0.6745 × 6 / 5 = 0.8094.
    s = r.group_stats([120, 122, 125, 128, 130, 131, 135, 200])
    assert (s.median, s.mad) == (129, 5)
    assert r.modified_z(200, s) == pytest.approx(9.5779)
    assert r.modified_z(135, s) == pytest.approx(0.8094)
    assert r.modified_z(118, s) == pytest.approx(-1.4839)  # 0.6745 × −11 / 5


def test_when_most_values_are_equal_the_mean_absolute_deviation_stands_in():
    # 10 10 10 10 11 30: median 10, deviations 0 0 0 0 1 20, MAD = 0;
    # mean absolute deviation = 21 / 6 = 3.5; M(30) = 20 / (1.253314 × 3.5) = 4.5594.
    s = r.group_stats([10, 10, 10, 10, 11, 30])
    assert s.mad == 0 and s.mean_ad == 3.5
    assert r.modified_z(30, s) == pytest.approx(4.5594, abs=1e-4)
    assert r.modified_z(5, r.group_stats([7, 7, 7])) is None  # no spread, no verdict


def test_outliers_are_judged_within_sex_and_age_band_and_small_groups_say_nothing():
    values = [120, 122, 125, 128, 130, 131, 135, 200]
    stats = r.build_stats([("systolic", "1", 69, v) for v in values], min_group=8)
    assert set(stats) == {("systolic", "1", "65+")}
    # The man is 69 on 2025-06-01: his 200 stands out, 135 does not.
    high = form(systolic=200)
    normal = form(systolic=135)
    hits = r.outlier_hits([high, normal], MAN, stats)
    assert [(h.rule, h.severity, h.field, h.form_id) for h in hits] == [
        ("outlier", "review", "systolic", high["id"])
    ]
    assert "修正Z值9.6" in hits[0].message
    # A woman, or the same man judged against too small a group: no verdict.
    assert r.outlier_hits([high], WOMAN, stats) == []
    assert r.build_stats([("systolic", "1", 69, v) for v in values], min_group=9) == {}


def test_a_diabetics_glucose_is_not_an_outlier_of_the_general_population():
    values = [4.8, 5.0, 5.1, 5.2, 5.3, 5.4, 5.6, 5.9]
    stats = r.build_stats([("fasting_glucose", "1", 69, v) for v in values], min_group=8)
    check = form(kind="health_check", fasting_glucose=11.2)
    # Median 5.25, MAD 0.2: M = 0.6745 × (11.2 − 5.25) / 0.2 = 20.07 → flagged for review
    # in someone not known to be diabetic, whose high reading needs confirming.
    assert [h.field for h in r.outlier_hits([check], MAN, stats)] == ["fasting_glucose"]
    # A registered diabetic's reading is high by diagnosis: no verdict, nor for any
    # diabetes follow-up form.
    assert r.outlier_hits([check], MAN, stats, diabetic=True) == []
    follow_up = form(kind="dm_followup", fasting_glucose=11.2)
    assert r.outlier_hits([follow_up], MAN, stats) == []


def test_age_bands():
    assert [r.age_band(a) for a in (0, 2, 5, 11, 17, 18, 64, 65)] == [
        "0",
        "1-2",
        "3-5",
        "6-11",
        "12-17",
        "18-44",
        "45-64",
        "65+",
    ]


# ---------------------------------------------------------------- form rules


def test_a_complete_signed_follow_up_raises_nothing():
    assert (
        r.form_spec_hits(form(), r.Context(today=TODAY, birth_date=MAN.birth_date, sex="1")) == []
    )


def test_stored_data_is_held_to_the_specification():
    ctx = r.Context(today=TODAY, birth_date=MAN.birth_date, sex="1")
    bad = form(data={**FOLLOWUP, "visit_date": "2025-06-01", "systolic": 80, "diastolic": 120})
    del bad["data"]["adherence"]
    assert rules_of(r.form_spec_hits(bad, ctx)) >= {
        ("completeness.required", "blocking", "adherence"),
        ("validity.systolic_not_above_diastolic", "blocking", "systolic"),
    }


def test_a_follow_up_without_date_or_doctor_is_a_blocking_unsigned_follow_up():
    ctx = r.Context(today=TODAY, birth_date=MAN.birth_date, sex="1")
    data = {k: v for k, v in FOLLOWUP.items() if k != "doctor"}
    hits = r.form_spec_hits(form(data=data, day=None), ctx)
    assert {
        ("followup.unsigned", "blocking", "visit_date"),
        ("followup.unsigned", "blocking", "doctor"),
    } <= rules_of(hits)


def test_wrong_sex_wrong_age_and_after_death_are_consistency_findings():
    man_ctx = r.Context(today=TODAY, birth_date=dt.date(1990, 1, 1), sex="1")
    prenatal = form("prenatal_first", data={"visit_date": "2025-06-01"})
    assert ("consistency.sex", "blocking", "person") in rules_of(
        r.form_spec_hits(prenatal, man_ctx)
    )
    child_ctx = r.Context(today=TODAY, birth_date=dt.date(2015, 1, 1), sex="1")
    assert ("consistency.age", "blocking", "person") in rules_of(
        r.form_spec_hits(form(), child_ctx)
    )
    dead = r.Context(
        today=TODAY, birth_date=MAN.birth_date, sex="1", death_date=dt.date(2025, 5, 1)
    )
    assert ("consistency.after_death", "blocking", "visit_date") in rules_of(
        r.form_spec_hits(form(), dead)
    )


def test_a_record_without_a_signed_personal_information_form_is_incomplete():
    assert [h.message for h in r.personal_info_hits([])] == ["缺少个人基本信息表"]
    draft = form("personal_info", status="draft", data={})
    assert [h.message for h in r.personal_info_hits([draft])] == ["个人基本信息表尚未签名"]
    assert r.personal_info_hits([form("personal_info", data={})]) == []  # signed: enough here


def test_a_health_check_without_bmi_or_waist():
    blank = form("health_check", data={"visit_date": "2025-06-01"})
    assert {h.rule for h in r.health_check_hits(blank, set())} == {
        "completeness.bmi",
        "completeness.waist",
    }
    full = form(
        "health_check", data={}, height_cm=Decimal(170), weight_kg=Decimal(70), waist_cm=Decimal(88)
    )
    assert r.health_check_hits(full, set()) == []


def test_drafts_older_than_30_days_are_stale():
    old = form(status="draft")  # created 2025-06-01
    fresh = form(status="draft")
    fresh["created_at"] = dt.datetime(2026, 1, 1, 8, 0)
    hits = r.stale_draft_hits([old, fresh], TODAY)
    assert [(h.rule, h.form_id) for h in hits] == [("draft.stale", old["id"])]
    assert hits[0].message.startswith("未签名草稿")


# ---------------------------------------------------------------- between forms


def test_an_adult_height_shrinking_by_more_than_5_cm_warns_and_by_more_than_20_blocks():
    a = form(day="2025-01-10", height_cm=Decimal("170"))
    b = form(day="2025-04-10", height_cm=Decimal("169"))  # −1: normal
    c = form(day="2025-07-10", height_cm=Decimal("163"))  # −6: warning
    d = form(day="2025-10-10", height_cm=Decimal("142"))  # −21: blocking
    hits = r.height_hits([d, c, b, a], MAN)
    assert [(h.severity, h.form_id) for h in hits] == [("warning", c["id"]), ("blocking", d["id"])]
    assert "相差6cm" in hits[0].message


def test_a_childs_height_is_not_held_to_the_adult_rule():
    kid = r.PersonFacts(name="小明", sex="1", birth_date=dt.date(2010, 1, 1))
    forms = [
        form(day="2025-01-10", height_cm=Decimal(160)),
        form(day="2025-03-10", height_cm=Decimal(150)),
    ]
    assert r.height_hits(forms, kid) == []


def test_weight_jumping_over_30_percent_within_3_months_is_for_review():
    a = form(day="2025-01-10", weight_kg=Decimal(60))
    b = form(day="2025-03-10", weight_kg=Decimal(80))  # +33% in 59 days
    c = form(day="2025-09-10", weight_kg=Decimal(110))  # +37.5%, but 184 days later
    hits = r.weight_hits([a, b, c], MAN)
    assert [(h.rule, h.severity, h.form_id) for h in hits] == [
        ("consistency.weight_jump", "review", b["id"])
    ]
    baby = r.PersonFacts(name="小宝", sex="2", birth_date=dt.date(2024, 11, 1))
    light = form("child_check", day="2025-01-10", data={}, weight_kg=Decimal("4.5"))
    heavier = form("child_check", day="2025-03-10", data={}, weight_kg=Decimal("6.5"))
    assert r.weight_hits([light, heavier], baby) == []  # +44% in two months: growing


def test_two_signed_forms_of_a_kind_on_one_day_are_likely_duplicates():
    a, b = form(day="2025-03-01"), form(day="2025-03-01")
    shots = [form("immunisation", day="2025-03-01", data={}) for _ in range(2)]
    assert [h.form_id for h in r.duplicate_form_hits([a, b, *shots])] == [b["id"]]
    assert r.followup_hits([a, b], [], TODAY) == []  # not also "too close"


# ---------------------------------------------------------------- follow-ups


def test_follow_ups_too_few_with_a_long_gap_and_two_too_close():
    programme = {"kind": "hypertension", "registered_on": dt.date(2024, 12, 1), "ended_on": None}
    forms = [
        form(day="2025-02-01"),
        form(day="2025-02-10"),
        form(day="2025-09-01"),
    ]
    hits = r.followup_hits(forms, [programme], TODAY)
    assert rules_of(hits) == {
        ("followup.too_close", "warning", "visit_date"),
        ("followup.too_few", "warning", "htn_followup"),
        ("followup.gap", "warning", "htn_followup"),
    }
    by_rule = {h.rule: h for h in hits}
    assert by_rule["followup.too_close"].form_id == forms[1]["id"]
    # Three in the year from 2025-01-10 (4 owed). Gaps: 12-01 → 02-01 62 days,
    # 02-10 → 09-01 203 days, 09-01 → today 131 days; the longest is named.
    assert "2025-02-10至2025-09-01共203天" in by_rule["followup.gap"].message


def test_a_quarterly_rhythm_raises_nothing_and_a_new_registration_owes_less():
    programme = {"kind": "hypertension", "registered_on": dt.date(2024, 12, 1), "ended_on": None}
    days = ["2024-12-20", "2025-03-15", "2025-06-10", "2025-09-05", "2025-12-01"]
    assert r.followup_hits([form(day=d) for d in days], [programme], TODAY) == []
    new = {"kind": "diabetes", "registered_on": dt.date(2025, 10, 1), "ended_on": None}
    # 101 days registered: one full quarter, one follow-up owed; none done yet.
    hits = r.followup_hits([], [new], TODAY)
    assert [h.message for h in hits if h.rule == "followup.too_few"] == [
        "近12个月面对面随访0次（2型糖尿病患者随访服务记录表，电话随访和未访到不计），应不少于1次"
    ]
    ended = {**new, "ended_on": dt.date(2025, 11, 1)}
    assert r.followup_hits([], [ended], TODAY) == []


def test_check_record_qualifies_only_without_blocking_hits():
    ctx = r.Context(today=TODAY, birth_date=MAN.birth_date, sex="1")
    facts = r.RecordFacts(
        id=1,
        person=MAN,
        forms=[
            form("personal_info", data=complete_data("personal_info", "2025-06-01", ctx)),
            form(weight_kg=Decimal(60)),
        ],
        duplicate_person=True,
    )
    hits = r.check_record(facts, TODAY)
    assert rules_of(hits) == {("duplicate.person", "warning", "person")}
    assert r.qualified(hits)
    facts.forms = facts.forms[1:]
    assert not r.qualified(r.check_record(facts, TODAY))
