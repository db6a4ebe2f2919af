"""Hypertension and type-2 diabetes follow-up records.

高血压患者随访服务记录表 and 2型糖尿病患者随访服务记录表.
"""

from huimin.records.forms import codes
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
    required_if,
)

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
    Field("referral_reason", "转诊原因", TEXT, max_length=100, section="转诊"),
    Field("referral_to", "转诊机构及科别", TEXT, max_length=100, section="转诊"),
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


_CHECKS = (
    blood_pressure_check("systolic", "diastolic"),
    _next_after_visit,
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
    checks=_CHECKS,
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
        not_before("visit_date", "hba1c_date", "糖化血红蛋白检查日期不能晚于随访日期"),
    ),
    derive=_derive,
    min_age=18,
    measures={**_MEASURES, "fasting_glucose": "fasting_glucose"},
)

SPECS_HERE = (HTN_FOLLOWUP, DM_FOLLOWUP)
