"""健康体检表: the annual health check (all residents; the 65+ elderly's yearly check).

Tables and codes as printed in the specification's 健康体检表. Blood pressure is taken
on both arms; the left arm is the one lifted into the measurement columns.
"""

from huimin.records.forms import codes
from huimin.records.forms.codes_common import (
    DIPSTICK,
    NEGATIVE_POSITIVE,
    NORMAL_ABNORMAL,
    age_not_above_now,
    age_order,
    chosen,
    women_only,
)
from huimin.records.forms.spec import (
    CODE,
    CODES,
    DATE,
    DECIMAL,
    INT,
    ROWS,
    TEXT,
    Context,
    Field,
    FormSpec,
    Problem,
    blood_pressure_check,
    bmi,
    date_of,
    none_alone,
    required_if,
)

SYMPTOMS = {
    "1": "无症状",
    "2": "头痛",
    "3": "头晕",
    "4": "心悸",
    "5": "胸闷",
    "6": "胸痛",
    "7": "慢性咳嗽",
    "8": "咳痰",
    "9": "呼吸困难",
    "10": "多饮",
    "11": "多尿",
    "12": "体重下降",
    "13": "乏力",
    "14": "关节肿痛",
    "15": "视力模糊",
    "16": "手脚麻木",
    "17": "尿急",
    "18": "尿痛",
    "19": "便秘",
    "20": "腹泻",
    "21": "恶心呕吐",
    "22": "眼花",
    "23": "耳鸣",
    "24": "乳房胀痛",
    "25": "其他",
}
HEALTH_SELF = {"1": "满意", "2": "基本满意", "3": "说不清楚", "4": "不太满意", "5": "不满意"}
SELFCARE_SELF = {
    "1": "可自理（0～3分）",
    "2": "轻度依赖（4～8分）",
    "3": "中度依赖（9～18分）",
    "4": "不能自理（≥19分）",
}
SCREEN = {"1": "粗筛阴性", "2": "粗筛阳性"}
EXERCISE_FREQ = {"1": "每天", "2": "每周一次以上", "3": "偶尔", "4": "不锻炼"}
DIET = {"1": "荤素均衡", "2": "荤食为主", "3": "素食为主", "4": "嗜盐", "5": "嗜油", "6": "嗜糖"}
SMOKING = {"1": "从不吸烟", "2": "已戒烟", "3": "吸烟"}
DRINKING_FREQ = {"1": "从不", "2": "偶尔", "3": "经常", "4": "每天"}
QUIT_DRINKING = {"1": "未戒酒", "2": "已戒酒"}
YES_NO_12 = {"1": "是", "2": "否"}
ALCOHOL_KIND = {"1": "白酒", "2": "啤酒", "3": "红酒", "4": "黄酒", "5": "其他"}
LIPS = {"1": "红润", "2": "苍白", "3": "发绀", "4": "皲裂", "5": "疱疹"}
DENTITION = {"1": "正常", "2": "缺齿", "3": "龋齿", "4": "义齿（假牙）"}
THROAT = {"1": "无充血", "2": "充血", "3": "淋巴滤泡增生"}
HEARING = {"1": "听见", "2": "听不清或无法听见"}
MOTOR = {"1": "可顺利完成", "2": "无法独立完成任何一个动作"}
SKIN = {
    "1": "正常",
    "2": "潮红",
    "3": "苍白",
    "4": "发绀",
    "5": "黄染",
    "6": "色素沉着",
    "7": "其他",
}
SCLERA = {"1": "正常", "2": "黄染", "3": "充血", "4": "其他"}
LYMPH = {"1": "未触及", "2": "锁骨上", "3": "腋窝", "4": "其他"}
NO_YES = {"1": "否", "2": "是"}
RALES = {"1": "无", "2": "干罗音", "3": "湿罗音", "4": "其他"}
RHYTHM = {"1": "齐", "2": "不齐", "3": "绝对不齐"}
OEDEMA = {"1": "无", "2": "单侧", "3": "双侧不对称", "4": "双侧对称"}
DORSALIS = {"1": "未触及", "2": "触及双侧对称", "3": "触及左侧弱或消失", "4": "触及右侧弱或消失"}
DRE = {"1": "未见异常", "2": "触痛", "3": "包块", "4": "前列腺异常", "5": "其他"}
BREAST = {"1": "未见异常", "2": "乳房切除", "3": "异常泌乳", "4": "乳腺包块", "5": "其他"}
FOUND_NONE = "1"
CEREBRO = {
    "1": "未发现",
    "2": "缺血性卒中",
    "3": "脑出血",
    "4": "蛛网膜下腔出血",
    "5": "短暂性脑缺血发作",
    "6": "其他",
}
KIDNEY = {
    "1": "未发现",
    "2": "糖尿病肾病",
    "3": "肾功能衰竭",
    "4": "急性肾炎",
    "5": "慢性肾炎",
    "6": "其他",
}
HEART = {
    "1": "未发现",
    "2": "心肌梗死",
    "3": "心绞痛",
    "4": "冠状动脉血运重建",
    "5": "充血性心力衰竭",
    "6": "心前区疼痛",
    "7": "其他",
}
VESSEL = {"1": "未发现", "2": "夹层动脉瘤", "3": "动脉闭塞性疾病", "4": "其他"}
EYE = {
    "1": "未发现",
    "2": "视网膜出血或渗出",
    "3": "视乳头水肿",
    "4": "白内障",
    "5": "其他",
}
FOUND = {"1": "未发现", "2": "有"}
EVALUATION = {"1": "体检无异常", "2": "有异常"}
GUIDANCE = {"1": "纳入慢性病患者健康管理", "2": "建议复查", "3": "建议转诊"}
RISK_CONTROL = {
    "1": "戒烟",
    "2": "健康饮酒",
    "3": "饮食",
    "4": "锻炼",
    "5": "减体重",
    "6": "建议接种疫苗",
    "7": "其他",
}
HAZARDS = (
    ("dust", "粉尘"),
    ("radiation", "放射物质"),
    ("physical", "物理因素"),
    ("chemical", "化学物质"),
    ("other", "其他"),
)

# The elderly self-assessments are asked from this age (老年人 in the specification).
ELDERLY_FROM_AGE = 65


def _num(name, label, kind, lo, hi, unit="", places=1, section="", required=False):
    return Field(
        name,
        label,
        kind,
        required=required,
        min=lo,
        max=hi,
        unit=unit,
        places=places,
        section=section,
    )


def _code(name, label, table, section, required=False):
    return Field(name, label, CODE, required=required, codes=table, section=section)


def _codes(name, label, table, section, required=False):
    return Field(name, label, CODES, required=required, codes=table, section=section)


_G = "一般状况"
_S = "生活方式"
_O = "脏器功能"
_E = "查体"
_A = "辅助检查"
_P = "现存主要健康问题"
_T = "住院治疗情况"
_M = "用药及接种"
_V = "健康评价及指导"

_HOSPITAL_ROW = (
    Field("in_date", "入院日期", DATE),
    Field("out_date", "出院日期", DATE),
    Field("reason", "原因", max_length=100),
    Field("institution", "医疗机构名称", max_length=100),
    Field("case_number", "病案号", max_length=30),
)
_SICKBED_ROW = (
    Field("in_date", "建床日期", DATE),
    Field("out_date", "撤床日期", DATE),
    Field("reason", "原因", max_length=100),
    Field("institution", "医疗机构名称", max_length=100),
    Field("case_number", "病案号", max_length=30),
)
_MEDICATION_ROW = (
    Field("name", "药物名称", max_length=50),
    Field("usage", "用法", max_length=30),
    Field("dose", "用量", max_length=30),
    Field("duration", "用药时间", max_length=30),
    Field("adherence", "服药依从性", CODE, codes=codes.ADHERENCE),
)
_VACCINE_ROW = (
    Field("name", "名称", max_length=50),
    Field("date", "接种日期", DATE),
    Field("institution", "接种机构", max_length=100),
)

FIELDS = (
    Field("check_date", "体检日期", DATE, required=True, section=_G),
    _codes("symptoms", "症状", SYMPTOMS, _G, required=True),
    Field("symptoms_other", "其他症状", max_length=100, section=_G),
    _num("temperature", "体温", DECIMAL, 34, 43, "℃", section=_G, required=True),
    _num("pulse", "脉率", INT, 30, 220, "次/分", section=_G, required=True),
    _num("respiration", "呼吸频率", INT, 5, 60, "次/分", section=_G, required=True),
    _num("systolic_left", "血压（左侧）收缩压", INT, 50, 300, "mmHg", section=_G, required=True),
    _num("diastolic_left", "血压（左侧）舒张压", INT, 30, 200, "mmHg", section=_G, required=True),
    _num("systolic_right", "血压（右侧）收缩压", INT, 50, 300, "mmHg", section=_G),
    _num("diastolic_right", "血压（右侧）舒张压", INT, 30, 200, "mmHg", section=_G),
    _num("height", "身高", DECIMAL, 40, 250, "cm", section=_G, required=True),
    _num("weight", "体重", DECIMAL, 2, 300, "kg", section=_G, required=True),
    _num("waist", "腰围", DECIMAL, 40, 200, "cm", section=_G, required=True),
    Field("bmi", "体质指数", DECIMAL, derived=True, unit="kg/m²", section=_G),
    _code("elderly_health_self", "老年人健康状态自我评估", HEALTH_SELF, _G),
    _code("elderly_selfcare_self", "老年人生活自理能力自我评估", SELFCARE_SELF, _G),
    _code("elderly_cognition", "老年人认知功能", SCREEN, _G),
    _num("elderly_mmse", "简易智力状态检查总分", INT, 0, 30, "分", section=_G),
    _code("elderly_emotion", "老年人情感状态", SCREEN, _G),
    _num("elderly_gds", "老年人抑郁评分检查总分", INT, 0, 30, "分", section=_G),
    _code("exercise_frequency", "锻炼频率", EXERCISE_FREQ, _S, required=True),
    _num("exercise_minutes", "每次锻炼时间", INT, 1, 600, "分钟", section=_S),
    _num("exercise_years", "坚持锻炼时间", INT, 0, 100, "年", section=_S),
    Field("exercise_kind", "锻炼方式", max_length=50, section=_S),
    _codes("diet", "饮食习惯", DIET, _S, required=True),
    _code("smoking", "吸烟状况", SMOKING, _S, required=True),
    _num("cigarettes_per_day", "日吸烟量", INT, 1, 100, "支", section=_S),
    _num("smoking_start_age", "开始吸烟年龄", INT, 5, 100, "岁", section=_S),
    _num("smoking_quit_age", "戒烟年龄", INT, 5, 110, "岁", section=_S),
    _code("drinking", "饮酒频率", DRINKING_FREQ, _S, required=True),
    _num("alcohol_per_day", "日饮酒量", INT, 0, 50, "两", section=_S),
    _code("quit_drinking", "是否戒酒", QUIT_DRINKING, _S),
    _num("drinking_quit_age", "戒酒年龄", INT, 5, 110, "岁", section=_S),
    _num("drinking_start_age", "开始饮酒年龄", INT, 5, 100, "岁", section=_S),
    _code("drunk_last_year", "近一年内是否曾醉酒", YES_NO_12, _S),
    _codes("alcohol_kinds", "饮酒种类", ALCOHOL_KIND, _S),
    _code("occupational_exposure", "职业病危害因素接触史", codes.YES_NO, _S, required=True),
    Field("job", "工种", max_length=50, section=_S),
    _num("job_years", "从业时间", INT, 0, 80, "年", section=_S),
    *(
        f
        for key, label in HAZARDS
        for f in (
            Field(f"hazard_{key}", f"毒物种类：{label}", max_length=50, section=_S),
            _code(f"hazard_{key}_protection", f"{label}防护措施", codes.YES_NO, _S),
        )
    ),
    _code("lips", "口唇", LIPS, _O, required=True),
    _codes("dentition", "齿列", DENTITION, _O, required=True),
    _code("throat", "咽部", THROAT, _O, required=True),
    _num("vision_left", "视力（左眼）", DECIMAL, 0, "5.3", section=_O, required=True),
    _num("vision_right", "视力（右眼）", DECIMAL, 0, "5.3", section=_O, required=True),
    _num("corrected_left", "矫正视力（左眼）", DECIMAL, 0, "5.3", section=_O),
    _num("corrected_right", "矫正视力（右眼）", DECIMAL, 0, "5.3", section=_O),
    _code("hearing", "听力", HEARING, _O, required=True),
    _code("motor", "运动功能", MOTOR, _O, required=True),
    _code("fundus", "眼底", NORMAL_ABNORMAL, _E),
    _code("skin", "皮肤", SKIN, _E, required=True),
    _code("sclera", "巩膜", SCLERA, _E, required=True),
    _code("lymph_nodes", "淋巴结", LYMPH, _E, required=True),
    _code("barrel_chest", "桶状胸", NO_YES, _E, required=True),
    _code("breath_sounds", "呼吸音", NORMAL_ABNORMAL, _E, required=True),
    _code("rales", "罗音", RALES, _E, required=True),
    _num("heart_rate", "心率", INT, 30, 220, "次/分", section=_E, required=True),
    _code("heart_rhythm", "心律", RHYTHM, _E, required=True),
    _code("heart_murmur", "杂音", codes.YES_NO, _E, required=True),
    _code("abdomen_tenderness", "压痛", codes.YES_NO, _E, required=True),
    _code("abdomen_mass", "包块", codes.YES_NO, _E, required=True),
    _code("hepatomegaly", "肝大", codes.YES_NO, _E, required=True),
    _code("splenomegaly", "脾大", codes.YES_NO, _E, required=True),
    _code("shifting_dullness", "移动性浊音", codes.YES_NO, _E, required=True),
    _code("oedema", "下肢水肿", OEDEMA, _E, required=True),
    _code("dorsalis_pedis", "足背动脉搏动", DORSALIS, _E),
    _code("dre", "肛门指诊", DRE, _E),
    _codes("breast", "乳腺", BREAST, _E),
    _code("vulva", "外阴", NORMAL_ABNORMAL, _E),
    _code("vagina", "阴道", NORMAL_ABNORMAL, _E),
    _code("cervix", "宫颈", NORMAL_ABNORMAL, _E),
    _code("uterus", "宫体", NORMAL_ABNORMAL, _E),
    _code("adnexa", "附件", NORMAL_ABNORMAL, _E),
    Field("exam_other", "查体其他", max_length=200, section=_E),
    _num("haemoglobin", "血红蛋白", INT, 20, 250, "g/L", section=_A),
    _num("wbc", "白细胞", DECIMAL, "0.1", 100, "×10⁹/L", section=_A),
    _num("platelets", "血小板", INT, 1, 2000, "×10⁹/L", section=_A),
    _code("urine_protein", "尿蛋白", DIPSTICK, _A),
    _code("urine_glucose", "尿糖", DIPSTICK, _A),
    _code("urine_ketone", "尿酮体", DIPSTICK, _A),
    _code("urine_blood", "尿潜血", DIPSTICK, _A),
    _num("fasting_glucose", "空腹血糖", DECIMAL, 1, 35, "mmol/L", section=_A),
    _code("ecg", "心电图", NORMAL_ABNORMAL, _A),
    Field("ecg_abnormal", "心电图异常", max_length=100, section=_A),
    _num("urine_microalbumin", "尿微量白蛋白", DECIMAL, 0, 1000, "mg/dL", section=_A),
    _code("occult_blood", "大便潜血", NEGATIVE_POSITIVE, _A),
    _num("hba1c", "糖化血红蛋白", DECIMAL, 3, 20, "%", section=_A),
    _code("hbsag", "乙型肝炎表面抗原", NEGATIVE_POSITIVE, _A),
    _num("alt", "血清谷丙转氨酶", INT, 0, 5000, "U/L", section=_A),
    _num("ast", "血清谷草转氨酶", INT, 0, 5000, "U/L", section=_A),
    _num("albumin", "白蛋白", DECIMAL, 5, 80, "g/L", section=_A),
    _num("bilirubin_total", "总胆红素", DECIMAL, 0, 800, "μmol/L", section=_A),
    _num("bilirubin_direct", "结合胆红素", DECIMAL, 0, 600, "μmol/L", section=_A),
    _num("creatinine", "血清肌酐", DECIMAL, 10, 3000, "μmol/L", section=_A),
    _num("urea", "血尿素", DECIMAL, "0.5", 100, "mmol/L", section=_A),
    _num("potassium", "血钾浓度", DECIMAL, "1.5", 10, "mmol/L", section=_A),
    _num("sodium", "血钠浓度", DECIMAL, 100, 200, "mmol/L", section=_A),
    _num("cholesterol", "总胆固醇", DECIMAL, "0.5", 30, "mmol/L", 2, section=_A),
    _num("triglycerides", "甘油三酯", DECIMAL, "0.1", 50, "mmol/L", 2, section=_A),
    _num("ldl", "血清低密度脂蛋白胆固醇", DECIMAL, "0.1", 20, "mmol/L", 2, section=_A),
    _num("hdl", "血清高密度脂蛋白胆固醇", DECIMAL, "0.1", 10, "mmol/L", 2, section=_A),
    _code("chest_xray", "胸部X线片", NORMAL_ABNORMAL, _A),
    _code("ultrasound_abdomen", "B超（腹部）", NORMAL_ABNORMAL, _A),
    _code("ultrasound_other", "B超（其他）", NORMAL_ABNORMAL, _A),
    _code("cervical_smear", "宫颈涂片", NORMAL_ABNORMAL, _A),
    Field("tests_abnormal", "辅助检查异常及其他", max_length=200, section=_A),
    _codes("cerebrovascular", "脑血管疾病", CEREBRO, _P, required=True),
    _codes("kidney", "肾脏疾病", KIDNEY, _P, required=True),
    _codes("heart", "心脏疾病", HEART, _P, required=True),
    _codes("vascular", "血管疾病", VESSEL, _P, required=True),
    _codes("eye", "眼部疾病", EYE, _P, required=True),
    _code("nervous", "神经系统疾病", FOUND, _P, required=True),
    _code("other_system", "其他系统疾病", FOUND, _P, required=True),
    Field("problems_detail", "疾病名称及其他", max_length=200, section=_P),
    Field("hospital_stays", "住院史", ROWS, rows=_HOSPITAL_ROW, section=_T),
    Field("home_sickbeds", "家庭病床史", ROWS, rows=_SICKBED_ROW, section=_T),
    Field("medications", "主要用药情况", ROWS, rows=_MEDICATION_ROW, section=_M),
    Field("vaccinations", "非免疫规划预防接种史", ROWS, rows=_VACCINE_ROW, section=_M),
    _code("evaluation", "健康评价", EVALUATION, _V, required=True),
    Field("abnormalities", "异常", max_length=400, section=_V),
    _codes("guidance", "健康指导", GUIDANCE, _V),
    _codes("risk_control", "危险因素控制", RISK_CONTROL, _V),
    _num("target_weight", "减体重目标", DECIMAL, 20, 300, "kg", section=_V),
    Field("vaccine_advised", "建议接种疫苗", max_length=100, section=_V),
    Field("risk_other", "危险因素控制其他", max_length=100, section=_V),
    Field("doctor", "责任医生", TEXT, required=True, max_length=50, section=_V),
)

_ELDERLY = (
    "elderly_health_self",
    "elderly_selfcare_self",
    "elderly_cognition",
    "elderly_emotion",
)
_GYNAECOLOGY = ("vulva", "vagina", "cervix", "uterus", "adnexa", "cervical_smear")
# Items the smoking / drinking answers make necessary, or impossible.
_SMOKER_ITEMS = ("cigarettes_per_day", "smoking_start_age")
_DRINKER_ITEMS = ("alcohol_per_day", "drinking_start_age")


def _derive(data: dict) -> dict:
    return {"bmi": bmi(data.get("height"), data.get("weight"))}


def _age(data: dict, ctx: Context) -> int | None:
    day = date_of(data, "check_date")
    return ctx.age_on(day) if day else None


def _elderly_items(data: dict, ctx: Context) -> list[Problem]:
    """Asked of the 65+ (required then); a younger adult's form leaves them empty."""
    age = _age(data, ctx)
    if age is None:
        return []
    if age >= ELDERLY_FROM_AGE:
        return [
            Problem(n, "required", f"65岁及以上居民请填写{FIELD_LABELS[n]}")
            for n in _ELDERLY
            if n not in data
        ]
    return [
        Problem(n, "elderly_only", f"{FIELD_LABELS[n]}只适用于65岁及以上的居民")
        for n in _ELDERLY
        if n in data
    ]


def _never_means_none(data: dict, ctx: Context) -> list[Problem]:
    out = []
    if data.get("smoking") == "1":
        out += [
            Problem(n, "contradiction", f"选了“从不吸烟”，不应填写{FIELD_LABELS[n]}")
            for n in (*_SMOKER_ITEMS, "smoking_quit_age")
            if n in data
        ]
    if data.get("smoking") == "3" and "smoking_quit_age" in data:
        out.append(Problem("smoking_quit_age", "contradiction", "正在吸烟，不应填写戒烟年龄"))
    if data.get("drinking") == "1":
        out += [
            Problem(n, "contradiction", f"选了“从不饮酒”，不应填写{FIELD_LABELS[n]}")
            for n in (*_DRINKER_ITEMS, "drinking_quit_age", "alcohol_kinds")
            if n in data
        ]
    if data.get("exercise_frequency") == "4" and "exercise_minutes" in data:
        out.append(Problem("exercise_minutes", "contradiction", "选了“不锻炼”，不应填写锻炼时间"))
    return out


def _no_abnormal_means_none(data: dict, ctx: Context) -> list[Problem]:
    if data.get("evaluation") == "1" and data.get("abnormalities"):
        return [Problem("evaluation", "contradiction", "健康评价为“体检无异常”，却填写了异常")]
    return []


def _stays_in_order(data: dict, ctx: Context) -> list[Problem]:
    out = []
    check_day = date_of(data, "check_date")
    for rows, label in (("hospital_stays", "住院史"), ("home_sickbeds", "家庭病床史")):
        for i, row in enumerate(data.get(rows) or []):
            start, end = date_of(row, "in_date"), date_of(row, "out_date")
            if start is None:
                out.append(
                    Problem(f"{rows}.{i}.in_date", "required", f"{label}第{i + 1}行请填写开始日期")
                )
            if start and end and end < start:
                out.append(
                    Problem(
                        f"{rows}.{i}.out_date",
                        "date_order",
                        f"{label}第{i + 1}行的结束日期早于开始日期",
                    )
                )
            if check_day and start and start > check_day:
                out.append(
                    Problem(f"{rows}.{i}.in_date", "date_order", f"{label}第{i + 1}行晚于体检日期")
                )
    for i, row in enumerate(data.get("medications") or []):
        if "name" not in row:
            out.append(
                Problem(f"medications.{i}.name", "required", f"用药第{i + 1}行请填写药物名称")
            )
    for i, row in enumerate(data.get("vaccinations") or []):
        if "name" not in row:
            out.append(
                Problem(f"vaccinations.{i}.name", "required", f"接种史第{i + 1}行请填写疫苗名称")
            )
    return out


def _hazards(data: dict, ctx: Context) -> list[Problem]:
    """有 exposure names at least one hazard; each named hazard says if protected."""
    if data.get("occupational_exposure") != "2":
        return []
    named = [key for key, _ in HAZARDS if data.get(f"hazard_{key}")]
    if not named:
        return [Problem("hazard_dust", "required", "职业病危害因素接触史为“有”，请填写毒物种类")]
    return [
        Problem(f"hazard_{key}_protection", "required", f"请填写{label}的防护措施")
        for key, label in HAZARDS
        if key in named and f"hazard_{key}_protection" not in data
    ]


def _is(name: str, *values: str):
    return lambda d: d.get(name) in values


CHECKS = (
    blood_pressure_check("systolic_left", "diastolic_left"),
    blood_pressure_check("systolic_right", "diastolic_right"),
    none_alone("symptoms", "1", "症状"),
    none_alone("dentition", "1", "齿列"),
    none_alone("breast", "1", "乳腺"),
    none_alone("cerebrovascular", FOUND_NONE, "脑血管疾病"),
    none_alone("kidney", FOUND_NONE, "肾脏疾病"),
    none_alone("heart", FOUND_NONE, "心脏疾病"),
    none_alone("vascular", FOUND_NONE, "血管疾病"),
    none_alone("eye", FOUND_NONE, "眼部疾病"),
    required_if("symptoms_other", chosen("symptoms", "25"), "其他症状"),
    required_if("elderly_mmse", _is("elderly_cognition", "2"), "简易智力状态检查总分"),
    required_if("elderly_gds", _is("elderly_emotion", "2"), "老年人抑郁评分检查总分"),
    required_if("exercise_minutes", _is("exercise_frequency", "1", "2", "3"), "每次锻炼时间"),
    required_if("cigarettes_per_day", _is("smoking", "3"), "日吸烟量"),
    required_if("smoking_start_age", _is("smoking", "2", "3"), "开始吸烟年龄"),
    required_if("smoking_quit_age", _is("smoking", "2"), "戒烟年龄"),
    required_if("alcohol_per_day", _is("drinking", "2", "3", "4"), "日饮酒量"),
    required_if("quit_drinking", _is("drinking", "2", "3", "4"), "是否戒酒"),
    required_if("drinking_quit_age", _is("quit_drinking", "2"), "戒酒年龄"),
    required_if("job", _is("occupational_exposure", "2"), "工种"),
    required_if("ecg_abnormal", _is("ecg", "2"), "心电图异常"),
    required_if("abnormalities", _is("evaluation", "2"), "异常"),
    required_if("target_weight", chosen("risk_control", "5"), "减体重目标"),
    required_if("vaccine_advised", chosen("risk_control", "6"), "建议接种疫苗"),
    required_if("risk_other", chosen("risk_control", "7"), "危险因素控制其他"),
    required_if(
        "problems_detail",
        lambda d: d.get("nervous") == "2" or d.get("other_system") == "2",
        "疾病名称及其他",
    ),
    age_order("smoking_quit_age", "smoking_start_age", "戒烟年龄不能小于开始吸烟年龄"),
    age_order("drinking_quit_age", "drinking_start_age", "戒酒年龄不能小于开始饮酒年龄"),
    age_not_above_now("smoking_start_age", "开始吸烟年龄", "check_date"),
    age_not_above_now("smoking_quit_age", "戒烟年龄", "check_date"),
    age_not_above_now("drinking_start_age", "开始饮酒年龄", "check_date"),
    age_not_above_now("drinking_quit_age", "戒酒年龄", "check_date"),
    women_only(*_GYNAECOLOGY, title="妇科检查"),
    _elderly_items,
    _never_means_none,
    _no_abnormal_means_none,
    _stays_in_order,
    _hazards,
)

FIELD_LABELS = {f.name: f.label for f in FIELDS}

# 老年人健康管理服务规范 服务内容 3 (辅助检查): the 65+ yearly check's test panel, each part
# with the items that make it. Not required for signing (a person may refuse a test, and
# younger residents' checks do not include it); a 65+ check without a part is a
# data-quality finding (quality_rules.elderly_panel_hits) a reviewer can confirm.
ELDERLY_PANEL = (
    ("血常规", ("haemoglobin", "wbc", "platelets")),
    ("尿常规", ("urine_protein", "urine_glucose", "urine_ketone", "urine_blood")),
    ("肝功能", ("alt", "ast", "bilirubin_total")),
    ("肾功能", ("creatinine", "urea")),
    ("空腹血糖", ("fasting_glucose",)),
    ("血脂", ("cholesterol", "triglycerides", "ldl", "hdl")),
    ("心电图", ("ecg",)),
    ("腹部B超", ("ultrasound_abdomen",)),
)


def missing_elderly_panel(data: dict) -> list[tuple[str, tuple[str, ...]]]:
    """The parts of the panel with an item left blank: (part, its blank items)."""
    out = []
    for part, names in ELDERLY_PANEL:
        blank = tuple(n for n in names if data.get(n) in (None, "", []))
        if blank:
            out.append((part, blank))
    return out


HEALTH_CHECK = FormSpec(
    kind="health_check",
    title="健康体检表",
    fields=FIELDS,
    date_field="check_date",
    doctor_field="doctor",
    checks=CHECKS,
    derive=_derive,
    measures={
        "height": "height_cm",
        "weight": "weight_kg",
        "waist": "waist_cm",
        "systolic_left": "systolic",
        "diastolic_left": "diastolic",
        "fasting_glucose": "fasting_glucose",
    },
)

SPECS_HERE = (HEALTH_CHECK,)
