"""个人基本信息表: what the record keeps about a person beyond the registry's identity.

Name, sex, birth date, ID number, ethnicity, phone, address and resident type live in
the population registry; this form holds the rest of the specification's table.
"""

from huimin.records.forms import codes
from huimin.records.forms.codes_common import OCCUPATION, chosen
from huimin.records.forms.spec import (
    CODE,
    CODES,
    DATE,
    ROWS,
    TEXT,
    Check,
    Context,
    Field,
    FormSpec,
    Problem,
    date_of,
    none_alone,
    required_if,
)

BLOOD_TYPE = {"1": "A型", "2": "B型", "3": "O型", "4": "AB型", "5": "不详"}
RH = {"1": "阴性", "2": "阳性", "3": "不详"}
EDUCATION = {
    "1": "研究生",
    "2": "大学本科",
    "3": "大学专科和专科学校",
    "4": "中等专业学校",
    "5": "技工学校",
    "6": "高中",
    "7": "初中",
    "8": "小学",
    "9": "文盲或半文盲",
    "10": "不详",
}
MARITAL_STATUS = {"1": "未婚", "2": "已婚", "3": "丧偶", "4": "离婚", "5": "未说明的婚姻状况"}
PAYMENT = {
    "1": "城镇职工基本医疗保险",
    "2": "城镇居民基本医疗保险",
    "3": "新型农村合作医疗",
    "4": "贫困救助",
    "5": "商业医疗保险",
    "6": "全公费",
    "7": "全自费",
    "8": "其他",
}
DRUG_ALLERGY = {"1": "无", "2": "青霉素", "3": "磺胺", "4": "链霉素", "5": "其他"}
EXPOSURE = {"1": "无", "2": "化学品", "3": "毒物", "4": "射线"}
PAST_DISEASE = {
    "2": "高血压",
    "3": "糖尿病",
    "4": "冠心病",
    "5": "慢性阻塞性肺疾病",
    "6": "恶性肿瘤",
    "7": "脑卒中",
    "8": "严重精神障碍",
    "9": "结核病",
    "10": "肝炎",
    "11": "其他法定传染病",
    "12": "职业病",
    "13": "其他",
}
# Codes whose row must name the disease (恶性肿瘤 ____, 职业病 ____, 其他 ____).
PAST_DISEASE_NAMED = {"6", "11", "12", "13"}
FAMILY_DISEASE = {
    "1": "无",
    "2": "高血压",
    "3": "糖尿病",
    "4": "冠心病",
    "5": "慢性阻塞性肺疾病",
    "6": "恶性肿瘤",
    "7": "脑卒中",
    "8": "严重精神障碍",
    "9": "结核病",
    "10": "肝炎",
    "11": "先天畸形",
    "12": "其他",
}
DISABILITY = {
    "1": "无残疾",
    "2": "视力残疾",
    "3": "听力残疾",
    "4": "言语残疾",
    "5": "肢体残疾",
    "6": "智力残疾",
    "7": "精神残疾",
    "8": "其他残疾",
}
KITCHEN_EXHAUST = {"1": "无", "2": "油烟机", "3": "换气扇", "4": "烟囱"}
FUEL = {"1": "液化气", "2": "煤", "3": "天然气", "4": "沼气", "5": "柴火", "6": "其他"}
WATER = {"1": "自来水", "2": "经净化过滤的水", "3": "井水", "4": "河湖水", "5": "塘水", "6": "其他"}
TOILET = {"1": "卫生厕所", "2": "一格或二格粪池式", "3": "马桶", "4": "露天粪坑", "5": "简易棚厕"}
LIVESTOCK_PEN = {"1": "无", "2": "单设", "3": "室内", "4": "室外"}

# Education, occupation and marriage are asked of adults; a baby's file leaves them empty.
ADULT_ITEMS_FROM_AGE = 16

_B = "基本信息"
_H = "既往史"
_F = "家族史及其他"
_L = "生活环境"

_DISEASE_ROW = (
    Field("disease", "疾病", CODE, codes=PAST_DISEASE),
    Field("name", "疾病名称", max_length=50),
    Field("diagnosed_on", "确诊时间", DATE),
)


def _event_rows(name_label: str, date_label: str) -> tuple[Field, ...]:
    return (Field("name", name_label, max_length=50), Field("date", date_label, DATE))


FIELDS = (
    Field("filled_date", "填表日期", DATE, required=True, section=_B),
    Field("work_unit", "工作单位", max_length=100, section=_B),
    Field("contact_name", "联系人姓名", max_length=50, section=_B),
    Field("contact_phone", "联系人电话", max_length=20, section=_B),
    Field("blood_type", "血型", CODE, required=True, codes=BLOOD_TYPE, section=_B),
    Field("rh", "Rh血型", CODE, required=True, codes=RH, section=_B),
    Field("education", "文化程度", CODE, codes=EDUCATION, section=_B),
    Field("occupation", "职业", CODE, codes=OCCUPATION, section=_B),
    Field("marital_status", "婚姻状况", CODE, codes=MARITAL_STATUS, section=_B),
    Field("payment_methods", "医疗费用支付方式", CODES, required=True, codes=PAYMENT, section=_B),
    Field("payment_other", "其他支付方式", max_length=50, section=_B),
    Field("drug_allergy", "药物过敏史", CODES, required=True, codes=DRUG_ALLERGY, section=_B),
    Field("drug_allergy_other", "其他过敏药物", max_length=100, section=_B),
    Field("exposure", "暴露史", CODES, required=True, codes=EXPOSURE, section=_B),
    Field("past_disease", "疾病史", CODE, required=True, codes=codes.YES_NO, section=_H),
    Field("past_diseases", "疾病", ROWS, rows=_DISEASE_ROW, section=_H),
    Field("past_operation", "手术史", CODE, required=True, codes=codes.YES_NO, section=_H),
    Field("operations", "手术", ROWS, rows=_event_rows("手术名称", "手术时间"), section=_H),
    Field("past_injury", "外伤史", CODE, required=True, codes=codes.YES_NO, section=_H),
    Field("injuries", "外伤", ROWS, rows=_event_rows("外伤名称", "外伤时间"), section=_H),
    Field("past_transfusion", "输血史", CODE, required=True, codes=codes.YES_NO, section=_H),
    Field("transfusions", "输血", ROWS, rows=_event_rows("输血原因", "输血时间"), section=_H),
    Field("family_father", "父亲", CODES, required=True, codes=FAMILY_DISEASE, section=_F),
    Field("family_mother", "母亲", CODES, required=True, codes=FAMILY_DISEASE, section=_F),
    Field("family_siblings", "兄弟姐妹", CODES, required=True, codes=FAMILY_DISEASE, section=_F),
    Field("family_children", "子女", CODES, required=True, codes=FAMILY_DISEASE, section=_F),
    Field("family_other", "家族史其他疾病", max_length=100, section=_F),
    Field("hereditary", "遗传病史", CODE, required=True, codes=codes.YES_NO, section=_F),
    Field("hereditary_name", "遗传病名称", max_length=50, section=_F),
    Field("disability", "残疾情况", CODES, required=True, codes=DISABILITY, section=_F),
    Field("disability_other", "其他残疾", max_length=50, section=_F),
    Field(
        "kitchen_exhaust", "厨房排风设施", CODE, required=True, codes=KITCHEN_EXHAUST, section=_L
    ),
    Field("fuel", "燃料类型", CODE, required=True, codes=FUEL, section=_L),
    Field("drinking_water", "饮水", CODE, required=True, codes=WATER, section=_L),
    Field("toilet", "厕所", CODE, required=True, codes=TOILET, section=_L),
    Field("livestock_pen", "禽畜栏", CODE, required=True, codes=LIVESTOCK_PEN, section=_L),
    Field("doctor", "责任医生", TEXT, required=True, max_length=50, section=_L),
)


def _history(flag: str, rows: str, label: str, date_col: str, name_label: str) -> Check:
    """有 needs at least one complete row; 无 with rows filled in is a contradiction."""

    def check(data: dict, ctx: Context) -> list[Problem]:
        entries = data.get(rows) or []
        if data.get(flag) == "1" and entries:
            return [Problem(flag, "contradiction", f"{label}选了“无”，却填写了明细")]
        out = []
        if data.get(flag) == "2" and not entries:
            out.append(Problem(rows, "required", f"{label}选了“有”，请填写明细"))
        filled = date_of(data, "filled_date")
        for i, row in enumerate(entries):
            where = f"{rows}.{i}"
            if "name" not in row and (
                rows != "past_diseases" or row.get("disease") in PAST_DISEASE_NAMED
            ):
                out.append(
                    Problem(f"{where}.name", "required", f"{label}第{i + 1}行请填写{name_label}")
                )
            if rows == "past_diseases" and "disease" not in row:
                out.append(Problem(f"{where}.disease", "required", f"{label}第{i + 1}行请选择疾病"))
            day = date_of(row, date_col)
            if day is None:
                out.append(
                    Problem(f"{where}.{date_col}", "required", f"{label}第{i + 1}行请填写时间")
                )
            elif filled and day > filled:
                out.append(
                    Problem(
                        f"{where}.{date_col}", "date_order", f"{label}第{i + 1}行的时间晚于填表日期"
                    )
                )
        return out

    return check


def _adult_items(data: dict, ctx: Context) -> list[Problem]:
    day = date_of(data, "filled_date")
    age = ctx.age_on(day) if day else None
    if age is None or age < ADULT_ITEMS_FROM_AGE:
        return []
    return [
        Problem(name, "required", f"请填写{label}")
        for name, label in (
            ("education", "文化程度"),
            ("occupation", "职业"),
            ("marital_status", "婚姻状况"),
        )
        if name not in data
    ]


def _married_child(data: dict, ctx: Context) -> list[Problem]:
    day = date_of(data, "filled_date")
    age = ctx.age_on(day) if day else None
    if (
        age is not None
        and age < ADULT_ITEMS_FROM_AGE
        and data.get("marital_status") in {"2", "3", "4"}
    ):
        return [
            Problem("marital_status", "implausible", f"居民{age}岁，婚姻状况不应为已婚、丧偶或离婚")
        ]
    return []


CHECKS = (
    _adult_items,
    _married_child,
    none_alone("drug_allergy", "1", "药物过敏史"),
    none_alone("exposure", "1", "暴露史"),
    none_alone("family_father", "1", "父亲的家族史"),
    none_alone("family_mother", "1", "母亲的家族史"),
    none_alone("family_siblings", "1", "兄弟姐妹的家族史"),
    none_alone("family_children", "1", "子女的家族史"),
    none_alone("disability", "1", "残疾情况"),
    required_if("payment_other", chosen("payment_methods", "8"), "其他支付方式"),
    required_if("drug_allergy_other", chosen("drug_allergy", "5"), "其他过敏药物"),
    required_if(
        "family_other",
        lambda d: any(
            "12" in (d.get(n) or [])
            for n in ("family_father", "family_mother", "family_siblings", "family_children")
        ),
        "家族史其他疾病",
    ),
    required_if("hereditary_name", chosen("hereditary", "2"), "遗传病名称"),
    required_if("disability_other", chosen("disability", "8"), "其他残疾"),
    _history("past_disease", "past_diseases", "疾病史", "diagnosed_on", "疾病名称"),
    _history("past_operation", "operations", "手术史", "date", "手术名称"),
    _history("past_injury", "injuries", "外伤史", "date", "外伤名称"),
    _history("past_transfusion", "transfusions", "输血史", "date", "输血原因"),
)

PERSONAL_INFO = FormSpec(
    kind="personal_info",
    title="个人基本信息表",
    fields=FIELDS,
    date_field="filled_date",
    doctor_field="doctor",
    checks=CHECKS,
)

SPECS_HERE = (PERSONAL_INFO,)
