"""Tuberculosis patient management (肺结核患者健康管理), national specification third
edition: 肺结核患者第一次入户随访记录表 and 肺结核患者随访服务记录表, whose last
part (停止治疗及原因, 全程管理情况) is the closing assessment (结案评估).

The first visit records when treatment started and whether the patient is new or
retreated: the schedule counts the intensive phase (2 months) and the course (6 or 8
months) from them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from huimin.records.forms import codes
from huimin.records.forms.maternal import REFERRAL_CHECKS, next_after, referral
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
    date_of,
    none_alone,
    not_before,
    required_if,
)

VISIT_MODE = {"1": "门诊", "2": "家庭"}
PATIENT_TYPE = {"1": "初治", "2": "复治"}
SPUTUM = {"1": "阳性", "2": "阴性", "3": "未查痰"}
RESISTANCE = {"1": "耐药", "2": "非耐药", "3": "未检测"}
SYMPTOMS = {
    "0": "没有症状",
    "1": "咳嗽咳痰",
    "2": "低热盗汗",
    "3": "咯血或血痰",
    "4": "胸痛消瘦",
    "5": "恶心纳差",
    "6": "头痛失眠",
    "7": "视物模糊",
    "8": "皮肤瘙痒、皮疹",
    "9": "耳鸣、听力下降",
}
USAGE = {"1": "每日", "2": "间歇"}
DRUG_FORM = {"1": "固定剂量复合制剂", "2": "散装药", "3": "板式组合药", "4": "注射剂"}
SUPERVISOR = {"1": "医生", "2": "家属", "3": "自服药", "4": "其他"}
ROOM = {"1": "有", "2": "无"}
VENTILATION = codes.GOOD_FAIR_POOR
KNOWN = {"1": "掌握", "2": "未掌握"}
STOP_REASONS = {"1": "完成疗程", "2": "死亡", "3": "丢失", "4": "转入耐多药治疗"}
# The schedule's and the quality rules' timing (规范 肺结核患者健康管理 服务内容 2–4).
TREATMENT_MONTHS = {"1": 6, "2": 8}  # 初治 6, 复治 8 months
FIRST_VISIT_DAYS = 3  # 接到通知单后72小时内访视
INTENSIVE_MONTHS = 2  # 强化期: the first 2 months of treatment
INTENSIVE_INTERVAL_DAYS = 10  # 强化期每10天随访1次; 继续期每月1次
CLOSING_LATE_MONTHS = 1  # the closing assessment is late a month after the course ends

# 第一次入户随访: what the patient and family were taught (掌握/未掌握 each).
TEACHING = (
    ("teach_diary_card", "服药记录卡的填写"),
    ("teach_dosing", "服药方法及药品存放"),
    ("teach_course", "肺结核治疗疗程"),
    ("teach_irregular", "不规律服药危害"),
    ("teach_side_effects", "服药后不良反应及处理"),
    ("teach_sputum", "治疗期间复诊查痰"),
    ("teach_travel", "外出期间如何坚持服药"),
    ("teach_habits", "生活习惯及注意事项"),
    ("teach_contacts", "密切接触者检查"),
)


def _treatment(section: str) -> tuple[Field, ...]:
    return (
        Field("regimen", "化疗方案", TEXT, required=True, max_length=60, section=section),
        Field("usage", "用法", CODE, required=True, codes=USAGE, section=section),
        Field("drug_form", "药品剂型", CODES, required=True, codes=DRUG_FORM, section=section),
    )


def _visit_before_start(data: dict, ctx: Context) -> list[Problem]:
    started, day = date_of(data, "treatment_started_on"), date_of(data, "visit_date")
    if started and day and started > day:
        return [Problem("treatment_started_on", "date_order", "开始治疗日期不能晚于随访日期")]
    return []


TB_FIRST_VISIT = FormSpec(
    kind="tb_first_visit",
    title="肺结核患者第一次入户随访记录表",
    fields=(
        Field("visit_date", "随访时间", DATE, required=True, section="随访"),
        Field("visit_mode", "随访方式", CODE, required=True, codes=VISIT_MODE, section="随访"),
        Field("patient_type", "患者类型", CODE, required=True, codes=PATIENT_TYPE, section="诊断"),
        Field("sputum", "痰菌情况", CODE, required=True, codes=SPUTUM, section="诊断"),
        Field("resistance", "耐药情况", CODE, required=True, codes=RESISTANCE, section="诊断"),
        Field("symptoms", "症状及体征", CODES, required=True, codes=SYMPTOMS, section="诊断"),
        Field("symptoms_other", "其他症状", TEXT, max_length=100, section="诊断"),
        Field("treatment_started_on", "开始治疗日期", DATE, required=True, section="用药"),
        *_treatment("用药"),
        Field("supervisor", "督导人员选择", CODE, required=True, codes=SUPERVISOR, section="督导"),
        Field("own_room", "单独的居室", CODE, required=True, codes=ROOM, section="家庭居住环境"),
        Field(
            "ventilation",
            "通风情况",
            CODE,
            required=True,
            codes=VENTILATION,
            section="家庭居住环境",
        ),
        Field("smoking", "吸烟", INT, min=0, max=100, unit="支/天", section="生活方式"),
        Field(
            "smoking_target", "吸烟（目标）", INT, min=0, max=100, unit="支/天", section="生活方式"
        ),
        Field("drinking", "饮酒", INT, min=0, max=50, unit="两/天", section="生活方式"),
        Field(
            "drinking_target", "饮酒（目标）", INT, min=0, max=50, unit="两/天", section="生活方式"
        ),
        Field("drug_pickup_place", "取药地点", TEXT, required=True, max_length=100, section="取药"),
        Field("drug_pickup_on", "取药时间", DATE, allow_future=True, section="取药"),
        *(
            Field(name, label, CODE, required=True, codes=KNOWN, section="健康教育及培训")
            for name, label in TEACHING
        ),
        Field("next_visit_date", "下次随访时间", DATE, allow_future=True, section="签名"),
        Field("doctor", "评估医生签名", TEXT, required=True, max_length=50, section="签名"),
    ),
    next_due_field="next_visit_date",
    checks=(
        none_alone("symptoms", "0", "症状及体征"),
        _visit_before_start,
        next_after("visit_date", "next_visit_date", "下次随访时间"),
    ),
)


def _dose_rate(data: dict) -> dict:
    """服药率 = 实际服药次数 / 应服药次数 × 100%, one decimal."""
    due, taken = data.get("doses_due"), data.get("doses_taken")
    if not due or taken is None:
        return {}
    rate = (Decimal(taken) * 100 / Decimal(due)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return {"dose_rate": str(rate)}


def _closing_complete(data: dict, ctx: Context) -> list[Problem]:
    """The closing assessment: once treatment stopped, its reason and the whole
    course's figures are needed; done never exceeds due."""
    out = []
    if data.get("stopped_on"):
        for name, label in _CLOSING:
            if data.get(name) in (None, ""):
                out.append(Problem(name, "required", f"停止治疗时请填写{label}"))
    for done, due, label in (
        ("visits_done", "visits_due", "实际访视次数不能多于应访视患者次数"),
        ("doses_taken", "doses_due", "实际服药次数不能多于应服药次数"),
    ):
        a, b = data.get(done), data.get(due)
        if a is not None and b is not None and a > b:
            out.append(Problem(done, "above_due", label))
    return out


_CLOSING = (
    ("stop_reason", "停止治疗原因"),
    ("visits_due", "应访视患者次数"),
    ("visits_done", "实际访视次数"),
    ("doses_due", "应服药次数"),
    ("doses_taken", "实际服药次数"),
    ("evaluator", "评估医生签名"),
)

TB_FOLLOWUP = FormSpec(
    kind="tb_followup",
    title="肺结核患者随访服务记录表",
    fields=(
        Field("visit_date", "随访时间", DATE, required=True, section="随访"),
        Field("treatment_month", "治疗月序", INT, required=True, min=1, max=24, section="随访"),
        Field("supervisor", "督导人员", CODE, required=True, codes=SUPERVISOR, section="随访"),
        Field("visit_mode", "随访方式", CODE, required=True, codes=VISIT_MODE, section="随访"),
        Field("symptoms", "症状及体征", CODES, required=True, codes=SYMPTOMS, section="症状"),
        Field("symptoms_other", "其他症状", TEXT, max_length=100, section="症状"),
        Field("smoking", "吸烟", INT, min=0, max=100, unit="支/天", section="生活方式"),
        Field("drinking", "饮酒", INT, min=0, max=50, unit="两/天", section="生活方式"),
        *_treatment("用药"),
        Field("missed_doses", "漏服药次数", INT, required=True, min=0, max=60, section="用药"),
        Field(
            "adverse_reaction",
            "药物不良反应",
            CODE,
            required=True,
            codes=codes.YES_NO,
            section="用药",
        ),
        Field("adverse_reaction_detail", "不良反应描述", TEXT, max_length=100, section="用药"),
        Field(
            "complication",
            "合并症或并发症",
            CODE,
            required=True,
            codes=codes.YES_NO,
            section="用药",
        ),
        Field("complication_detail", "合并症或并发症描述", TEXT, max_length=100, section="用药"),
        *referral(),
        Field("referral_result", "2周内随访，随访结果", TEXT, max_length=100, section="转诊"),
        Field("advice", "处理意见", TEXT, max_length=200, section="处理"),
        Field("next_visit_date", "下次随访时间", DATE, allow_future=True, section="签名"),
        Field("doctor", "随访医生签名", TEXT, required=True, max_length=50, section="签名"),
        # 停止治疗及原因 / 全程管理情况: the closing assessment, on the last follow-up.
        Field("stopped_on", "出现停止治疗时间", DATE, section="结案评估"),
        Field("stop_reason", "停止治疗原因", CODE, codes=STOP_REASONS, section="结案评估"),
        Field("visits_due", "应访视患者次数", INT, min=0, max=200, section="结案评估"),
        Field("visits_done", "实际访视次数", INT, min=0, max=200, section="结案评估"),
        Field("doses_due", "应服药次数", INT, min=0, max=800, section="结案评估"),
        Field("doses_taken", "实际服药次数", INT, min=0, max=800, section="结案评估"),
        Field("dose_rate", "服药率", DECIMAL, derived=True, unit="%", section="结案评估"),
        Field("evaluator", "评估医生签名", TEXT, max_length=50, section="结案评估"),
    ),
    next_due_field="next_visit_date",
    checks=(
        none_alone("symptoms", "0", "症状及体征"),
        required_if(
            "adverse_reaction_detail", lambda d: d.get("adverse_reaction") == "2", "不良反应描述"
        ),
        required_if(
            "complication_detail", lambda d: d.get("complication") == "2", "合并症或并发症描述"
        ),
        not_before("visit_date", "stopped_on", "随访时间不能早于停止治疗时间"),
        _closing_complete,
        next_after("visit_date", "next_visit_date", "下次随访时间"),
        *REFERRAL_CHECKS,
    ),
    derive=_dose_rate,
)

SPECS_HERE = (TB_FIRST_VISIT, TB_FOLLOWUP)
