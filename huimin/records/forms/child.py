"""0–6 year child health management, national specification third edition:
新生儿家庭访视记录表, 儿童健康检查记录表 (the 1–8 month, 12–30 month and 3–6 year
tables as one form keyed by `month_age`) and 儿童中医药健康管理 (6–36 months).
"""

from __future__ import annotations

from decimal import Decimal

from huimin.records.forms import codes
from huimin.records.forms.immunisation import add_months, age_in_months
from huimin.records.forms.maternal import (
    REFERRAL_CHECKS,
    exam_item_checks,
    exam_items,
    next_after,
    referral,
)
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
    bmi,
    date_of,
    none_alone,
    not_before,
    required_if,
)

NEWBORN_DAYS = 28  # 新生儿期: a home visit is for a baby of at most 28 days

YES_NO = codes.YES_NO  # 1 无 2 有
UPPER_MIDDLE_LOWER = {"1": "上", "2": "中", "3": "下"}


# —— 新生儿家庭访视记录表 ——

MOTHER_ILLNESS = {"1": "无", "2": "糖尿病", "3": "妊娠期高血压", "4": "其他"}
BIRTH_CONDITIONS = {
    "1": "顺产",
    "2": "胎头吸引",
    "3": "产钳",
    "4": "剖宫",
    "5": "双多胎",
    "6": "臀位",
    "7": "其他",
}
HEARING_SCREENING = {"1": "通过", "2": "未通过", "3": "未筛查", "4": "不详"}
DISEASE_SCREENING = {
    "1": "未进行",
    "2": "检查均阴性",
    "3": "甲低",
    "4": "苯丙酮尿症",
    "5": "其他遗传代谢病",
}
FEEDING = {"1": "纯母乳", "2": "混合", "3": "人工"}
STOOL = {"1": "糊状", "2": "稀", "3": "其他"}
COMPLEXION_NEWBORN = {"1": "红润", "2": "黄染", "3": "其他"}
JAUNDICE_SITES = {"1": "无", "2": "面部", "3": "躯干", "4": "四肢", "5": "手足"}
FONTANELLE_NEWBORN = {"1": "正常", "2": "膨隆", "3": "凹陷", "4": "其他"}
SKIN_NEWBORN = {"1": "未见异常", "2": "湿疹", "3": "糜烂", "4": "其他"}
UMBILICAL_CORD = {"1": "未脱", "2": "脱落", "3": "脐部有渗出", "4": "其他"}
NEWBORN_GUIDANCE = {
    "1": "喂养指导",
    "2": "发育指导",
    "3": "防病指导",
    "4": "预防伤害指导",
    "5": "口腔保健指导",
    "6": "其他",
}

_NEWBORN_EXAMS = (
    ("eyes", "眼睛"),
    ("limbs", "四肢活动度"),
    ("ears", "耳外观"),
    ("nose", "鼻"),
    ("mouth", "口腔"),
    ("anus", "肛门"),
    ("heart_lungs", "心肺听诊"),
    ("chest", "胸部"),
    ("abdomen", "腹部触诊"),
    ("genitals", "外生殖器"),
    ("spine", "脊柱"),
)


def _newborn_age(data: dict, ctx: Context) -> list[Problem]:
    day = date_of(data, "visit_date")
    if day and ctx.birth_date and (day - ctx.birth_date).days > NEWBORN_DAYS:
        days = (day - ctx.birth_date).days
        return [
            Problem(
                "visit_date",
                "not_newborn",
                f"新生儿家庭访视只适用于出生28天内的新生儿，访视时已出生{days}天",
            )
        ]
    return []


def _apgar(data: dict, ctx: Context) -> list[Problem]:
    scored = data.get("apgar_1min") is not None or data.get("apgar_5min") is not None
    if data.get("asphyxia") == "2" and not scored:
        return [Problem("apgar_1min", "required", "有新生儿窒息时请填写Apgar评分")]
    return []


NEWBORN_VISIT = FormSpec(
    kind="newborn_visit",
    title="新生儿家庭访视记录表",
    fields=(
        Field("father_name", "父亲姓名", TEXT, max_length=50, section="父母"),
        Field("father_occupation", "父亲职业", TEXT, max_length=50, section="父母"),
        Field("father_phone", "父亲联系电话", TEXT, max_length=20, section="父母"),
        Field("father_birth_date", "父亲出生日期", DATE, allow_before_birth=True, section="父母"),
        Field("mother_name", "母亲姓名", TEXT, max_length=50, section="父母"),
        Field("mother_occupation", "母亲职业", TEXT, max_length=50, section="父母"),
        Field("mother_phone", "母亲联系电话", TEXT, max_length=20, section="父母"),
        Field("mother_birth_date", "母亲出生日期", DATE, allow_before_birth=True, section="父母"),
        Field(
            "gestational_weeks",
            "出生孕周",
            INT,
            required=True,
            min=20,
            max=45,
            unit="周",
            section="出生",
        ),
        Field(
            "mother_illness",
            "母亲妊娠期患病情况",
            CODES,
            required=True,
            codes=MOTHER_ILLNESS,
            section="出生",
        ),
        Field("mother_illness_other", "母亲妊娠期其他疾病", TEXT, max_length=100, section="出生"),
        Field("delivery_institution", "助产机构名称", TEXT, max_length=100, section="出生"),
        # The home visit is due within 7 days of it (规范: 新生儿出院后1周内).
        Field("discharge_date", "出院日期", DATE, section="出生"),
        Field(
            "birth_conditions",
            "出生情况",
            CODES,
            required=True,
            codes=BIRTH_CONDITIONS,
            section="出生",
        ),
        Field("asphyxia", "新生儿窒息", CODE, required=True, codes=YES_NO, section="出生"),
        Field("apgar_1min", "Apgar评分（1分钟）", INT, min=0, max=10, section="出生"),
        Field("apgar_5min", "Apgar评分（5分钟）", INT, min=0, max=10, section="出生"),
        Field("malformation", "是否有畸型", CODE, required=True, codes=YES_NO, section="出生"),
        Field("malformation_detail", "畸型描述", TEXT, max_length=100, section="出生"),
        Field(
            "hearing_screening",
            "新生儿听力筛查",
            CODE,
            required=True,
            codes=HEARING_SCREENING,
            section="筛查",
        ),
        Field(
            "disease_screening",
            "新生儿疾病筛查",
            CODES,
            required=True,
            codes=DISEASE_SCREENING,
            section="筛查",
        ),
        Field("disease_screening_other", "其他遗传代谢病", TEXT, max_length=100, section="筛查"),
        Field(
            "birth_weight",
            "新生儿出生体重",
            DECIMAL,
            required=True,
            min=Decimal("0.5"),
            max=Decimal("6.5"),
            places=2,
            unit="kg",
            section="体格",
        ),
        Field(
            "weight",
            "目前体重",
            DECIMAL,
            required=True,
            min=Decimal("0.5"),
            max=8,
            places=2,
            unit="kg",
            section="体格",
        ),
        Field("birth_length", "出生身长", DECIMAL, min=25, max=65, unit="cm", section="体格"),
        Field("feeding", "喂养方式", CODE, required=True, codes=FEEDING, section="喂养"),
        Field("milk_ml", "吃奶量", INT, min=0, max=300, unit="ml/次", section="喂养"),
        Field("milk_times", "吃奶次数", INT, min=0, max=30, unit="次/日", section="喂养"),
        Field("vomiting", "呕吐", CODE, codes=YES_NO, section="喂养"),
        Field("stool", "大便", CODE, codes=STOOL, section="喂养"),
        Field("stool_times", "大便次数", INT, min=0, max=20, unit="次/日", section="喂养"),
        Field(
            "temperature",
            "体温",
            DECIMAL,
            required=True,
            min=34,
            max=42,
            unit="℃",
            section="体格检查",
        ),
        Field("heart_rate", "心率", INT, min=60, max=240, unit="次/分钟", section="体格检查"),
        Field("respiration", "呼吸频率", INT, min=10, max=100, unit="次/分钟", section="体格检查"),
        Field("complexion", "面色", CODE, codes=COMPLEXION_NEWBORN, section="体格检查"),
        Field(
            "jaundice", "黄疸部位", CODES, required=True, codes=JAUNDICE_SITES, section="体格检查"
        ),
        Field("fontanelle", "前囟", CODE, codes=FONTANELLE_NEWBORN, section="体格检查"),
        Field("fontanelle_a", "前囟（横径）", DECIMAL, min=0, max=6, unit="cm", section="体格检查"),
        Field("fontanelle_b", "前囟（纵径）", DECIMAL, min=0, max=6, unit="cm", section="体格检查"),
        *exam_items(_NEWBORN_EXAMS, "体格检查"),
        Field("neck_mass", "颈部包块", CODE, codes=YES_NO, section="体格检查"),
        Field("skin", "皮肤", CODE, codes=SKIN_NEWBORN, section="体格检查"),
        Field("umbilical_cord", "脐带", CODE, codes=UMBILICAL_CORD, section="体格检查"),
        *referral("转诊建议", "转诊建议"),
        Field("guidance", "指导", CODES, required=True, codes=NEWBORN_GUIDANCE, section="指导"),
        Field("visit_date", "本次访视日期", DATE, required=True, section="签名"),
        Field("next_visit_place", "下次随访地点", TEXT, max_length=100, section="签名"),
        Field("next_visit_date", "下次随访日期", DATE, allow_future=True, section="签名"),
        Field("doctor", "随访医生签名", TEXT, required=True, max_length=50, section="签名"),
    ),
    next_due_field="next_visit_date",
    checks=(
        _newborn_age,
        _apgar,
        not_before("visit_date", "discharge_date", "访视日期不能早于出院日期"),
        none_alone("mother_illness", "1", "母亲妊娠期患病情况"),
        none_alone("jaundice", "1", "黄疸部位"),
        none_alone("disease_screening", "1", "新生儿疾病筛查"),
        required_if("malformation_detail", lambda d: d.get("malformation") == "2", "畸型描述"),
        *exam_item_checks(_NEWBORN_EXAMS),
        next_after("visit_date", "next_visit_date", "下次随访日期"),
        *REFERRAL_CHECKS,
    ),
    max_age=0,
    measures={"weight": "weight_kg"},
)


# —— 儿童健康检查记录表 ——

MONTH_AGES = {
    "1": "满月",
    "3": "3月龄",
    "6": "6月龄",
    "8": "8月龄",
    "12": "12月龄",
    "18": "18月龄",
    "24": "24月龄",
    "30": "30月龄",
    "36": "3岁",
    "48": "4岁",
    "60": "5岁",
    "72": "6岁",
}
# Which check a visit counts as, by completed months of age: from the nominal month up
# to halfway to the next one, so every age from 28 days to the 7th birthday maps to one
# check (满月 from day 28). The specification names the months, not the window.
MONTH_AGE_WINDOWS = {
    1: (1, 2),
    3: (2, 5),
    6: (5, 7),
    8: (7, 10),
    12: (10, 15),
    18: (15, 21),
    24: (21, 27),
    30: (27, 33),
    36: (33, 42),
    48: (42, 54),
    60: (54, 66),
    72: (66, 84),
}


def month_age_for(birth, day) -> int | None:
    """The check (1, 3, … 72) a visit on `day` counts as; None before 28 days or from 7."""
    if (day - birth).days < NEWBORN_DAYS:
        return None
    months = max(age_in_months(birth, day), 1)  # 28–30 days is still 满月
    for nominal, (low, high) in MONTH_AGE_WINDOWS.items():
        if low <= months < high:
            return nominal
    return None


COMPLEXION = {"1": "红润", "2": "黄染", "3": "其他"}
FONTANELLE = {"1": "闭合", "2": "未闭"}
PASS_FAIL = {"1": "通过", "2": "未通过"}
RICKETS_SYMPTOMS = {"1": "无", "2": "夜惊", "3": "多汗", "4": "烦躁"}
RICKETS_SIGNS = {
    "1": "无",
    "2": "颅骨软化",
    "3": "方颅",
    "4": "枕秃",
    "5": "肋串珠",
    "6": "肋外翻",
    "7": "肋软骨沟",
    "8": "鸡胸",
    "9": "手足镯",
    "10": "“O”型腿",
    "11": "“X”型腿",
}
PHYSICAL_EVALUATION = {"1": "正常", "2": "低体重", "3": "消瘦", "4": "发育迟缓", "5": "超重"}
ILLNESSES = {"1": "未患病", "2": "肺炎", "3": "腹泻", "4": "外伤", "5": "其他"}
CHILD_GUIDANCE = {
    "1": "科学喂养（3岁起：合理膳食）",
    "2": "生长发育",
    "3": "疾病预防",
    "4": "预防伤害",
    "5": "口腔保健",
    "6": "其他",
}
# 发育评估: the four warning signs (预警征象) of each check from 3 months; a ticked
# sign is a finding. "0" records that none was seen.
_WARNING_SIGNS = {
    3: (
        "对很大声音没有反应",
        "逗引时不发音或不会微笑",
        "不注视人脸，不追视移动人或物品",
        "俯卧时不会抬头",
    ),
    6: ("发音少，不会笑出声", "不会伸手抓物", "紧握拳松不开", "不能扶坐"),
    8: ("听到声音无应答", "不会区分生人和熟人", "双手间不会传递玩具", "不会独坐"),
    12: ("呼唤名字无反应", "不会模仿“再见”或“欢迎”动作", "不会用拇食指对捏小物品", "不会扶物站立"),
    18: ("不会有意识叫“爸爸”或“妈妈”", "不会按要求指人或物", "与人无目光交流", "不会独走"),
    24: ("不会说3个物品的名称", "不会按吩咐做简单事情", "不会用勺吃饭", "不会扶栏上楼梯/台阶"),
    30: ("不会说2～3个字的短语", "兴趣单一、刻板", "不会示意大小便", "不会跑"),
    36: ("不会说自己的名字", "不会玩“拿棍当马骑”等假想游戏", "不会模仿画圆", "不会双脚跳"),
    48: ("不会说带形容词的句子", "不能按要求等待或轮流", "不会独立穿衣", "不会单脚站立"),
    60: ("不能简单叙说事情经过", "不知道自己的性别", "不会用筷子吃饭", "不会单脚跳"),
    72: ("不会表达自己的感受或想法", "不会玩角色扮演的集体游戏", "不会画方形", "不会奔跑"),
}
DEVELOPMENT = {"0": "未见预警征象"} | {
    f"{age}-{i}": f"{MONTH_AGES[str(age)]}：{sign}"
    for age, signs in _WARNING_SIGNS.items()
    for i, sign in enumerate(signs, start=1)
}

_CHILD_EXAMS = (
    ("skin", "皮肤"),
    ("eyes", "眼外观"),
    ("ears", "耳外观"),
    ("heart_lungs", "心肺"),
    ("abdomen", "腹部"),
    ("limbs", "四肢"),
    ("gait", "步态"),
    ("genitals", "肛门/外生殖器"),
)

# Items that only the tables for some ages carry: (first, last) month age.
_AGE_LIMITED = {
    "head_circumference": (1, 30),
    "fontanelle": (1, 30),
    "umbilicus": (1, 3),
    "vision": (36, 72),
    "weight_for_height_eval": (36, 72),
    "physical_evaluation": (36, 72),
}


HEARING_MONTHS = frozenset({"6", "12", "24", "36"})
HAEMOGLOBIN_MONTHS = frozenset({"18", "30", "48", "60", "72"})
HAEMOGLOBIN_6_8 = ("6", "8")  # once at the 6- or the 8-month check
VISION_MONTHS = frozenset({"48", "60", "72"})


def _month_age(data: dict) -> int | None:
    code = data.get("month_age")
    return int(code) if code else None


def _month_age_matches(data: dict, ctx: Context) -> list[Problem]:
    nominal, day = _month_age(data), date_of(data, "visit_date")
    if nominal is None or day is None or ctx.birth_date is None:
        return []
    actual = month_age_for(ctx.birth_date, day)
    if actual == nominal:
        return []
    low, high = MONTH_AGE_WINDOWS[nominal]
    start = add_months(ctx.birth_date, low) if nominal != 1 else None
    when = f"{start.isoformat()}起" if start else "出生满28天起"
    expected = f"，按出生日期本次应为{MONTH_AGES[str(actual)]}检查" if actual else ""
    return [
        Problem(
            "month_age",
            "month_age_mismatch",
            f"{MONTH_AGES[str(nominal)]}检查应在{when}、满{high}月龄前进行{expected}",
        )
    ]


def _age_limited_items(data: dict, ctx: Context) -> list[Problem]:
    nominal = _month_age(data)
    if nominal is None:
        return []
    out = []
    for name, (first, last) in _AGE_LIMITED.items():
        if data.get(name) is not None and not first <= nominal <= last:
            label = CHILD_CHECK_FIELDS[name].label
            out.append(
                Problem(
                    name, "not_for_this_age", f"{MONTH_AGES[str(nominal)]}检查不含“{label}”一项"
                )
            )
    return out


def _development_of_this_age(data: dict, ctx: Context) -> list[Problem]:
    nominal, chosen = _month_age(data), data.get("development") or []
    if nominal is None:
        return []
    wrong = [c for c in chosen if c != "0" and not c.startswith(f"{nominal}-")]
    if wrong:
        return [
            Problem(
                "development",
                "not_for_this_age",
                f"发育评估只能选{MONTH_AGES[str(nominal)]}的预警征象",
            )
        ]
    return []


def _caries_within_teeth(data: dict, ctx: Context) -> list[Problem]:
    teeth, caries = data.get("teeth"), data.get("caries")
    if teeth is not None and caries is not None and caries > teeth:
        return [Problem("caries", "above_teeth", f"龋齿数（{caries}）不能多于出牙数（{teeth}）")]
    return []


def _derive_check(data: dict) -> dict:
    # BMI is evaluated from 3 years (the 3–6 year table); below, weight-for-length is.
    nominal = _month_age(data)
    if nominal is not None and nominal >= 36:
        return {"bmi": bmi(data.get("height"), data.get("weight"))}
    return {}


CHILD_CHECK = FormSpec(
    kind="child_check",
    title="儿童健康检查记录表",
    fields=(
        Field("visit_date", "随访日期", DATE, required=True, section="随访"),
        Field("month_age", "月龄", CODE, required=True, codes=MONTH_AGES, section="随访"),
        Field(
            "weight",
            "体重",
            DECIMAL,
            required=True,
            min=Decimal("1.5"),
            max=60,
            places=2,
            unit="kg",
            section="体格",
        ),
        Field(
            "weight_eval", "体重评价", CODE, required=True, codes=UPPER_MIDDLE_LOWER, section="体格"
        ),
        Field(
            "height",
            "身长（身高）",
            DECIMAL,
            required=True,
            min=40,
            max=140,
            unit="cm",
            section="体格",
        ),
        Field(
            "height_eval",
            "身长（身高）评价",
            CODE,
            required=True,
            codes=UPPER_MIDDLE_LOWER,
            section="体格",
        ),
        Field(
            "weight_for_height_eval",
            "体重/身高评价",
            CODE,
            codes=UPPER_MIDDLE_LOWER,
            section="体格",
        ),
        Field(
            "physical_evaluation", "体格发育评价", CODE, codes=PHYSICAL_EVALUATION, section="体格"
        ),
        Field("bmi", "体质指数", DECIMAL, derived=True, unit="kg/m²", section="体格"),
        Field("head_circumference", "头围", DECIMAL, min=28, max=60, unit="cm", section="体格"),
        Field("complexion", "面色", CODE, codes=COMPLEXION, section="体格检查"),
        Field("fontanelle", "前囟", CODE, codes=FONTANELLE, section="体格检查"),
        Field("fontanelle_a", "前囟（横径）", DECIMAL, min=0, max=6, unit="cm", section="体格检查"),
        Field("fontanelle_b", "前囟（纵径）", DECIMAL, min=0, max=6, unit="cm", section="体格检查"),
        Field("neck_mass", "颈部包块", CODE, codes=YES_NO, section="体格检查"),
        *exam_items(_CHILD_EXAMS, "体格检查"),
        Field("hearing", "听力", CODE, codes=PASS_FAIL, section="体格检查"),
        Field("vision", "视力", TEXT, max_length=20, section="体格检查"),
        Field("teeth", "出牙数", INT, min=0, max=32, unit="颗", section="体格检查"),
        Field("caries", "龋齿数", INT, min=0, max=32, unit="颗", section="体格检查"),
        Field("umbilicus", "脐部", CODE, codes=UMBILICAL_CORD, section="体格检查"),
        Field(
            "rickets_symptoms", "可疑佝偻病症状", CODES, codes=RICKETS_SYMPTOMS, section="体格检查"
        ),
        Field("rickets_signs", "可疑佝偻病体征", CODES, codes=RICKETS_SIGNS, section="体格检查"),
        Field("haemoglobin", "血红蛋白值", INT, min=30, max=220, unit="g/L", section="辅助检查"),
        Field("outdoor_hours", "户外活动", DECIMAL, min=0, max=24, unit="小时/日", section="生活"),
        Field("vitamin_d_iu", "服用维生素D", INT, min=0, max=2000, unit="IU/日", section="生活"),
        Field("development", "发育评估", CODES, codes=DEVELOPMENT, section="发育评估"),
        Field(
            "illnesses", "两次随访间患病情况", CODES, required=True, codes=ILLNESSES, section="患病"
        ),
        Field("pneumonia_times", "肺炎次数", INT, min=0, max=20, section="患病"),
        Field("diarrhoea_times", "腹泻次数", INT, min=0, max=50, section="患病"),
        Field("injury_times", "外伤次数", INT, min=0, max=20, section="患病"),
        Field("illness_other", "其他疾病", TEXT, max_length=100, section="患病"),
        Field("other", "其他", TEXT, max_length=200, section="患病"),
        *referral("转诊建议", "转诊建议"),
        Field("guidance", "指导", CODES, required=True, codes=CHILD_GUIDANCE, section="指导"),
        Field("next_visit_date", "下次随访日期", DATE, allow_future=True, section="签名"),
        Field("doctor", "随访医生签名", TEXT, required=True, max_length=50, section="签名"),
    ),
    next_due_field="next_visit_date",
    checks=(
        _month_age_matches,
        _age_limited_items,
        _development_of_this_age,
        _caries_within_teeth,
        none_alone("illnesses", "1", "两次随访间患病情况"),
        none_alone("rickets_symptoms", "1", "可疑佝偻病症状"),
        none_alone("rickets_signs", "1", "可疑佝偻病体征"),
        none_alone("development", "0", "发育评估"),
        # No warning signs are listed for the one-month check.
        required_if("development", lambda d: d.get("month_age") not in (None, "1"), "发育评估"),
        required_if(
            "head_circumference", lambda d: d.get("month_age") in ("1", "3", "6", "8"), "头围"
        ),
        required_if("next_visit_date", lambda d: d.get("month_age") != "72", "下次随访日期"),
        # Required content by age (规范 0～6岁儿童健康管理 服务内容 2–4): hearing by
        # behavioural audiometry at 6, 12, 24 and 36 months, blood haemoglobin at 18 and
        # 30 months and yearly from 4, vision from 4 (6–8 months: quality_rules, as
        # either check may carry it).
        required_if(
            "hearing",
            lambda d: d.get("month_age") in HEARING_MONTHS,
            "听力（6、12、24、36月龄行为测听筛查）",
        ),
        required_if(
            "haemoglobin",
            lambda d: d.get("month_age") in HAEMOGLOBIN_MONTHS,
            "血红蛋白值（18、30月龄及4～6岁每年检测）",
        ),
        required_if(
            "vision", lambda d: d.get("month_age") in VISION_MONTHS, "视力（4岁起每年筛查）"
        ),
        required_if("pneumonia_times", lambda d: "2" in (d.get("illnesses") or []), "肺炎次数"),
        required_if("diarrhoea_times", lambda d: "3" in (d.get("illnesses") or []), "腹泻次数"),
        required_if("injury_times", lambda d: "4" in (d.get("illnesses") or []), "外伤次数"),
        required_if("illness_other", lambda d: "5" in (d.get("illnesses") or []), "其他疾病"),
        *exam_item_checks(_CHILD_EXAMS),
        next_after("visit_date", "next_visit_date", "下次随访日期"),
        *REFERRAL_CHECKS,
    ),
    derive=_derive_check,
    max_age=6,
    measures={"height": "height_cm", "weight": "weight_kg"},
)

CHILD_CHECK_FIELDS = {f.name: f for f in CHILD_CHECK.fields}


# —— 儿童中医药健康管理服务记录表 ——

TCM_MONTH_AGES = {k: v for k, v in MONTH_AGES.items() if k in ("6", "12", "18", "24", "30", "36")}
TCM_SERVICES = {
    "1": "中医饮食调养指导",
    "2": "中医起居调摄指导",
    "3": "传授摩腹、捏脊方法",
    "4": "传授按揉迎香穴方法",
    "5": "传授按揉足三里穴方法",
    "6": "传授按揉四神聪穴方法",
    "7": "其他",
}
# The method each age is taught: 6 and 12 months 摩腹捏脊, 18 and 24 months 迎香 and
# 足三里, 30 and 36 months 四神聪.
TCM_METHODS_BY_AGE = {
    6: ("3",),
    12: ("3",),
    18: ("4", "5"),
    24: ("4", "5"),
    30: ("6",),
    36: ("6",),
}
_METHODS = {"3", "4", "5", "6"}


def _tcm_methods_of_this_age(data: dict, ctx: Context) -> list[Problem]:
    nominal, chosen = _month_age(data), data.get("services") or []
    if nominal is None:
        return []
    due = TCM_METHODS_BY_AGE[nominal]
    label = MONTH_AGES[str(nominal)]
    wanted = "、".join(TCM_SERVICES[c] for c in due)
    if any(c in _METHODS and c not in due for c in chosen):
        return [Problem("services", "not_for_this_age", f"{label}应{wanted}，不是其他月龄的方法")]
    if chosen and not all(c in chosen for c in due):
        return [Problem("services", "method_missing", f"{label}的服务应包括{wanted}")]
    return []


TCM_CHILD = FormSpec(
    kind="tcm_child",
    title="儿童中医药健康管理服务记录表",
    fields=(
        Field("visit_date", "随访日期", DATE, required=True, section="随访"),
        Field("month_age", "月龄", CODE, required=True, codes=TCM_MONTH_AGES, section="随访"),
        Field(
            "services",
            "中医药健康管理服务",
            CODES,
            required=True,
            codes=TCM_SERVICES,
            section="服务",
        ),
        Field("services_other", "其他服务", TEXT, max_length=100, section="服务"),
        Field("next_visit_date", "下次随访日期", DATE, allow_future=True, section="签名"),
        Field("doctor", "随访医生签名", TEXT, required=True, max_length=50, section="签名"),
    ),
    next_due_field="next_visit_date",
    checks=(
        _month_age_matches,
        _tcm_methods_of_this_age,
        required_if("services_other", lambda d: "7" in (d.get("services") or []), "其他服务"),
        next_after("visit_date", "next_visit_date", "下次随访日期"),
    ),
    max_age=3,
)

SPECS_HERE = (NEWBORN_VISIT, CHILD_CHECK, TCM_CHILD)
