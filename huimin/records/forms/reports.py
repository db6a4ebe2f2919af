"""Reports and activity logs: 传染病报告卡, 健康教育活动记录表, 卫生监督协管信息报告登记表.

The report card belongs to a person; the two activity logs belong to no one
(`per_person=False`) and are kept by the clinic that ran the activity.
"""

from huimin.records.forms.codes_common import chosen
from huimin.records.forms.spec import (
    CODE,
    CODES,
    DATE,
    INT,
    TEXT,
    Context,
    Field,
    FormSpec,
    Problem,
    date_of,
    not_before,
    required_if,
)

REPORT_TYPE = {"1": "初次报告", "2": "订正报告"}
PATIENT_FROM = {
    "1": "本县区",
    "2": "本市其他县区",
    "3": "本省其它地市",
    "4": "外省",
    "5": "港澳台",
    "6": "外籍",
}
# 人群分类, in the card's printed order.
POPULATION = {
    "1": "幼托儿童",
    "2": "散居儿童",
    "3": "学生（大中小学）",
    "4": "教师",
    "5": "保育员及保姆",
    "6": "餐饮食品业",
    "7": "公共场所服务员",
    "8": "商业服务",
    "9": "医务人员",
    "10": "工人",
    "11": "民工",
    "12": "农民",
    "13": "牧民",
    "14": "渔（船）民",
    "15": "海员及长途驾驶员",
    "16": "干部职员",
    "17": "离退人员",
    "18": "家务及待业",
    "19": "其他",
    "20": "不详",
}
CASE_CLASS = {
    "1": "疑似病例",
    "2": "临床诊断病例",
    "3": "确诊病例",
    "4": "病原携带者",
    "5": "阳性检测结果",
}
ACUTE_CHRONIC = {"1": "急性", "2": "慢性"}
# The card's check boxes, coded by class (A 甲类, B 乙类, C 丙类, O 其他) and printed
# order; sub-types (肝炎 types, 肺结核 by aetiology, 梅毒 stages…) are boxes of their own.
DISEASE_A = {"A01": "鼠疫", "A02": "霍乱"}
DISEASE_B = {
    "B01": "传染性非典型肺炎",
    "B02": "艾滋病（艾滋病病人）",
    "B03": "艾滋病（HIV感染者）",
    "B04": "病毒性肝炎（甲型）",
    "B05": "病毒性肝炎（乙型）",
    "B06": "病毒性肝炎（丙型）",
    "B07": "病毒性肝炎（丁型）",
    "B08": "病毒性肝炎（戊型）",
    "B09": "病毒性肝炎（未分型）",
    "B10": "脊髓灰质炎",
    "B11": "人感染高致病性禽流感",
    "B12": "麻疹",
    "B13": "流行性出血热",
    "B14": "狂犬病",
    "B15": "流行性乙型脑炎",
    "B16": "登革热",
    "B17": "炭疽（肺炭疽）",
    "B18": "炭疽（皮肤炭疽）",
    "B19": "炭疽（未分型）",
    "B20": "痢疾（细菌性）",
    "B21": "痢疾（阿米巴性）",
    "B22": "肺结核（利福平耐药）",
    "B23": "肺结核（病原学阳性）",
    "B24": "肺结核（病原学阴性）",
    "B25": "肺结核（无病原学结果）",
    "B26": "伤寒",
    "B27": "副伤寒",
    "B28": "流行性脑脊髓膜炎",
    "B29": "百日咳",
    "B30": "白喉",
    "B31": "新生儿破伤风",
    "B32": "猩红热",
    "B33": "布鲁氏菌病",
    "B34": "淋病",
    "B35": "梅毒（Ⅰ期）",
    "B36": "梅毒（Ⅱ期）",
    "B37": "梅毒（Ⅲ期）",
    "B38": "梅毒（胎传）",
    "B39": "梅毒（隐性）",
    "B40": "钩端螺旋体病",
    "B41": "血吸虫病",
    "B42": "疟疾（间日疟）",
    "B43": "疟疾（恶性疟）",
    "B44": "疟疾（未分型）",
    "B45": "人感染H7N9禽流感",
    "B46": "新型冠状病毒感染",
    "B47": "猴痘",
}
DISEASE_C = {
    "C01": "流行性感冒",
    "C02": "流行性腮腺炎",
    "C03": "风疹",
    "C04": "急性出血性结膜炎",
    "C05": "麻风病",
    "C06": "流行性和地方性斑疹伤寒",
    "C07": "黑热病",
    "C08": "包虫病",
    "C09": "丝虫病",
    "C10": "除霍乱、细菌性和阿米巴性痢疾、伤寒和副伤寒以外的感染性腹泻病",
    "C11": "手足口病",
}
DISEASE_OTHER = "O01"
DISEASES = {**DISEASE_A, **DISEASE_B, **DISEASE_C, DISEASE_OTHER: "其他法定管理以及重点监测传染病"}
# The card asks 急性/慢性 for these only.
ACUTE_CHRONIC_DISEASES = frozenset({"B05", "B06", "B41"})
NEONATAL_TETANUS = "B31"
NEONATAL_DAYS = 28
# A parent's name is asked for children under 14.
PARENT_BELOW_AGE = 14


def _report_checks(data: dict, ctx: Context) -> list[Problem]:
    out = []
    onset, death = date_of(data, "onset_date"), date_of(data, "death_date")
    if (
        data.get("disease") == NEONATAL_TETANUS
        and onset
        and ctx.birth_date
        and (onset - ctx.birth_date).days > NEONATAL_DAYS
    ):
        out.append(Problem("disease", "implausible", "新生儿破伤风只见于出生28天以内发病的新生儿"))
    if data.get("acute_chronic") and data.get("disease") not in ACUTE_CHRONIC_DISEASES:
        out.append(
            Problem(
                "acute_chronic", "not_applicable", "急性/慢性只填写乙型肝炎、丙型肝炎和血吸虫病"
            )
        )
    filled = date_of(data, "filled_date")
    age = ctx.age_on(onset or filled) if (onset or filled) else None
    if age is not None and age < PARENT_BELOW_AGE and not data.get("parent_name"):
        out.append(Problem("parent_name", "required", "14岁以下患者请填写家长姓名"))
    if death and filled and death > filled:
        out.append(Problem("death_date", "date_order", "死亡日期不能晚于填卡日期"))
    return out


INFECTIOUS_REPORT = FormSpec(
    kind="infectious_report",
    title="传染病报告卡",
    allow_after_death=True,
    fields=(
        Field("card_number", "卡片编号", max_length=30, section="报卡"),
        Field("report_type", "报卡类别", CODE, required=True, codes=REPORT_TYPE, section="报卡"),
        Field("parent_name", "患儿家长姓名", max_length=50, section="患者"),
        Field("work_unit", "工作单位（学校）", max_length=100, section="患者"),
        Field("phone", "联系电话", max_length=20, section="患者"),
        Field("patient_from", "病人属于", CODE, required=True, codes=PATIENT_FROM, section="患者"),
        Field("address", "现住址", required=True, max_length=200, section="患者"),
        Field("population", "人群分类", CODE, required=True, codes=POPULATION, section="患者"),
        Field("case_class", "病例分类", CODE, required=True, codes=CASE_CLASS, section="病例"),
        Field("acute_chronic", "急性/慢性", CODE, codes=ACUTE_CHRONIC, section="病例"),
        Field("onset_date", "发病日期", DATE, required=True, section="病例"),
        Field("diagnosis_date", "诊断日期", DATE, required=True, section="病例"),
        Field("diagnosis_hour", "诊断时间（时）", INT, min=0, max=23, section="病例"),
        Field("death_date", "死亡日期", DATE, section="病例"),
        Field("disease", "传染病", CODE, required=True, codes=DISEASES, section="病名"),
        Field("disease_other", "其他传染病名称", max_length=100, section="病名"),
        Field("corrected_disease", "订正病名", max_length=100, section="病名"),
        Field("return_reason", "退卡原因", max_length=100, section="病名"),
        Field("reporting_unit", "报告单位", required=True, max_length=100, section="报告"),
        Field("unit_phone", "联系电话", max_length=20, section="报告"),
        Field("doctor", "报告医生", TEXT, required=True, max_length=50, section="报告"),
        Field("filled_date", "填卡日期", DATE, required=True, section="报告"),
        Field("remarks", "备注", max_length=200, section="报告"),
    ),
    date_field="filled_date",
    doctor_field="doctor",
    checks=(
        not_before("diagnosis_date", "onset_date", "诊断日期不能早于发病日期"),
        not_before("death_date", "onset_date", "死亡日期不能早于发病日期"),
        not_before("filled_date", "diagnosis_date", "填卡日期不能早于诊断日期"),
        _report_checks,
        required_if("disease_other", lambda d: d.get("disease") == DISEASE_OTHER, "其他传染病名称"),
        required_if(
            "acute_chronic",
            lambda d: d.get("disease") in ACUTE_CHRONIC_DISEASES,
            "急性/慢性",
        ),
        required_if("corrected_disease", chosen("report_type", "2"), "订正病名"),
    ),
)

# --- activity logs -------------------------------------------------------------------

EDUCATION_FORM = {
    "1": "健康知识讲座",
    "2": "公众健康咨询活动",
    "3": "发放健康教育印刷资料",
    "4": "播放健康教育音像资料",
    "5": "设置健康教育宣传栏",
    "6": "个体化健康教育",
    "7": "其他",
}
ARCHIVED = {
    "1": "书面材料",
    "2": "图片材料",
    "3": "印刷材料",
    "4": "影音材料",
    "5": "签到表",
    "6": "其他材料",
}
MAX_PARTICIPANTS = 100_000

HEALTH_EDUCATION = FormSpec(
    kind="health_education",
    title="健康教育活动记录表",
    fields=(
        Field("activity_date", "活动时间", DATE, required=True, section="活动"),
        Field("place", "活动地点", required=True, max_length=100, section="活动"),
        Field(
            "activity_type", "活动形式", CODE, required=True, codes=EDUCATION_FORM, section="活动"
        ),
        Field("activity_type_other", "其他活动形式", max_length=50, section="活动"),
        Field("theme", "活动主题", required=True, max_length=100, section="活动"),
        Field("organiser", "组织者", required=True, max_length=100, section="活动"),
        Field("audience", "接受健康教育人员类别", max_length=100, section="活动"),
        Field(
            "participants",
            "接受健康教育人数",
            INT,
            required=True,
            min=1,
            max=MAX_PARTICIPANTS,
            unit="人",
            section="活动",
        ),
        Field("materials", "健康教育资料发放种类及数量", max_length=200, section="活动"),
        Field("content", "活动内容", required=True, max_length=2000, section="内容"),
        Field("evaluation", "活动总结评价", max_length=1000, section="内容"),
        Field("archived", "存档材料", CODES, codes=ARCHIVED, section="内容"),
        Field("filler", "填表人", TEXT, required=True, max_length=50, section="签字"),
        Field("responsible", "负责人", max_length=50, section="签字"),
        Field("filled_date", "填表时间", DATE, section="签字"),
    ),
    date_field="activity_date",
    doctor_field="filler",
    per_person=False,
    checks=(
        required_if("activity_type_other", chosen("activity_type", "7"), "其他活动形式"),
        not_before("filled_date", "activity_date", "填表时间不能早于活动时间"),
    ),
)

SUPERVISION_KIND = {"1": "信息报告", "2": "协助巡查"}
SUPERVISION_CATEGORY = {
    "1": "食源性疾病",
    "2": "饮用水卫生",
    "3": "职业卫生",
    "4": "学校卫生",
    "5": "非法行医（采供血）",
    "6": "其他",
}

HEALTH_SUPERVISION = FormSpec(
    kind="health_supervision",
    title="卫生监督协管信息报告登记表",
    fields=(
        Field("found_date", "发现时间", DATE, required=True, section="信息"),
        Field("kind", "工作类别", CODE, required=True, codes=SUPERVISION_KIND, section="信息"),
        Field(
            "category", "信息类别", CODE, required=True, codes=SUPERVISION_CATEGORY, section="信息"
        ),
        Field("category_other", "其他信息类别", max_length=50, section="信息"),
        Field("place", "地点（单位）", required=True, max_length=100, section="信息"),
        Field("participants", "参加人数", INT, min=1, max=1000, unit="人", section="信息"),
        Field("organiser", "组织者", max_length=100, section="信息"),
        Field(
            "content",
            "信息内容（巡查内容及发现的主要问题）",
            required=True,
            max_length=2000,
            section="信息",
        ),
        Field("report_date", "报告时间", DATE, section="报告"),
        Field("reporter", "报告人", TEXT, required=True, max_length=50, section="报告"),
        Field("remarks", "备注", max_length=200, section="报告"),
    ),
    date_field="found_date",
    doctor_field="reporter",
    per_person=False,
    checks=(
        required_if("category_other", chosen("category", "6"), "其他信息类别"),
        required_if("report_date", chosen("kind", "1"), "报告时间"),
        not_before("report_date", "found_date", "报告时间不能早于发现时间"),
    ),
)

SPECS_HERE = (INFECTIOUS_REPORT, HEALTH_EDUCATION, HEALTH_SUPERVISION)
