"""Hypertension and type-2 diabetes follow-up records.

高血压患者随访服务记录表 and 2型糖尿病患者随访服务记录表, with the checks the
specification's 随访评估 and 分类干预 clauses make of them (docs/records.md, "Chronic-disease,
SMI and elderly rules against the specification"):
- 控制满意 only with the measurements under target: BP < 140/90 (< 150/90 at 65 and
  over), fasting glucose < 7.0 mmol/L;
- danger values (BP ≥ 180/110; glucose ≥ 16.7 or ≤ 3.9) need the urgent referral, or
  why there was none;
- an outcome other than 控制满意, or a referral, needs the next visit within two weeks.
"""

import datetime as dt
from decimal import Decimal

from huimin.records.forms import codes, mental
from huimin.records.forms.spec import (
    CODE,
    CODES,
    DATE,
    DECIMAL,
    INT,
    TEXT,
    Context,
    Field,
    FormSpec,
    Problem,
    blood_pressure_check,
    bmi,
    date_of,
    none_alone,
    not_before,
    number,
    required_if,
)

REFERRAL_RESULT = {"1": "到位", "2": "不到位"}
CONTROLLED = "1"  # FOLLOWUP_CLASS 控制满意
# 分类干预 2–3: after these, and after a referral, the next visit is within two weeks.
RECHECK_DAYS = 14
ELDERLY_AGE = 65
BP_TARGET = (140, 90)
BP_TARGET_ELDERLY = (150, 90)
BP_DANGER = (180, 110)
GLUCOSE_TARGET = Decimal("7.0")
GLUCOSE_DANGER_HIGH, GLUCOSE_DANGER_LOW = Decimal("16.7"), Decimal("3.9")
PHONE = "3"  # FOLLOWUP_MODE 电话
# 服务对象: residents 35 and over; a younger patient's registration records why.
TARGET_AGE = 35
UNDER_TARGET_REASON = "under_35_reason"
# The keys of a follow-up (HTN, DM or SMI) that say how it went: the schedule and the
# quality rules read only these of its data.
OUTCOME_KEYS = ("mode", "classification", "referral", "referral_reason", "referral_result")

_MEDICATION = (
    Field("name", "药物名称", max_length=50),
    Field("dose", "用法用量", max_length=50),
)


def _common_head(symptom_codes: dict) -> tuple[Field, ...]:
    return (
        Field("visit_date", "随访日期", DATE, required=True, section="随访"),
        Field("mode", "随访方式", CODE, required=True, codes=codes.FOLLOWUP_MODE, section="随访"),
        Field("symptoms", "症状", CODES, required=True, codes=symptom_codes, section="症状"),
        Field("symptoms_other", "其他症状", TEXT, max_length=100, section="症状"),
    )


def _signs(*extra: Field) -> tuple[Field, ...]:
    return (
        Field(
            "systolic", "收缩压", INT, required=True, min=50, max=300, unit="mmHg", section="体征"
        ),
        Field(
            "diastolic", "舒张压", INT, required=True, min=30, max=200, unit="mmHg", section="体征"
        ),
        Field("height", "身高", DECIMAL, min=40, max=250, unit="cm", section="体征"),
        Field("weight", "体重", DECIMAL, required=True, min=20, max=300, unit="kg", section="体征"),
        Field("weight_target", "目标体重", DECIMAL, min=20, max=300, unit="kg", section="体征"),
        Field("bmi", "体质指数", DECIMAL, derived=True, unit="kg/m²", section="体征"),
        *extra,
        Field("signs_other", "其他体征", TEXT, max_length=100, section="体征"),
    )


_LIFESTYLE = (
    Field("cigarettes_per_day", "日吸烟量", INT, min=0, max=100, unit="支", section="生活方式指导"),
    Field(
        "cigarettes_target",
        "日吸烟量（目标）",
        INT,
        min=0,
        max=100,
        unit="支",
        section="生活方式指导",
    ),
    Field("alcohol_per_day", "日饮酒量", INT, min=0, max=50, unit="两", section="生活方式指导"),
    Field(
        "alcohol_target", "日饮酒量（目标）", INT, min=0, max=50, unit="两", section="生活方式指导"
    ),
    Field("exercise_times_week", "运动（次/周）", INT, min=0, max=21, section="生活方式指导"),
    Field("exercise_minutes", "运动（分钟/次）", INT, min=0, max=600, section="生活方式指导"),
)

_TAIL = (
    Field("psychology", "心理调整", CODE, codes=codes.GOOD_FAIR_POOR, section="生活方式指导"),
    Field("compliance", "遵医行为", CODE, codes=codes.GOOD_FAIR_POOR, section="生活方式指导"),
    Field("adherence", "服药依从性", CODE, required=True, codes=codes.ADHERENCE, section="用药"),
    Field(
        "adverse_reaction", "药物不良反应", CODE, required=True, codes=codes.YES_NO, section="用药"
    ),
    Field("adverse_reaction_detail", "不良反应描述", TEXT, max_length=100, section="用药"),
    Field(
        "classification",
        "此次随访分类",
        CODE,
        required=True,
        codes=codes.FOLLOWUP_CLASS,
        section="用药",
    ),
    Field("medications", "用药情况", "rows", rows=_MEDICATION, section="用药"),
    Field(
        "medication_adjustment", "用药调整意见", "rows", rows=_MEDICATION, section="用药调整意见"
    ),
    Field("referral_reason", "转诊原因", TEXT, max_length=100, section="转诊"),
    Field("referral_to", "转诊机构及科别", TEXT, max_length=100, section="转诊"),
    Field("referral_contact", "转诊联系人及电话", TEXT, max_length=50, section="转诊"),
    # The result of the referral recorded on the previous visit, asked on this one.
    Field("referral_result", "上次转诊结果", CODE, codes=REFERRAL_RESULT, section="转诊"),
    Field("no_referral_reason", "危急情况未转诊原因", TEXT, max_length=100, section="转诊"),
    Field(
        "next_visit_date", "下次随访日期", DATE, required=True, allow_future=True, section="签名"
    ),
    Field("doctor", "随访医生签名", TEXT, required=True, max_length=50, section="签名"),
)


def _derive(data: dict) -> dict:
    return {"bmi": bmi(data.get("height"), data.get("weight"))}


def _next_after_visit(data: dict, ctx: Context) -> list[Problem]:
    visit, nxt = date_of(data, "visit_date"), date_of(data, "next_visit_date")
    if visit and nxt and nxt <= visit:
        return [Problem("next_visit_date", "date_order", "下次随访日期应晚于本次随访日期")]
    return []


def bp_target(age: int | None) -> tuple[int, int]:
    """The BP a patient is controlled under: 150/90 at 65 and over (an unknown age is
    given the benefit of the doubt), 140/90 otherwise."""
    return BP_TARGET if age is not None and age < ELDERLY_AGE else BP_TARGET_ELDERLY


def bp_controlled(systolic, diastolic, age: int | None) -> bool | None:
    if systolic is None or diastolic is None:
        return None
    s, d = bp_target(age)
    return Decimal(str(systolic)) < s and Decimal(str(diastolic)) < d


def glucose_controlled(glucose) -> bool | None:
    return None if glucose is None else Decimal(str(glucose)) < GLUCOSE_TARGET


def recheck_after(data: dict) -> bool:
    """An outcome that brings the next visit within two weeks: 控制不满意, 不良反应,
    并发症 (分类干预 2–3), or a referral (随访评估 1, 分类干预 3)."""
    cls = data.get("classification")
    return (cls is not None and cls != CONTROLLED) or bool(data.get("referral_reason"))


def _visit_age(data: dict, ctx: Context) -> int | None:
    day = date_of(data, "visit_date")
    return ctx.age_on(day) if day else None


def _bp_classification(data: dict, ctx: Context) -> list[Problem]:
    """高血压 分类干预 1: 控制满意 is BP under 140/90 (150/90 at 65 and over)."""
    s, d = number(data, "systolic"), number(data, "diastolic")
    age = _visit_age(data, ctx)
    if data.get("classification") != CONTROLLED or bp_controlled(s, d, age) is not False:
        return []
    ts, td = bp_target(age)
    return [
        Problem(
            "classification",
            "not_controlled",
            f"血压{s}/{d}mmHg未达到控制目标（<{ts}/{td}mmHg），此次随访分类不能为“控制满意”",
        )
    ]


def _glucose_classification(data: dict, ctx: Context) -> list[Problem]:
    """2型糖尿病 分类干预 1: 控制满意 is fasting glucose under 7.0 mmol/L."""
    g = number(data, "fasting_glucose")
    if data.get("classification") != CONTROLLED or glucose_controlled(g) is not False:
        return []
    return [
        Problem(
            "classification",
            "not_controlled",
            f"空腹血糖{g}mmol/L未达到控制目标（<7.0mmol/L），此次随访分类不能为“控制满意”",
        )
    ]


def danger_values(data: dict) -> list[str]:
    """The measured 危急情况 of 随访评估 1 (BP ≥ 180/110; glucose ≥ 16.7 or ≤ 3.9), in
    words; the symptoms the clause also lists are the doctor's to judge."""
    out = []
    s, d = number(data, "systolic"), number(data, "diastolic")
    if (s is not None and s >= BP_DANGER[0]) or (d is not None and d >= BP_DANGER[1]):
        out.append(f"血压{s}/{d}mmHg（≥180/110）")
    g = number(data, "fasting_glucose")
    if g is not None and (g >= GLUCOSE_DANGER_HIGH or g <= GLUCOSE_DANGER_LOW):
        out.append(f"血糖{g}mmol/L（≥16.7或≤3.9）")
    return out


def _urgent_referral(data: dict, ctx: Context) -> list[Problem]:
    """A danger value needs the urgent referral (转诊原因 and 机构) or, when the patient
    was not referred (refused, handled on the spot), why not."""
    found = danger_values(data)
    if not found or data.get("referral_reason") or data.get("no_referral_reason"):
        return []
    return [
        Problem(
            "referral_reason",
            "urgent_referral",
            f"{'、'.join(found)}属危急情况，应处理后紧急转诊：请填写转诊原因及机构，"
            "或填写危急情况未转诊原因",
        )
    ]


def _recheck_within_two_weeks(data: dict, ctx: Context) -> list[Problem]:
    visit, nxt = date_of(data, "visit_date"), date_of(data, "next_visit_date")
    if not visit or not nxt or not recheck_after(data):
        return []
    latest = visit + dt.timedelta(days=RECHECK_DAYS)
    if nxt <= latest:
        return []
    why = (
        f"此次随访分类为“{codes.FOLLOWUP_CLASS[data['classification']]}”"
        if data.get("classification") not in (None, CONTROLLED)
        else "本次已转诊"
    )
    return [
        Problem(
            "next_visit_date",
            "recheck_too_late",
            f"{why}，应在2周内随访：下次随访日期不能晚于{latest.isoformat()}",
        )
    ]


# ---------------------------------------------------------------- HTN, T2DM and SMI


def face_to_face(form_kind: str, data: dict) -> bool:
    """Does this follow-up count as a face-to-face visit (规范: at least four a year)?
    Not a phone follow-up, nor an SMI visit marked 未访到; a form that does not say
    how it was done (older imports) is given the benefit of the doubt."""
    data = outcome(data)
    if data.get("mode") == PHONE:
        return False
    return not (form_kind == "smi_followup" and data.get("classification") == mental.NOT_SEEN)


def outcome(data: dict) -> dict:
    """A follow-up's outcome keys as text: SQLite's JSON_EXTRACT hands a code "1" back
    as the number 1."""
    return {k: str(data[k]) for k in OUTCOME_KEYS if data.get(k) is not None}


def needs_recheck(form_kind: str, data: dict) -> bool:
    """An outcome followed up within two weeks (高血压/糖尿病 分类干预 2–3, 严重精神障碍
    分类干预 1–2, any referral)."""
    if form_kind == "smi_followup":
        return mental.needs_recheck(outcome(data))
    return recheck_after(outcome(data))


_CHECKS = (
    blood_pressure_check("systolic", "diastolic"),
    _next_after_visit,
    _recheck_within_two_weeks,
    _urgent_referral,
    none_alone("symptoms", "1", "症状"),
    required_if(
        "adverse_reaction_detail", lambda d: d.get("adverse_reaction") == "2", "不良反应描述"
    ),
    required_if("referral_to", lambda d: bool(d.get("referral_reason")), "转诊机构及科别"),
)

_MEASURES = {
    "systolic": "systolic",
    "diastolic": "diastolic",
    "height": "height_cm",
    "weight": "weight_kg",
}

HTN_FOLLOWUP = FormSpec(
    kind="htn_followup",
    title="高血压患者随访服务记录表",
    fields=(
        *_common_head(codes.HTN_SYMPTOMS),
        *_signs(Field("heart_rate", "心率", INT, min=20, max=250, unit="次/分", section="体征")),
        *_LIFESTYLE,
        Field("salt", "摄盐情况", CODE, codes=codes.SALT, section="生活方式指导"),
        Field("salt_target", "摄盐情况（目标）", CODE, codes=codes.SALT, section="生活方式指导"),
        Field("auxiliary_tests", "辅助检查", TEXT, max_length=200, section="辅助检查"),
        *_TAIL,
    ),
    next_due_field="next_visit_date",
    checks=(*_CHECKS, _bp_classification),
    derive=_derive,
    min_age=18,
    measures=_MEASURES,
)

DM_FOLLOWUP = FormSpec(
    kind="dm_followup",
    title="2型糖尿病患者随访服务记录表",
    fields=(
        *_common_head(codes.DM_SYMPTOMS),
        *_signs(
            Field(
                "dorsalis_pedis", "足背动脉搏动", CODE, codes=codes.DORSALIS_PEDIS, section="体征"
            ),
        ),
        *_LIFESTYLE,
        Field("staple_food_g", "主食（克/天）", INT, min=0, max=2000, section="生活方式指导"),
        Field(
            "staple_food_target_g",
            "主食（目标，克/天）",
            INT,
            min=0,
            max=2000,
            section="生活方式指导",
        ),
        Field(
            "fasting_glucose",
            "空腹血糖值",
            DECIMAL,
            required=True,
            min=1,
            max=35,
            places=1,
            unit="mmol/L",
            section="辅助检查",
        ),
        Field(
            "hba1c", "糖化血红蛋白", DECIMAL, min=3, max=20, places=1, unit="%", section="辅助检查"
        ),
        Field("hba1c_date", "检查日期", DATE, section="辅助检查"),
        Field("hypoglycaemia", "低血糖反应", CODE, codes=codes.HYPOGLYCAEMIA, section="用药"),
        Field("insulin", "胰岛素（种类及用法用量）", TEXT, max_length=100, section="用药"),
        *_TAIL,
    ),
    next_due_field="next_visit_date",
    checks=(
        *_CHECKS,
        _glucose_classification,
        not_before("visit_date", "hba1c_date", "糖化血红蛋白检查日期不能晚于随访日期"),
    ),
    derive=_derive,
    min_age=18,
    measures={**_MEASURES, "fasting_glucose": "fasting_glucose"},
)

SPECS_HERE = (HTN_FOLLOWUP, DM_FOLLOWUP)
