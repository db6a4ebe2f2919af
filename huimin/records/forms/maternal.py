"""Maternal care records (孕产妇健康管理), national specification third edition:
第1次产前检查服务记录表, 第2～5次产前随访服务记录表, 产后访视记录表 and
产后42天健康检查记录表.

Only women of plausible age (12–60) may have these forms; the early-registration
indicator (建册孕周 < 13) is counted from the stored gestational weeks, so the first
visit accepts any week and never refuses a late registration.
"""

from __future__ import annotations

import datetime as dt

from huimin.records.forms import codes
from huimin.records.forms.spec import (
    BOOL,
    CODE,
    CODES,
    DATE,
    DECIMAL,
    INT,
    TEXT,
    Check,
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

WOMEN = frozenset({"2"})
MIN_AGE, MAX_AGE = 12, 60
EARLY_REGISTRATION_WEEKS = 13  # 早孕建册: registered before 13 weeks
GESTATION_DAYS = 280  # Naegele: LMP + 280 days
# 第2～5次产前随访: the gestational weeks each visit is meant for (for the due list).
PRENATAL_VISIT_WEEKS = {2: (16, 20), 3: (21, 24), 4: (28, 36), 5: (37, 40)}
POSTPARTUM_VISIT_DAYS = 28  # 产后访视: within 28 days of delivery (出院后1周内)
POSTPARTUM_CHECK_DAYS = 42

NORMAL_ABNORMAL = {"1": "未见异常", "2": "异常"}
NEG_POS = {"1": "阴性", "2": "阳性"}
URINE_QUALITATIVE = {"1": "-", "2": "±", "3": "+", "4": "++", "5": "+++", "6": "++++"}
ABO = {"1": "A", "2": "B", "3": "O", "4": "AB"}
RH = {"1": "阴性", "2": "阳性", "3": "不详"}
PAST_HISTORY = {
    "1": "无",
    "2": "心脏病",
    "3": "肾脏疾病",
    "4": "肝脏疾病",
    "5": "高血压",
    "6": "贫血",
    "7": "糖尿病",
    "8": "其他",
}
FAMILY_HISTORY = {"1": "无", "2": "遗传性疾病史", "3": "精神疾病史", "4": "其他"}
PERSONAL_HISTORY = {
    "1": "无特殊",
    "2": "吸烟",
    "3": "饮酒",
    "4": "服用药物",
    "5": "接触有毒有害物质",
    "6": "接触放射线",
    "7": "其他",
}
VAGINAL_SECRETION = {"1": "未见异常", "2": "滴虫", "3": "假丝酵母菌", "4": "其他"}
VAGINAL_CLEANLINESS = {"1": "Ⅰ度", "2": "Ⅱ度", "3": "Ⅲ度", "4": "Ⅳ度"}
FIRST_GUIDANCE = {
    "1": "生活方式",
    "2": "心理",
    "3": "营养",
    "4": "避免致畸因素和疾病对胚胎的不良影响",
    "5": "产前筛查宣传告知",
    "6": "其他",
}
FOLLOWUP_GUIDANCE = {
    "1": "生活方式",
    "2": "营养",
    "3": "心理",
    "4": "运动",
    "5": "自我监护",
    "6": "分娩准备",
    "7": "母乳喂养",
    "8": "其他",
}
POSTPARTUM_GUIDANCE = {
    "1": "个人卫生",
    "2": "心理",
    "3": "营养",
    "4": "母乳喂养",
    "5": "新生儿护理与喂养",
    "6": "其他",
}
POSTPARTUM_42_GUIDANCE = {
    "1": "心理保健",
    "2": "性保健与避孕",
    "3": "婴儿喂养",
    "4": "婴幼儿营养",
    "5": "其他",
}
RECOVERED = {"1": "已恢复", "2": "未恢复"}
DISPOSAL_42 = {"1": "结案", "2": "转诊"}


def exam_items(items: tuple[tuple[str, str], ...], section: str) -> tuple[Field, ...]:
    """Normal/abnormal items of an examination, each with the abnormality described."""
    out: list[Field] = []
    for name, label in items:
        out.append(Field(name, label, CODE, codes=NORMAL_ABNORMAL, section=section))
        out.append(
            Field(f"{name}_detail", f"{label}异常描述", TEXT, max_length=100, section=section)
        )
    return tuple(out)


def exam_item_checks(items: tuple[tuple[str, str], ...]) -> tuple[Check, ...]:
    return tuple(
        required_if(f"{name}_detail", lambda d, n=name: d.get(n) == "2", f"{label}异常描述")
        for name, label in items
    )


def referral(label: str = "转诊", section: str = "转诊") -> tuple[Field, ...]:
    """The referral block of the maternal and child forms (有/无, reason, destination)."""
    return (
        Field("referral", label, CODE, codes=codes.YES_NO, section=section),
        Field("referral_reason", "转诊原因", TEXT, max_length=100, section=section),
        Field("referral_to", "转诊机构及科室", TEXT, max_length=100, section=section),
    )


REFERRAL_CHECKS = (
    required_if("referral_reason", lambda d: d.get("referral") == "2", "转诊原因"),
    required_if("referral_to", lambda d: d.get("referral") == "2", "转诊机构及科室"),
)


def _bp(required: bool) -> tuple[Field, ...]:
    return (
        Field(
            "systolic",
            "收缩压",
            INT,
            required=required,
            min=50,
            max=300,
            unit="mmHg",
            section="体格检查",
        ),
        Field(
            "diastolic",
            "舒张压",
            INT,
            required=required,
            min=30,
            max=200,
            unit="mmHg",
            section="体格检查",
        ),
    )


def next_after(date_field: str, next_field: str, label: str) -> Check:
    def check(data: dict, ctx: Context) -> list[Problem]:
        day, nxt = date_of(data, date_field), date_of(data, next_field)
        if day and nxt and nxt <= day:
            return [Problem(next_field, "date_order", f"{label}应晚于本次日期")]
        return []

    return check


def _next(label: str = "下次随访日期") -> Field:
    return Field("next_visit_date", label, DATE, allow_future=True, section="签名")


def _doctor(label: str = "随访医生签名") -> Field:
    return Field("doctor", label, TEXT, required=True, max_length=50, section="签名")


# —— 第1次产前检查服务记录表 ——

_FIRST_EXAMS = (
    ("heart", "心脏"),
    ("lungs", "肺部"),
    ("vulva", "外阴"),
    ("vagina", "阴道"),
    ("cervix", "宫颈"),
    ("uterus", "子宫"),
    ("adnexa", "附件"),
)


def edd(lmp: dt.date | None) -> dt.date | None:
    """预产期 by Naegele's rule: the last menstrual period plus 280 days."""
    return lmp + dt.timedelta(days=GESTATION_DAYS) if lmp else None


def _derive_first(data: dict) -> dict:
    due = edd(date_of(data, "lmp"))
    return {
        "bmi": bmi(data.get("height"), data.get("weight")),
        "edd": due.isoformat() if due else None,
    }


def _gravidity_parity(data: dict, ctx: Context) -> list[Problem]:
    """孕次 includes this pregnancy; earlier deliveries and abortions cannot exceed the
    earlier pregnancies."""
    gravidity = data.get("gravidity")
    if gravidity is None:
        return []
    earlier = sum(
        data.get(name) or 0
        for name in (
            "parity_vaginal",
            "parity_caesarean",
            "spontaneous_abortions",
            "induced_abortions",
        )
    )
    if earlier > gravidity - 1:
        return [
            Problem(
                "gravidity",
                "parity_exceeds_gravidity",
                f"孕次（{gravidity}，含本次）不能少于既往分娩、流产次数之和（{earlier}）加1",
            )
        ]
    return []


def _lmp_plausible(data: dict, ctx: Context) -> list[Problem]:
    lmp, day = date_of(data, "lmp"), date_of(data, "visit_date")
    if lmp and day and lmp > day:
        return [Problem("lmp", "date_order", "末次月经不能晚于填表日期")]
    if lmp and day and (day - lmp).days > 44 * 7:
        return [Problem("lmp", "too_long_ago", "末次月经距填表日期超过44周，请核对")]
    return []


def _age_matches(data: dict, ctx: Context) -> list[Problem]:
    day, age = date_of(data, "visit_date"), data.get("age")
    actual = ctx.age_on(day) if day else None
    if age is not None and actual is not None and age != actual:
        return [Problem("age", "age_mismatch", f"孕妇年龄应为{actual}岁（按出生日期计算）")]
    return []


WEEKS_TOLERANCE = 2  # 孕周 against the last period: more than 2 weeks apart is an error


def weeks_since(lmp: dt.date, day: dt.date) -> int:
    """Completed weeks of pregnancy on `day` counted from the last menstrual period."""
    return (day - lmp).days // 7


def _weeks_match_lmp(data: dict, ctx: Context) -> list[Problem]:
    """孕周 reconciled with 末次月经 (规范 孕产妇健康管理: 孕周 by the last period):
    a difference of more than 2 weeks is an entry error."""
    lmp, day, weeks = (
        date_of(data, "lmp"),
        date_of(data, "visit_date"),
        data.get("gestational_weeks"),
    )
    if not (lmp and day and weeks is not None) or lmp > day:
        return []
    expected = weeks_since(lmp, day)
    if abs(weeks - expected) > WEEKS_TOLERANCE:
        return [
            Problem(
                "gestational_weeks",
                "weeks_mismatch",
                f"孕周（{weeks}周）与末次月经推算的孕周（{expected}周）相差超过{WEEKS_TOLERANCE}周，请核对",
            )
        ]
    return []


def _lmp_or_unknown(data: dict, ctx: Context) -> list[Problem]:
    if data.get("lmp") and data.get("lmp_unknown"):
        return [Problem("lmp_unknown", "contradiction", "已填末次月经，不能再选“不详”")]
    return []


PRENATAL_FIRST = FormSpec(
    kind="prenatal_first",
    title="第1次产前检查服务记录表",
    fields=(
        Field("visit_date", "填表日期", DATE, required=True, section="基本情况"),
        Field(
            "gestational_weeks",
            "孕周",
            INT,
            required=True,
            min=1,
            max=42,
            unit="周",
            section="基本情况",
        ),
        Field(
            "age",
            "孕妇年龄",
            INT,
            required=True,
            min=MIN_AGE,
            max=MAX_AGE,
            unit="岁",
            section="基本情况",
        ),
        Field("husband_name", "丈夫姓名", TEXT, max_length=50, section="基本情况"),
        Field("husband_age", "丈夫年龄", INT, min=15, max=99, unit="岁", section="基本情况"),
        Field("husband_phone", "丈夫电话", TEXT, max_length=20, section="基本情况"),
        Field("gravidity", "孕次", INT, required=True, min=1, max=20, section="孕产史"),
        Field("parity_vaginal", "阴道分娩次数", INT, min=0, max=15, section="孕产史"),
        Field("parity_caesarean", "剖宫产次数", INT, min=0, max=10, section="孕产史"),
        Field("lmp", "末次月经", DATE, section="孕产史"),
        Field("lmp_unknown", "末次月经不详", BOOL, section="孕产史"),
        Field("edd", "预产期", DATE, derived=True, allow_future=True, section="孕产史"),
        Field("past_history", "既往史", CODES, required=True, codes=PAST_HISTORY, section="病史"),
        Field("past_history_other", "其他既往史", TEXT, max_length=100, section="病史"),
        Field(
            "family_history", "家族史", CODES, required=True, codes=FAMILY_HISTORY, section="病史"
        ),
        Field("family_history_other", "其他家族史", TEXT, max_length=100, section="病史"),
        Field(
            "personal_history",
            "个人史",
            CODES,
            required=True,
            codes=PERSONAL_HISTORY,
            section="病史",
        ),
        Field("personal_history_other", "其他个人史", TEXT, max_length=100, section="病史"),
        Field(
            "gyn_surgery", "妇产科手术史", CODE, required=True, codes=codes.YES_NO, section="病史"
        ),
        Field("gyn_surgery_detail", "妇产科手术名称", TEXT, max_length=100, section="病史"),
        Field("spontaneous_abortions", "自然流产次数", INT, min=0, max=20, section="孕产史"),
        Field("induced_abortions", "人工流产次数", INT, min=0, max=20, section="孕产史"),
        Field("fetal_deaths", "死胎次数", INT, min=0, max=10, section="孕产史"),
        Field("stillbirths", "死产次数", INT, min=0, max=10, section="孕产史"),
        Field("neonatal_deaths", "新生儿死亡次数", INT, min=0, max=10, section="孕产史"),
        Field("birth_defects", "出生缺陷儿次数", INT, min=0, max=10, section="孕产史"),
        Field(
            "height",
            "身高",
            DECIMAL,
            required=True,
            min=100,
            max=220,
            unit="cm",
            section="体格检查",
        ),
        Field(
            "weight", "体重", DECIMAL, required=True, min=25, max=200, unit="kg", section="体格检查"
        ),
        Field("bmi", "体质指数", DECIMAL, derived=True, unit="kg/m²", section="体格检查"),
        *_bp(required=True),
        *exam_items(_FIRST_EXAMS[:2], "听诊"),
        *exam_items(_FIRST_EXAMS[2:], "妇科检查"),
        Field(
            "haemoglobin",
            "血红蛋白值",
            INT,
            required=True,
            min=30,
            max=220,
            unit="g/L",
            section="血常规",
        ),
        Field("wbc", "白细胞计数值", DECIMAL, min=0, max=100, unit="×10⁹/L", section="血常规"),
        Field("platelets", "血小板计数值", INT, min=0, max=1500, unit="×10⁹/L", section="血常规"),
        Field("blood_other", "血常规其他", TEXT, max_length=100, section="血常规"),
        Field(
            "urine_protein",
            "尿蛋白",
            CODE,
            required=True,
            codes=URINE_QUALITATIVE,
            section="尿常规",
        ),
        Field("urine_glucose", "尿糖", CODE, codes=URINE_QUALITATIVE, section="尿常规"),
        Field("urine_ketone", "尿酮体", CODE, codes=URINE_QUALITATIVE, section="尿常规"),
        Field("urine_blood", "尿潜血", CODE, codes=URINE_QUALITATIVE, section="尿常规"),
        Field("urine_other", "尿常规其他", TEXT, max_length=100, section="尿常规"),
        Field("blood_type_abo", "血型（ABO）", CODE, required=True, codes=ABO, section="辅助检查"),
        Field("blood_type_rh", "血型（Rh）", CODE, codes=RH, section="辅助检查"),
        Field(
            "blood_glucose",
            "血糖",
            DECIMAL,
            min=1,
            max=35,
            places=1,
            unit="mmol/L",
            section="辅助检查",
        ),
        Field("alt", "血清谷丙转氨酶", INT, min=0, max=5000, unit="U/L", section="肝功能"),
        Field("ast", "血清谷草转氨酶", INT, min=0, max=5000, unit="U/L", section="肝功能"),
        Field("albumin", "白蛋白", DECIMAL, min=5, max=80, unit="g/L", section="肝功能"),
        Field(
            "bilirubin_total", "总胆红素", DECIMAL, min=0, max=800, unit="μmol/L", section="肝功能"
        ),
        Field(
            "bilirubin_direct",
            "结合胆红素",
            DECIMAL,
            min=0,
            max=600,
            unit="μmol/L",
            section="肝功能",
        ),
        Field("creatinine", "血清肌酐", DECIMAL, min=5, max=2000, unit="μmol/L", section="肾功能"),
        Field("urea", "血尿素", DECIMAL, min=0, max=80, unit="mmol/L", section="肾功能"),
        Field(
            "vaginal_secretion", "阴道分泌物", CODES, codes=VAGINAL_SECRETION, section="辅助检查"
        ),
        Field(
            "vaginal_cleanliness", "阴道清洁度", CODE, codes=VAGINAL_CLEANLINESS, section="辅助检查"
        ),
        Field(
            "hbsag", "乙型肝炎表面抗原", CODE, required=True, codes=NEG_POS, section="乙型肝炎五项"
        ),
        Field("anti_hbs", "乙型肝炎表面抗体", CODE, codes=NEG_POS, section="乙型肝炎五项"),
        Field("hbeag", "乙型肝炎e抗原", CODE, codes=NEG_POS, section="乙型肝炎五项"),
        Field("anti_hbe", "乙型肝炎e抗体", CODE, codes=NEG_POS, section="乙型肝炎五项"),
        Field("anti_hbc", "乙型肝炎核心抗体", CODE, codes=NEG_POS, section="乙型肝炎五项"),
        Field("syphilis", "梅毒血清学试验", CODE, required=True, codes=NEG_POS, section="辅助检查"),
        Field("hiv", "HIV抗体检测", CODE, required=True, codes=NEG_POS, section="辅助检查"),
        Field("ultrasound", "B超", TEXT, max_length=200, section="辅助检查"),
        Field("tests_other", "其他检查", TEXT, max_length=200, section="辅助检查"),
        Field("evaluation", "总体评估", CODE, required=True, codes=NORMAL_ABNORMAL, section="评估"),
        Field("evaluation_detail", "评估异常描述", TEXT, max_length=200, section="评估"),
        Field("guidance", "保健指导", CODES, required=True, codes=FIRST_GUIDANCE, section="评估"),
        *referral(),
        _next(),
        _doctor(),
    ),
    next_due_field="next_visit_date",
    checks=(
        blood_pressure_check("systolic", "diastolic"),
        _gravidity_parity,
        _lmp_plausible,
        _lmp_or_unknown,
        _weeks_match_lmp,
        _age_matches,
        next_after("visit_date", "next_visit_date", "下次随访日期"),
        none_alone("past_history", "1", "既往史"),
        none_alone("family_history", "1", "家族史"),
        none_alone("personal_history", "1", "个人史"),
        required_if("lmp", lambda d: not d.get("lmp_unknown"), "末次月经（不详时勾选“不详”）"),
        required_if("gyn_surgery_detail", lambda d: d.get("gyn_surgery") == "2", "妇产科手术名称"),
        required_if("evaluation_detail", lambda d: d.get("evaluation") == "2", "评估异常描述"),
        *exam_item_checks(_FIRST_EXAMS),
        *REFERRAL_CHECKS,
    ),
    derive=_derive_first,
    sexes=WOMEN,
    min_age=MIN_AGE,
    max_age=MAX_AGE,
    measures={
        "systolic": "systolic",
        "diastolic": "diastolic",
        "height": "height_cm",
        "weight": "weight_kg",
    },
)


def registered_early(data: dict) -> bool:
    """The 早孕建册 indicator: first visit before 13 weeks."""
    weeks = data.get("gestational_weeks")
    return weeks is not None and weeks < EARLY_REGISTRATION_WEEKS


# —— 第2～5次产前随访服务记录表 ——

PRENATAL_FOLLOWUP = FormSpec(
    kind="prenatal_followup",
    title="第2～5次产前随访服务记录表",
    fields=(
        Field("visit_date", "随访日期", DATE, required=True, section="随访"),
        Field(
            "visit_number", "随访次数", INT, required=True, min=2, max=5, unit="次", section="随访"
        ),
        Field(
            "gestational_weeks",
            "孕周",
            INT,
            required=True,
            min=1,
            max=42,
            unit="周",
            section="随访",
        ),
        Field("complaints", "主诉", TEXT, max_length=200, section="随访"),
        Field(
            "weight", "体重", DECIMAL, required=True, min=25, max=200, unit="kg", section="体格检查"
        ),
        Field("fundal_height", "宫底高度", DECIMAL, min=5, max=50, unit="cm", section="产科检查"),
        Field(
            "abdominal_circumference",
            "腹围",
            DECIMAL,
            min=50,
            max=160,
            unit="cm",
            section="产科检查",
        ),
        Field("fetal_position", "胎位", TEXT, max_length=20, section="产科检查"),
        Field(
            "fetal_heart_rate", "胎心率", INT, min=100, max=180, unit="次/分", section="产科检查"
        ),
        *_bp(required=True),
        Field("haemoglobin", "血红蛋白", INT, min=30, max=220, unit="g/L", section="辅助检查"),
        Field("urine_protein", "尿蛋白", CODE, codes=URINE_QUALITATIVE, section="辅助检查"),
        Field("tests_other", "其他辅助检查", TEXT, max_length=200, section="辅助检查"),
        Field("classification", "分类", CODE, required=True, codes=NORMAL_ABNORMAL, section="评估"),
        Field("classification_detail", "异常描述", TEXT, max_length=200, section="评估"),
        Field("guidance", "指导", CODES, required=True, codes=FOLLOWUP_GUIDANCE, section="评估"),
        *referral(),
        _next(),
        _doctor(),
    ),
    next_due_field="next_visit_date",
    checks=(
        blood_pressure_check("systolic", "diastolic"),
        next_after("visit_date", "next_visit_date", "下次随访日期"),
        required_if("classification_detail", lambda d: d.get("classification") == "2", "异常描述"),
        *REFERRAL_CHECKS,
    ),
    sexes=WOMEN,
    min_age=MIN_AGE,
    max_age=MAX_AGE,
    measures={"systolic": "systolic", "diastolic": "diastolic", "weight": "weight_kg"},
)


# —— 产后访视记录表 / 产后42天健康检查记录表 ——

_POSTPARTUM_EXAMS = (
    ("breasts", "乳房"),
    ("lochia", "恶露"),
    ("uterus", "子宫"),
    ("wound", "伤口"),
)


def _days_after_delivery(low: int | None, high: int | None, message: str) -> Check:
    def check(data: dict, ctx: Context) -> list[Problem]:
        day, delivered = date_of(data, "visit_date"), date_of(data, "delivery_date")
        if not (day and delivered):
            return []
        days = (day - delivered).days
        if days < 0:
            return [Problem("visit_date", "before_delivery", "随访日期不能早于分娩日期")]
        if (low is not None and days < low) or (high is not None and days > high):
            return [Problem("visit_date", "outside_window", message.format(days=days))]
        return []

    return check


def _postpartum_head() -> tuple[Field, ...]:
    return (
        Field("visit_date", "随访日期", DATE, required=True, section="随访"),
        Field("delivery_date", "分娩日期", DATE, required=True, section="随访"),
        Field("discharge_date", "出院日期", DATE, section="随访"),
    )


def _postpartum_body() -> tuple[Field, ...]:
    return (
        Field("general_health", "一般健康情况", TEXT, max_length=200, section="健康状况"),
        Field("general_psychology", "一般心理状况", TEXT, max_length=200, section="健康状况"),
        *_bp(required=True),
        *exam_items(_POSTPARTUM_EXAMS, "产科检查"),
        Field("other", "其他", TEXT, max_length=200, section="产科检查"),
    )


_POSTPARTUM_CHECKS = (
    blood_pressure_check("systolic", "diastolic"),
    not_before("discharge_date", "delivery_date", "出院日期不能早于分娩日期"),
    not_before("visit_date", "discharge_date", "随访日期不能早于出院日期"),
    *exam_item_checks(_POSTPARTUM_EXAMS),
)

POSTPARTUM_VISIT = FormSpec(
    kind="postpartum_visit",
    title="产后访视记录表",
    fields=(
        *_postpartum_head(),
        Field("temperature", "体温", DECIMAL, min=34, max=43, unit="℃", section="健康状况"),
        *_postpartum_body(),
        Field("classification", "分类", CODE, required=True, codes=NORMAL_ABNORMAL, section="评估"),
        Field("classification_detail", "异常描述", TEXT, max_length=200, section="评估"),
        Field("guidance", "指导", CODES, required=True, codes=POSTPARTUM_GUIDANCE, section="评估"),
        *referral(),
        _next(),
        _doctor(),
    ),
    next_due_field="next_visit_date",
    checks=(
        *_POSTPARTUM_CHECKS,
        _days_after_delivery(
            0, POSTPARTUM_VISIT_DAYS, "产后访视应在分娩后28天内，本次为产后第{days}天"
        ),
        next_after("visit_date", "next_visit_date", "下次随访日期"),
        required_if("classification_detail", lambda d: d.get("classification") == "2", "异常描述"),
        *REFERRAL_CHECKS,
    ),
    sexes=WOMEN,
    min_age=MIN_AGE,
    max_age=MAX_AGE,
    measures={"systolic": "systolic", "diastolic": "diastolic"},
)

POSTPARTUM_42 = FormSpec(
    kind="postpartum_42",
    title="产后42天健康检查记录表",
    fields=(
        *_postpartum_head(),
        *_postpartum_body(),
        Field("classification", "分类", CODE, required=True, codes=RECOVERED, section="评估"),
        Field("classification_detail", "未恢复情况", TEXT, max_length=200, section="评估"),
        Field(
            "guidance", "指导", CODES, required=True, codes=POSTPARTUM_42_GUIDANCE, section="评估"
        ),
        Field("disposal", "处理", CODE, required=True, codes=DISPOSAL_42, section="处理"),
        Field("referral_reason", "转诊原因", TEXT, max_length=100, section="处理"),
        Field("referral_to", "转诊机构及科室", TEXT, max_length=100, section="处理"),
        _doctor(),
    ),
    checks=(
        *_POSTPARTUM_CHECKS,
        _days_after_delivery(
            POSTPARTUM_CHECK_DAYS, None, "产后42天健康检查应在分娩42天后进行，本次为产后第{days}天"
        ),
        required_if(
            "classification_detail", lambda d: d.get("classification") == "2", "未恢复情况"
        ),
        required_if("referral_reason", lambda d: d.get("disposal") == "2", "转诊原因"),
        required_if("referral_to", lambda d: d.get("disposal") == "2", "转诊机构及科室"),
    ),
    sexes=WOMEN,
    min_age=MIN_AGE,
    max_age=MAX_AGE,
    measures={"systolic": "systolic", "diastolic": "diastolic"},
)

SPECS_HERE = (PRENATAL_FIRST, PRENATAL_FOLLOWUP, POSTPARTUM_VISIT, POSTPARTUM_42)
