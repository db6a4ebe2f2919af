"""Severe mental disorder (严重精神障碍) patient management.

严重精神障碍患者个人信息补充表 (once, at registration) and 严重精神障碍患者随访服务记录表.
"""

import datetime as dt

from huimin.records.forms import codes
from huimin.records.forms.codes_common import LOCKUP, SMI_SYMPTOMS, chosen
from huimin.records.forms.spec import (
    BOOL,
    CODE,
    CODES,
    DATE,
    INT,
    ROWS,
    TEXT,
    Context,
    Field,
    FormSpec,
    Problem,
    date_of,
    not_before,
    required_if,
)

HOUSEHOLD = {"1": "城镇", "2": "农村"}
EMPLOYMENT = {
    "1": "在岗工人",
    "2": "在岗管理者",
    "3": "农民",
    "4": "下岗或无业",
    "5": "在校学生",
    "6": "退休",
    "7": "专业技术人员",
    "8": "其他",
    "9": "不详",
}
CONSENT = {"1": "同意参加管理", "0": "不同意参加管理"}
OUTPATIENT = {"1": "未治", "2": "间断门诊治疗", "3": "连续门诊治疗"}
LAST_EFFECT = {"1": "临床痊愈", "2": "好转", "3": "无变化", "4": "加重"}
ECONOMY = {"1": "贫困，在当地贫困线标准以下", "2": "非贫困", "3": "不详"}
RISK_LEVEL = {
    "0": "0级：无符合以下1～5级中的任何行为",
    "1": "1级：口头威胁，喊叫，但没有打砸行为",
    "2": "2级：打砸行为，局限在家里，针对财物，能被劝说制止",
    "3": "3级：明显打砸行为，不分场合，针对财物，不能接受劝说而停止",
    "4": "4级：持续的打砸行为，不分场合，针对财物或人，不能接受劝说而停止（包括自伤、自杀）",
    "5": "5级：持械针对人的任何暴力行为，或者纵火、爆炸等行为",
}
INSIGHT = {"1": "自知力完全", "2": "自知力不全", "3": "自知力缺失"}
GOOD_FAIR_BAD = {"1": "良好", "2": "一般", "3": "较差"}
WORK_ABILITY = {**GOOD_FAIR_BAD, "9": "此项不适用"}
HOSPITAL_STATUS = {"0": "从未住院", "1": "目前正在住院", "2": "既往住院，现未住院"}
ADHERENCE = {"1": "按医嘱规律用药", "2": "间断用药", "3": "不用药", "4": "医嘱勿需用药"}
EFFECT = {"1": "痊愈", "2": "好转", "3": "无变化", "4": "加重"}
NO_YES = {"1": "否", "2": "是"}
REHAB = {"1": "生活劳动能力", "2": "职业训练", "3": "学习能力", "4": "社会交往", "5": "其他"}
CLASSIFICATION = {"1": "不稳定", "2": "基本稳定", "3": "稳定", "4": "未访到"}
NOT_SEEN = "4"
# 分类干预 1–2: 不稳定 and 基本稳定 are seen again within two weeks (after the referral or
# the first handling); only 稳定 waits 3 months.
RECHECK_CLASSES = frozenset({"1", "2"})
RECHECK_DAYS = 14
REFERRAL_RESULT = {"1": "到位", "2": "不到位"}
LOST_REASON = {"1": "外出打工", "2": "迁居他处", "3": "走失", "4": "连续3次未访到", "5": "其他"}
DEATH_CAUSE = {
    "1": "躯体疾病",
    "2": "自杀",
    "3": "他杀",
    "4": "意外",
    "5": "精神疾病相关并发症",
    "6": "其他",
}
BODILY_DISEASE = {
    "1": "传染病和寄生虫病",
    "2": "肿瘤",
    "3": "心脏病",
    "4": "脑血管病",
    "5": "呼吸系统疾病",
    "6": "消化系统疾病",
    "7": "其他疾病",
    "8": "不详",
}
# 危险行为 since the last visit (补充表: ever), each as a count.
BEHAVIOURS = (
    ("minor_trouble", "轻度滋事"),
    ("trouble", "肇事"),
    ("disaster", "肇祸"),
    ("other_harm", "其他危害行为"),
    ("self_harm", "自伤"),
    ("suicide_attempt", "自杀未遂"),
)


def _behaviour_fields(section: str) -> tuple[Field, ...]:
    return (
        *(
            Field(name, label, INT, min=0, max=99, unit="次", section=section)
            for name, label in BEHAVIOURS
        ),
        Field("behaviours_none", "危险行为：无", BOOL, section=section),
    )


def _behaviours_answered(data: dict, ctx: Context) -> list[Problem]:
    """Either 无 or at least one count: a blank block is not an answer, and 无 with a
    count above zero contradicts itself."""
    counted = [n for n, _ in BEHAVIOURS if data.get(n)]
    if data.get("behaviours_none") and counted:
        return [Problem("behaviours_none", "contradiction", "危险行为选了“无”，却填写了次数")]
    return []


def _behaviours_required(data: dict) -> list[Problem]:
    if data.get("behaviours_none") or any(n in data for n, _ in BEHAVIOURS):
        return []
    return [Problem("behaviours_none", "required", "请填写危险行为（无危险行为请选“无”）")]


# --- 个人信息补充表 -------------------------------------------------------------------

_G = "监护人及联系人"
_H = "病史"
SMI_INFO = FormSpec(
    kind="smi_info",
    title="严重精神障碍患者个人信息补充表",
    fields=(
        Field("filled_date", "填表日期", DATE, required=True, section=_G),
        Field("guardian_name", "监护人姓名", required=True, max_length=50, section=_G),
        Field("guardian_relation", "与患者关系", required=True, max_length=20, section=_G),
        Field("guardian_address", "监护人住址", max_length=200, section=_G),
        Field("guardian_phone", "监护人电话", required=True, max_length=20, section=_G),
        Field("village_contact", "辖区村（居）委会联系人", max_length=50, section=_G),
        Field("village_contact_phone", "村（居）委会联系人电话", max_length=20, section=_G),
        Field("household", "户别", CODE, required=True, codes=HOUSEHOLD, section=_G),
        Field("employment", "就业情况", CODE, required=True, codes=EMPLOYMENT, section=_G),
        Field("consent", "知情同意", CODE, required=True, codes=CONSENT, section=_G),
        Field("consent_signer", "知情同意签字", max_length=50, section=_G),
        Field("consent_date", "知情同意签字时间", DATE, section=_G),
        Field("onset_date", "初次发病时间", DATE, required=True, section=_H),
        Field(
            "past_symptoms", "既往主要症状", CODES, required=True, codes=SMI_SYMPTOMS, section=_H
        ),
        Field("past_symptoms_other", "其他症状", max_length=100, section=_H),
        Field("past_lockup", "既往关锁情况", CODE, required=True, codes=LOCKUP, section=_H),
        Field("outpatient", "门诊治疗", CODE, required=True, codes=OUTPATIENT, section=_H),
        Field("first_antipsychotic_date", "首次抗精神病药治疗时间", DATE, section=_H),
        Field(
            "admissions",
            "曾住精神专科医院/综合医院精神专科",
            INT,
            min=0,
            max=99,
            unit="次",
            section=_H,
        ),
        Field("diagnosis", "目前诊断", required=True, max_length=100, section=_H),
        Field("diagnosis_hospital", "确诊医院", required=True, max_length=100, section=_H),
        Field("diagnosis_date", "确诊日期", DATE, required=True, section=_H),
        Field("last_effect", "最近一次治疗效果", CODE, codes=LAST_EFFECT, section=_H),
        *_behaviour_fields(_H),
        Field("economy", "经济状况", CODE, required=True, codes=ECONOMY, section=_H),
        Field("specialist_advice", "专科医生的意见", max_length=300, section=_H),
        Field("doctor", "医生签字", TEXT, required=True, max_length=50, section=_H),
    ),
    date_field="filled_date",
    doctor_field="doctor",
    checks=(
        _behaviours_answered,
        lambda d, ctx: _behaviours_required(d),
        required_if("past_symptoms_other", chosen("past_symptoms", "12"), "其他症状"),
        required_if("consent_signer", lambda d: "consent" in d, "知情同意签字"),
        required_if(
            "first_antipsychotic_date",
            lambda d: d.get("outpatient") in ("2", "3"),
            "首次抗精神病药治疗时间",
        ),
        not_before("diagnosis_date", "onset_date", "确诊日期不能早于初次发病时间"),
        not_before(
            "first_antipsychotic_date", "onset_date", "首次抗精神病药治疗时间不能早于初次发病时间"
        ),
        not_before("filled_date", "diagnosis_date", "确诊日期不能晚于填表日期"),
    ),
)

# --- 随访服务记录表 -------------------------------------------------------------------

# Asked when the patient was seen (not 未访到, not dead).
_SEEN_ITEMS = (
    "mode",
    "risk_level",
    "symptoms",
    "insight",
    "sleep",
    "diet",
    "personal_care",
    "housework",
    "work",
    "learning",
    "social",
    "lockup",
    "hospital",
    "lab_tests",
    "adherence",
    "adverse_reaction",
    "effect",
    "referral",
    "next_visit_date",
)
# A follow-up at least quarterly (4 a year); a longer gap is a typing slip.
MAX_DAYS_TO_NEXT = 92

_V = "随访"
_S = "症状及功能"
_T = "治疗"
_MEDICATION_ROW = (
    Field("name", "药物名称", max_length=50),
    Field("frequency", "用法（每日/月几次）", max_length=20),
    Field("dose_mg", "每次剂量（mg）", max_length=20),
)


def _seen(data: dict) -> bool:
    return data.get("classification") != NOT_SEEN and "death_date" not in data


def _seen_items(data: dict, ctx: Context) -> list[Problem]:
    if not data.get("classification") or not _seen(data):
        return []
    out = [
        Problem(n, "required", f"请填写{SMI_FOLLOWUP_LABELS[n]}")
        for n in _SEEN_ITEMS
        if n not in data
    ]
    return out + _behaviours_required(data)


def _risk_agrees_with_class(data: dict, ctx: Context) -> list[Problem]:
    """3–5级 is 不稳定; 1–2级 at best 基本稳定; only 0级 can be 稳定."""
    risk, cls = data.get("risk_level"), data.get("classification")
    if risk is None or cls not in ("1", "2", "3"):
        return []
    if int(risk) >= 3 and cls != "1":
        return [
            Problem(
                "classification", "contradiction", f"危险性评估为{risk}级，随访分类应为“不稳定”"
            )
        ]
    if int(risk) >= 1 and cls == "3":
        return [
            Problem(
                "classification", "contradiction", f"危险性评估为{risk}级，随访分类不能为“稳定”"
            )
        ]
    return []


def needs_recheck(data: dict) -> bool:
    """不稳定 or 基本稳定, or referred: the next visit is within two weeks."""
    return data.get("classification") in RECHECK_CLASSES or data.get("referral") == "2"


def _next_visit(data: dict, ctx: Context) -> list[Problem]:
    visit, nxt = date_of(data, "visit_date"), date_of(data, "next_visit_date")
    if not visit or not nxt:
        return []
    if nxt <= visit:
        return [Problem("next_visit_date", "date_order", "下次随访日期应晚于本次随访日期")]
    if needs_recheck(data) and (nxt - visit).days > RECHECK_DAYS:
        latest = (visit + dt.timedelta(days=RECHECK_DAYS)).isoformat()
        why = (
            f"本次随访分类为“{CLASSIFICATION[data['classification']]}”"
            if data.get("classification") in RECHECK_CLASSES
            else "本次已转诊"
        )
        return [
            Problem(
                "next_visit_date",
                "recheck_too_late",
                f"{why}，应在2周内随访：下次随访日期不能晚于{latest}",
            )
        ]
    if (nxt - visit).days > MAX_DAYS_TO_NEXT:
        return [Problem("next_visit_date", "too_far", "严重精神障碍患者至少每3个月随访一次")]
    return []


def _medication_rows(data: dict, ctx: Context) -> list[Problem]:
    out = [
        Problem(f"medications.{i}.name", "required", f"用药第{i + 1}行请填写药物名称")
        for i, row in enumerate(data.get("medications") or [])
        if "name" not in row
    ]
    if data.get("adherence") in ("1", "2") and not data.get("medications"):
        out.append(Problem("medications", "required", "服药的患者请填写用药情况"))
    if data.get("adherence") in ("3", "4") and data.get("medications"):
        out.append(Problem("medications", "contradiction", "服药依从性为不用药，却填写了用药情况"))
    return out


_FOLLOWUP_FIELDS = (
    Field("visit_date", "随访日期", DATE, required=True, section=_V),
    Field("mode", "本次随访形式", CODE, codes=codes.FOLLOWUP_MODE, section=_V),
    Field("lost_reason", "若失访，原因", CODE, codes=LOST_REASON, section=_V),
    Field("lost_reason_other", "其他失访原因", max_length=100, section=_V),
    Field("death_date", "死亡日期", DATE, section=_V),
    Field("death_cause", "死亡原因", CODE, codes=DEATH_CAUSE, section=_V),
    Field("death_disease", "躯体疾病", CODE, codes=BODILY_DISEASE, section=_V),
    Field("risk_level", "危险性评估", CODE, codes=RISK_LEVEL, section=_S),
    Field("symptoms", "目前症状", CODES, codes=SMI_SYMPTOMS, section=_S),
    Field("symptoms_other", "其他症状", max_length=100, section=_S),
    Field("insight", "自知力", CODE, codes=INSIGHT, section=_S),
    Field("sleep", "睡眠情况", CODE, codes=GOOD_FAIR_BAD, section=_S),
    Field("diet", "饮食情况", CODE, codes=GOOD_FAIR_BAD, section=_S),
    Field("personal_care", "个人生活料理", CODE, codes=GOOD_FAIR_BAD, section=_S),
    Field("housework", "家务劳动", CODE, codes=GOOD_FAIR_BAD, section=_S),
    Field("work", "生产劳动及工作", CODE, codes=WORK_ABILITY, section=_S),
    Field("learning", "学习能力", CODE, codes=GOOD_FAIR_BAD, section=_S),
    Field("social", "社会人际交往", CODE, codes=GOOD_FAIR_BAD, section=_S),
    *_behaviour_fields(_S),
    Field("lockup", "两次随访期间关锁情况", CODE, codes=LOCKUP, section=_T),
    Field("hospital", "两次随访期间住院情况", CODE, codes=HOSPITAL_STATUS, section=_T),
    Field("last_discharge_date", "末次出院时间", DATE, section=_T),
    Field("lab_tests", "实验室检查", CODE, codes=codes.YES_NO, section=_T),
    Field("lab_tests_detail", "实验室检查结果", max_length=200, section=_T),
    Field("adherence", "用药依从性", CODE, codes=ADHERENCE, section=_T),
    Field("adverse_reaction", "药物不良反应", CODE, codes=codes.YES_NO, section=_T),
    Field("adverse_reaction_detail", "不良反应描述", max_length=100, section=_T),
    Field("effect", "治疗效果", CODE, codes=EFFECT, section=_T),
    Field("referral", "是否转诊", CODE, codes=NO_YES, section=_T),
    Field("referral_reason", "转诊原因", max_length=100, section=_T),
    Field("referral_to", "转诊至机构及科室", max_length=100, section=_T),
    # The result of the referral recorded on the previous visit, asked on this one.
    Field("referral_result", "上次转诊结果", CODE, codes=REFERRAL_RESULT, section=_T),
    Field("medications", "用药情况", ROWS, rows=_MEDICATION_ROW, section=_T),
    Field("medication_guidance", "用药指导", ROWS, rows=_MEDICATION_ROW, section=_T),
    Field("rehabilitation", "康复措施", CODES, codes=REHAB, section=_T),
    Field("rehabilitation_other", "其他康复措施", max_length=100, section=_T),
    Field("classification", "本次随访分类", CODE, required=True, codes=CLASSIFICATION, section=_T),
    Field("next_visit_date", "下次随访日期", DATE, allow_future=True, section=_T),
    Field("doctor", "随访医生签名", TEXT, required=True, max_length=50, section=_T),
)
SMI_FOLLOWUP_LABELS = {f.name: f.label for f in _FOLLOWUP_FIELDS}

SMI_FOLLOWUP = FormSpec(
    kind="smi_followup",
    title="严重精神障碍患者随访服务记录表",
    fields=_FOLLOWUP_FIELDS,
    next_due_field="next_visit_date",
    checks=(
        _seen_items,
        _behaviours_answered,
        _risk_agrees_with_class,
        _next_visit,
        _medication_rows,
        required_if("lost_reason", lambda d: d.get("classification") == NOT_SEEN, "失访原因"),
        required_if("lost_reason_other", chosen("lost_reason", "5"), "其他失访原因"),
        required_if("death_cause", lambda d: "death_date" in d, "死亡原因"),
        required_if("death_disease", chosen("death_cause", "1"), "躯体疾病"),
        required_if("symptoms_other", chosen("symptoms", "12"), "其他症状"),
        required_if("last_discharge_date", chosen("hospital", "2"), "末次出院时间"),
        required_if("lab_tests_detail", chosen("lab_tests", "2"), "实验室检查结果"),
        required_if("adverse_reaction_detail", chosen("adverse_reaction", "2"), "不良反应描述"),
        required_if("referral_reason", chosen("referral", "2"), "转诊原因"),
        required_if("referral_to", chosen("referral", "2"), "转诊至机构及科室"),
        required_if("rehabilitation_other", chosen("rehabilitation", "5"), "其他康复措施"),
        not_before("visit_date", "last_discharge_date", "末次出院时间不能晚于随访日期"),
        not_before("visit_date", "death_date", "死亡日期不能晚于随访日期"),
    ),
    measures={},
)

SPECS_HERE = (SMI_INFO, SMI_FOLLOWUP)
