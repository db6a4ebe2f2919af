"""65+ elderly health management: 老年人生活自理能力评估表 and 老年人中医药健康管理服务记录表.

Both derive their results from the answers (a total and a level; constitution scores
and judgements), so the doctor types answers only and the arithmetic is never wrong.
"""

from huimin.records.forms.codes_common import chosen
from huimin.records.forms.spec import (
    CODE,
    CODES,
    DATE,
    INT,
    TEXT,
    Check,
    Context,
    Field,
    FormSpec,
    Problem,
    required_if,
)

ELDERLY_AGE = 65

# --- 老年人生活自理能力评估表 -------------------------------------------------------

SELFCARE_LEVELS = {"1": "可自理", "2": "轻度依赖", "3": "中度依赖", "4": "不能自理"}
# Each item: (field, label, scores for levels 1..4), as printed in the table.
SELFCARE_ITEMS = (
    ("meal", "进餐：使用餐具将饭菜送入口、咀嚼、吞咽等活动", (0, 0, 3, 5)),
    ("grooming", "梳洗：梳头、洗脸、刷牙、剃须洗澡等活动", (0, 1, 3, 7)),
    ("dressing", "穿衣：穿衣裤、袜子、鞋子等活动", (0, 0, 3, 5)),
    ("toileting", "如厕：小便、大便等活动及自控", (0, 1, 5, 10)),
    ("activity", "活动：站立、室内行走、上下楼梯、户外活动", (0, 1, 5, 10)),
)


def selfcare_level(total: int) -> str:
    """0–3 可自理, 4–8 轻度依赖, 9–18 中度依赖, ≥19 不能自理."""
    if total <= 3:
        return "1"
    if total <= 8:
        return "2"
    if total <= 18:
        return "3"
    return "4"


def _selfcare_derive(data: dict) -> dict:
    out: dict = {}
    for name, _, scores in SELFCARE_ITEMS:
        if name in data:
            out[f"{name}_score"] = scores[int(data[name]) - 1]
    # A total of some items would understate dependence: only a complete form is scored.
    if len(out) == len(SELFCARE_ITEMS):
        total = sum(out.values())
        out["total_score"] = total
        out["level"] = selfcare_level(total)
    return out


_SC = "评估"
ELDERLY_SELFCARE = FormSpec(
    kind="elderly_selfcare",
    title="老年人生活自理能力评估表",
    fields=(
        Field("assessed_date", "评估日期", DATE, required=True, section=_SC),
        *(
            f
            for name, label, _ in SELFCARE_ITEMS
            for f in (
                Field(name, label, CODE, required=True, codes=SELFCARE_LEVELS, section=_SC),
                Field(
                    f"{name}_score", f"{label.split('：')[0]}评分", INT, derived=True, section=_SC
                ),
            )
        ),
        Field("total_score", "总评分", INT, derived=True, section="结果"),
        Field("level", "自理能力", CODE, codes=SELFCARE_LEVELS, derived=True, section="结果"),
        Field("doctor", "评估医生", TEXT, required=True, max_length=50, section="结果"),
    ),
    date_field="assessed_date",
    doctor_field="doctor",
    derive=_selfcare_derive,
    min_age=ELDERLY_AGE,
)

# --- 老年人中医药健康管理服务记录表 -------------------------------------------------

ANSWERS = {
    "1": "没有（根本不/从来没有）",
    "2": "很少（有一点/偶尔）",
    "3": "有时（有些/少数时间）",
    "4": "经常（相当/多数时间）",
    "5": "总是（非常/每天）",
}
QUESTIONS = (
    "您精力充沛吗？（指精神头足，乐于做事）",
    "您容易疲乏吗？（指体力如何，是否稍微活动一下或做一点家务劳动就感到累）",
    "您容易气短，呼吸短促，接不上气吗？",
    "您说话声音低弱无力吗？（指说话没有力气）",
    "您感到闷闷不乐、情绪低沉吗？（指心情不愉快，情绪低落）",
    "您容易精神紧张、焦虑不安吗？（指遇事是否心情紧张）",
    "您因为生活状态改变而感到孤独、失落吗？",
    "您容易感到害怕或受到惊吓吗？",
    "您感到身体超重不轻松吗？（感觉身体沉重）[BMI<24:1，24～<25:2，25～<26:3，26～<28:4，≥28:5]",
    "您眼睛干涩吗？",
    "您手脚发凉吗？（不包含因周围温度低或穿得少导致的手脚发冷）",
    "您胃脘部、背部或腰膝部怕冷吗？（指上腹部、背部、腰部或膝关节等，有一处或多处怕冷）",
    "您比一般人耐受不了寒冷吗？（指比别人容易害怕冬天或是夏天的冷空调、电扇等）",
    "您容易患感冒吗？（指每年感冒的次数）",
    "您没有感冒时也会鼻塞、流鼻涕吗？",
    "您有口黏口腻，或睡眠打鼾吗？",
    "您容易过敏（对药物、食物、气味、花粉或在季节交替、气候变化时）吗？",
    "您的皮肤容易起荨麻疹吗？（包括风团、风疹块、风疙瘩）",
    "您的皮肤在不知不觉中会出现青紫瘀斑、皮下出血吗？",
    "您的皮肤一抓就红，并出现抓痕吗？",
    "您皮肤或口唇干吗？",
    "您有肢体麻木或固定部位疼痛的感觉吗？",
    "您面部或鼻部有油腻感或者油亮发光吗？",
    "您面色或目眶晦黯，或出现褐色斑块/斑点吗？",
    "您有皮肤湿疹、疮疖吗？",
    "您感到口干咽燥、总想喝水吗？",
    "您感到口苦或嘴里有异味吗？（指口苦或口臭）",
    "您腹部肥大吗？（指腹部脂肪肥厚）[腹围<80cm:1，80～85:2，86～90:3，91～105:4，>105:5]",
    "您吃（喝）凉的东西会感到不舒服或者怕吃（喝）凉的东西吗？",
    "您有大便黏滞不爽、解不尽的感觉吗？（大便容易粘在马桶上）",
    "您容易大便干燥吗？",
    "您舌苔厚腻或有舌苔厚厚的感觉吗？（如果自我感觉不清楚可由调查员观察后填写）",
    "您舌下静脉瘀紫或增粗吗？（可由调查员辅助观察后填写）",
)
# Constitution → its questions (体质判定标准表). 平和质 scores 2, 4, 5, 13 reversed.
CONSTITUTIONS = (
    ("qixu", "气虚质", (2, 3, 4, 14)),
    ("yangxu", "阳虚质", (11, 12, 13, 29)),
    ("yinxu", "阴虚质", (10, 21, 26, 31)),
    ("tanshi", "痰湿质", (9, 16, 28, 32)),
    ("shire", "湿热质", (23, 25, 27, 30)),
    ("xueyu", "血瘀质", (19, 22, 24, 33)),
    ("qiyu", "气郁质", (5, 6, 7, 8)),
    ("tebing", "特禀质", (15, 17, 18, 20)),
)
PINGHE = ("pinghe", "平和质", (1, 2, 4, 5, 13))
PINGHE_REVERSED = frozenset({2, 4, 5, 13})
BIASED_RESULT = {"1": "是", "2": "倾向是", "3": "否"}
PINGHE_RESULT = {"1": "是", "2": "基本是", "3": "否"}
TCM_GUIDANCE = {
    "1": "情志调摄",
    "2": "饮食调养",
    "3": "起居调摄",
    "4": "运动保健",
    "5": "穴位保健",
    "6": "其他",
}


def biased_result(score: int) -> str:
    """偏颇体质: ≥11 是, 9–10 倾向是, ≤8 否."""
    if score >= 11:
        return "1"
    if score >= 9:
        return "2"
    return "3"


def pinghe_result(score: int, others: list[int]) -> str:
    """平和质: ≥17 and every other type ≤8 (all 否) 是; ≥17 and every other ≤10 基本是."""
    if score >= 17 and all(s <= 8 for s in others):
        return "1"
    if score >= 17 and all(s <= 10 for s in others):
        return "2"
    return "3"


def _q(n: int) -> str:
    return f"q{n}"


def _tcm_derive(data: dict) -> dict:
    out: dict = {}
    scores: dict[str, int] = {}
    for key, _, items in CONSTITUTIONS:
        if all(_q(n) in data for n in items):
            scores[key] = sum(int(data[_q(n)]) for n in items)
            out[f"{key}_score"] = scores[key]
            out[f"{key}_result"] = biased_result(scores[key])
    key, _, items = PINGHE
    if all(_q(n) in data for n in items):
        score = sum(
            6 - int(data[_q(n)]) if n in PINGHE_REVERSED else int(data[_q(n)]) for n in items
        )
        out["pinghe_score"] = score
        # Judging 平和质 needs every other type's score.
        if len(scores) == len(CONSTITUTIONS):
            out["pinghe_result"] = pinghe_result(score, list(scores.values()))
    return out


def _guidance_for_found_types(data: dict, ctx: Context) -> list[Problem]:
    """The specification asks for guidance for every type judged 是 / 倾向是 (基本是)."""
    out = []
    for key, label, _ in (*CONSTITUTIONS, PINGHE):
        if data.get(f"{key}_result") in ("1", "2") and not data.get(f"{key}_guidance"):
            out.append(Problem(f"{key}_guidance", "required", f"请为{label}选择中医药保健指导"))
    return out


def _guidance_other(key: str, label: str) -> Check:
    return required_if(f"{key}_guidance_other", chosen(f"{key}_guidance", "6"), f"{label}其他指导")


_Q = "体质辨识问卷"
_R = "体质辨识及保健指导"
TCM_ELDERLY = FormSpec(
    kind="tcm_elderly",
    title="老年人中医药健康管理服务记录表",
    fields=(
        Field("assessed_date", "填表日期", DATE, required=True, section=_Q),
        *(
            Field(_q(n), f"（{n}）{text}", CODE, required=True, codes=ANSWERS, section=_Q)
            for n, text in enumerate(QUESTIONS, start=1)
        ),
        *(
            f
            for key, label, _ in (*CONSTITUTIONS, PINGHE)
            for f in (
                Field(f"{key}_score", f"{label}得分", INT, derived=True, section=_R),
                Field(
                    f"{key}_result",
                    f"{label}辨识",
                    CODE,
                    codes=PINGHE_RESULT if key == "pinghe" else BIASED_RESULT,
                    derived=True,
                    section=_R,
                ),
                Field(
                    f"{key}_guidance",
                    f"{label}中医药保健指导",
                    CODES,
                    codes=TCM_GUIDANCE,
                    section=_R,
                ),
                Field(f"{key}_guidance_other", f"{label}其他指导", max_length=100, section=_R),
            )
        ),
        Field("doctor", "医生签名", TEXT, required=True, max_length=50, section=_R),
    ),
    date_field="assessed_date",
    doctor_field="doctor",
    derive=_tcm_derive,
    checks=(
        _guidance_for_found_types,
        *(_guidance_other(key, label) for key, label, _ in (*CONSTITUTIONS, PINGHE)),
    ),
    min_age=ELDERLY_AGE,
)

SPECS_HERE = (ELDERLY_SELFCARE, TCM_ELDERLY)
