"""Catalog rules as pure functions: code shapes, restrictions, and reading one sheet row.

No database, no clock: services supply today's date and what is already stored.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from huimin.core.names import text_initials
from huimin.core.text import ascii_digits
from huimin.insurance.plan import LEVEL_NAMES, LEVELS  # the plan's, in storage order
from huimin.registry.qualifications import QUALIFICATIONS, qualification_code

KINDS = {"drug": "药品", "service": "医疗服务项目", "consumable": "医用耗材"}
CLASSES = {"A": "甲类", "B": "乙类", "C": "丙类"}
SEXES = {"1": "男", "2": "女"}
# 收费类别 (models.FeeCategory): what review's rules group lines by.
FEE_CATEGORIES = {
    "bed": "床位费",
    "nursing": "护理费",
    "consultation": "诊查费",
    "exam": "检查费",
    "lab": "化验费",
    "treatment": "治疗费",
    "surgery": "手术费",
    "drug": "药品费",
    "material": "卫生材料费",
    "other": "其他费",
}
# The category an item's kind implies when a sheet leaves it empty, and the only one a
# drug or a consumable may have.
KIND_CATEGORY = {"drug": "drug", "consumable": "material", "service": "other"}

PRICE_MAX = Decimal("99999999.9999")  # DecimalField(12, 4)
QUANTITY_MAX = Decimal("99999999.9999")
SUPPLY_MAX = Decimal("365")  # days one unit of a drug lasts, at most
CODES_MAX = 50  # codes in one cell of components or exclusive items
AGE_MAX = 150
NAME_MAX, UNIT_MAX, RESTRICTED_USE_MAX = 200, 20, 500

# National code shapes (医保药品分类与代码, 医疗服务项目, 医用耗材分类与代码).
_SHAPES = {
    "drug": re.compile(r"[XZ][A-Z0-9]{22}"),
    "service": re.compile(r"\d{15}"),
    "consumable": re.compile(r"C[A-Z0-9]{26}"),
}
_SHAPE_TEXT = {
    "drug": "药品编码应为X或Z开头的23位字母数字",
    "service": "医疗服务项目编码应为15位数字",
    "consumable": "医用耗材编码应为C开头的27位字母数字",
}
# The county's own supplementary codes (地方补充目录, 目录外项目) for items with no national
# code yet, of any kind: "ZZ" and 16 digits, as in the worked claim example.
LOCAL_CODE = re.compile(r"ZZ\d{16}")


def normalise_code(raw) -> str:
    return str(raw or "").strip().upper()


def code_problem(code: str, kind: str) -> str | None:
    """Why `code` cannot be a catalog code of `kind`, or None."""
    if LOCAL_CODE.fullmatch(code):
        return None
    shape = _SHAPES.get(kind)
    if shape is None:
        return "项目类型应为药品、医疗服务项目或医用耗材"
    if shape.fullmatch(code):
        return None
    hint = ""
    if kind == "service" and code.isdigit() and len(code) < 15:
        hint = "（编码前导0可能被表格软件去掉，请将编码列设为文本格式）"
    return _SHAPE_TEXT[kind] + hint


def kind_of_code(code: str) -> str | None:
    """The kind a code's shape implies, if exactly one."""
    found = [k for k, shape in _SHAPES.items() if shape.fullmatch(code)]
    return found[0] if len(found) == 1 else None


# ---------------------------------------------------------------- restrictions


@dataclass(frozen=True)
class Violation:
    code: str
    message: str


# What each restriction is called on reviewers' pages.
RESTRICTION_NAMES = {
    "restriction_sex": "限性别",
    "restriction_age": "限年龄",
    "restriction_level": "限机构等级",
    "restriction_quantity": "超每日最大数量",
}


def restriction_names(codes: str) -> str:
    """'restriction_level,restriction_quantity' → '限机构等级、超每日最大数量'."""
    return "、".join(RESTRICTION_NAMES.get(c, c) for c in codes.split(",") if c)


def check_line(
    version, *, sex: str, age: int, institution_level: str, quantity: Decimal, days: int
) -> list[Violation]:
    """The restrictions of a catalog version that one fee line breaks.

    `version` is anything with the attributes sex, age_min, age_max, allowed_levels and
    max_quantity_per_day (a CatalogVersion or a Terms). `quantity` is the visit's total
    of the item, this line included, and `days` the days of the visit it may spread over.
    """
    found = []
    if version.sex and sex != version.sex:
        found.append(
            Violation("restriction_sex", f"该项目限{SEXES.get(version.sex, version.sex)}性使用")
        )
    low, high = version.age_min, version.age_max
    if (low is not None and age < low) or (high is not None and age > high):
        found.append(Violation("restriction_age", f"该项目限{age_range_text(low, high)}使用"))
    levels = tuple(version.allowed_levels)
    if levels and institution_level not in levels:
        allowed = "、".join(LEVEL_NAMES.get(v, v) for v in levels)
        found.append(Violation("restriction_level", f"该项目限{allowed}医疗机构使用"))
    per_day = version.max_quantity_per_day
    if per_day is not None:
        days = max(1, int(days))
        if quantity > per_day * days:
            found.append(
                Violation(
                    "restriction_quantity",
                    f"本次就诊累计数量{plain(quantity)}超过每日最大数量{plain(per_day)}×{days}天",
                )
            )
    return found


def age_range_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low}至{high}岁"
    if low is not None:
        return f"{low}岁及以上"
    if high is not None:
        return f"{high}岁及以下"
    return "不限年龄"


def plain(value: Decimal | None) -> str:
    """A decimal without trailing zeros: 2.5000 → 2.5, 3.0000 → 3."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def price_text(value: Decimal | None) -> str | None:
    """A price for display and JSON: at least two decimals, at most four (36.4 → 36.40)."""
    if value is None:
        return None
    q = value.quantize(Decimal("0.0001"))
    text = format(q, "f").rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def levels_text(levels) -> str:
    return ",".join(v for v in LEVELS if v in set(levels))


def parse_levels_text(text: str) -> tuple[str, ...]:
    return tuple(v for v in text.split(",") if v)


def parse_codes_text(text: str) -> tuple[str, ...]:
    """Stored comma-separated catalog codes (components, exclusive items)."""
    return tuple(c for c in (text or "").split(",") if c)


def codes_text(codes) -> str:
    return ",".join(sorted(set(codes)))


# ---------------------------------------------------------------- terms of a version


@dataclass(frozen=True)
class Terms:
    """What a catalog version says about an item, apart from its dates."""

    name: str
    item_class: str
    unit: str = ""
    ceiling: Decimal | None = None
    b_self_ratio: Decimal | None = None
    sex: str = ""
    age_min: int | None = None
    age_max: int | None = None
    allowed_levels: tuple[str, ...] = ()
    max_quantity_per_day: Decimal | None = None
    restricted_use: str = ""
    effective_to: datetime.date | None = None
    # What claim review reads: fee category, charged per day, medically unlikely units
    # per day, a drug's days per unit, the institution qualification needed, a bundled
    # service's components and the items exclusive with this one on one day.
    fee_category: str = "other"
    day_based: bool = False
    mue: Decimal | None = None
    days_supply_per_unit: Decimal | None = None
    qualification: str = ""
    components: tuple[str, ...] = ()
    exclusive_with: tuple[str, ...] = ()

    @property
    def pinyin(self) -> str:
        return text_initials(self.name)[:100]  # a drug's name: no surname reading


TERM_FIELDS = (
    "name",
    "item_class",
    "unit",
    "ceiling",
    "b_self_ratio",
    "sex",
    "age_min",
    "age_max",
    "allowed_levels",
    "max_quantity_per_day",
    "restricted_use",
    "effective_to",
    "fee_category",
    "day_based",
    "mue",
    "days_supply_per_unit",
    "qualification",
    "components",
    "exclusive_with",
)
# Terms fields stored under another name (as text) on CatalogVersion.
STORED_AS = {
    "allowed_levels": "institution_levels",
    "components": "component_codes",
    "exclusive_with": "exclusive_codes",
}


def terms_of(version) -> Terms:
    return Terms(**{f: getattr(version, f) for f in TERM_FIELDS})


def changed_fields(old, new: Terms) -> list[str]:
    """The fields in which `new` differs from the version `old` (Decimals by value)."""
    return [f for f in TERM_FIELDS if _norm(getattr(old, f)) != _norm(getattr(new, f))]


def _norm(value):
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


# ---------------------------------------------------------------- reading sheet rows

# Column header → key. The first name of each is the documented one (docs in
# huimin/insurance/catalog/sheet.py); the others are accepted spellings.
COLUMNS = {
    "code": ("编码", "医保编码", "国家编码", "项目编码"),
    "name": ("名称", "项目名称", "通用名"),
    "item_class": ("类别", "甲乙类", "目录类别"),
    "kind": ("类型", "项目类型"),
    "unit": ("单位", "计价单位"),
    "ceiling": ("最高支付标准", "限价", "支付标准"),
    "b_self_ratio": ("乙类自付比例", "先行自付比例", "自付比例"),
    "sex": ("限性别",),
    "age_min": ("最小年龄", "限最小年龄"),
    "age_max": ("最大年龄", "限最大年龄"),
    "levels": ("限医院等级", "限医疗机构等级"),
    "max_quantity_per_day": ("每日最大数量", "日最大数量"),
    "restricted_use": ("限制使用说明", "限制使用范围", "备注"),
    "effective_from": ("生效日期", "开始日期"),
    "effective_to": ("失效日期", "终止日期", "结束日期"),
    "fee_category": ("收费类别", "费用类别"),
    "day_based": ("按日计费", "按日收费"),
    "mue": ("单日医学合理上限", "单日合理上限", "MUE"),
    "days_supply_per_unit": ("每单位用药天数", "单位用药天数"),
    "qualification": ("所需资质", "资质要求"),
    "components": ("组套组成项目", "组成项目"),
    "exclusive_with": ("互斥项目", "互斥编码"),
}
REQUIRED_COLUMNS = ("code", "name", "item_class")
_HEADER_KEYS = {name: key for key, names in COLUMNS.items() for name in names}

_CLASS_WORDS = {"A": "A", "B": "B", "C": "C", "甲": "A", "乙": "B", "丙": "C"}
_KIND_WORDS = {
    "drug": "drug",
    "药品": "drug",
    "西药": "drug",
    "中成药": "drug",
    "service": "service",
    "医疗服务项目": "service",
    "医疗服务": "service",
    "诊疗项目": "service",
    "服务项目": "service",
    "consumable": "consumable",
    "医用耗材": "consumable",
    "耗材": "consumable",
}
_SEX_WORDS = {"": "", "不限": "", "1": "1", "男": "1", "2": "2", "女": "2"}
_LEVEL_WORDS = {
    "1": "1",
    "一级": "1",
    "2": "2",
    "二级": "2",
    "3": "3",
    "三级": "3",
    "out_of_area": "out_of_area",
    "异地": "out_of_area",
    "异地就医": "out_of_area",
}
_LEVEL_SPLIT = re.compile(r"[,，、;；/\s]+")
_CATEGORY_WORDS = {
    **{k: k for k in FEE_CATEGORIES},
    **{v: k for k, v in FEE_CATEGORIES.items()},
    **{v.removesuffix("费"): k for k, v in FEE_CATEGORIES.items()},
    "材料费": "material",
    "西药费": "drug",
    "中成药费": "drug",
    "中药饮片费": "drug",
}
_YES_NO = {"": False, "是": True, "否": False, "Y": True, "N": False, "1": True, "0": False}


def read_header(cells: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column positions by key, and the problems with the header (line 1)."""
    positions: dict[int, str] = {}
    problems = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(cells):
        name = str(raw or "").strip()
        if not name:
            continue
        key = _HEADER_KEYS.get(name)
        if key is None:
            problems.append(f"不认识的列“{name}”")
            continue
        if key in seen:
            problems.append(f"列“{name}”与“{seen[key]}”重复")
            continue
        seen[key] = name
        positions[i] = key
    for key in REQUIRED_COLUMNS:
        if key not in seen:
            problems.append(f"缺少“{COLUMNS[key][0]}”列")
    return positions, problems


@dataclass(frozen=True)
class Row:
    """One good sheet row."""

    line: int
    code: str
    kind: str
    terms: Terms
    effective_from: datetime.date | None


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def _decimal(raw, label: str, problems: list, *, maximum: Decimal, places: int = 4):
    text = _text(raw)
    if not text:
        return None
    percent = text.endswith("%")
    try:
        value = Decimal(text.rstrip("%").strip().replace(",", ""))
    except InvalidOperation:
        problems.append(f"{label}“{text}”不是数值")
        return None
    if not value.is_finite():
        problems.append(f"{label}“{text}”不是数值")
        return None
    if percent:
        value = value / 100
    if value < 0:
        problems.append(f"{label}不能为负数")
        return None
    if value > maximum:
        problems.append(f"{label}不能超过{plain(maximum)}")
        return None
    if value != value.quantize(Decimal(1).scaleb(-places)):
        problems.append(f"{label}最多{places}位小数")
        return None
    return value


def _age(raw, label: str, problems: list) -> int | None:
    text = _text(raw)
    if not text:
        return None
    if not ascii_digits(text) or int(text) > AGE_MAX:
        problems.append(f"{label}应为0到{AGE_MAX}的整数")
        return None
    return int(text)


def parse_date(raw) -> datetime.date | None:
    """A date cell: a date, or text as 2026-01-01, 2026/1/1 or 20260101. Raises ValueError."""
    if raw is None:
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = _text(raw)
    if not text:
        return None
    if re.fullmatch(r"\d{8}", text):
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        raise ValueError(text)
    return datetime.date(int(m[1]), int(m[2]), int(m[3]))


def _date(raw, label: str, problems: list) -> datetime.date | None:
    try:
        return parse_date(raw)
    except ValueError:
        problems.append(f"{label}“{_text(raw)}”不是有效日期（应为YYYY-MM-DD）")
        return None


def parse_row(line: int, values: dict[str, object]) -> tuple[Row | None, list[str]]:
    """One sheet row (values by column key) → a Row, or the problems with it."""
    problems: list[str] = []
    code = normalise_code(values.get("code"))
    name = _text(values.get("name"))
    if not code:
        problems.append("编码不能为空")
    if not name:
        problems.append("名称不能为空")
    elif len(name) > NAME_MAX:
        problems.append(f"名称不能超过{NAME_MAX}个字")

    cls_text = _text(values.get("item_class")).upper().removesuffix("类")
    item_class = _CLASS_WORDS.get(cls_text)
    if item_class is None:
        problems.append(f"类别“{cls_text}”应为甲、乙、丙或A、B、C")

    kind_text = _text(values.get("kind")).lower()
    kind = _KIND_WORDS.get(kind_text) if kind_text else kind_of_code(code)
    if kind is None:
        if kind_text:
            problems.append(f"类型“{kind_text}”应为药品、医疗服务项目或医用耗材")
        elif code:
            problems.append("无法从编码判断项目类型，请填写类型列")
    elif code:
        problem = code_problem(code, kind)
        if problem:
            problems.append(f"编码“{code}”：{problem}")

    unit = _text(values.get("unit"))
    if len(unit) > UNIT_MAX:
        problems.append(f"单位不能超过{UNIT_MAX}个字")
    ceiling = _decimal(values.get("ceiling"), "最高支付标准", problems, maximum=PRICE_MAX)
    ratio = _decimal(values.get("b_self_ratio"), "乙类自付比例", problems, maximum=Decimal(1))
    if ratio is not None and item_class and item_class != "B":
        problems.append("只有乙类项目可以填写乙类自付比例")

    sex_text = _text(values.get("sex"))
    sex = _SEX_WORDS.get(sex_text)
    if sex is None:
        problems.append(f"限性别“{sex_text}”应为男、女或留空")
        sex = ""
    age_min = _age(values.get("age_min"), "最小年龄", problems)
    age_max = _age(values.get("age_max"), "最大年龄", problems)
    if age_min is not None and age_max is not None and age_min > age_max:
        problems.append(f"最小年龄{age_min}大于最大年龄{age_max}")

    levels = []
    for word in _LEVEL_SPLIT.split(_text(values.get("levels"))):
        if not word:
            continue
        level = _LEVEL_WORDS.get(word.lower())
        if level is None:
            problems.append(f"限医院等级“{word}”应为一级、二级、三级或异地")
        elif level not in levels:
            levels.append(level)
    per_day = _decimal(
        values.get("max_quantity_per_day"), "每日最大数量", problems, maximum=QUANTITY_MAX
    )
    if per_day is not None and per_day == 0:
        problems.append("每日最大数量应大于0")
    restricted_use = _text(values.get("restricted_use"))
    if len(restricted_use) > RESTRICTED_USE_MAX:
        problems.append(f"限制使用说明不能超过{RESTRICTED_USE_MAX}个字")

    effective_from = _date(values.get("effective_from"), "生效日期", problems)
    effective_to = _date(values.get("effective_to"), "失效日期", problems)
    if effective_from and effective_to and effective_to < effective_from:
        problems.append("失效日期早于生效日期")
    review = _review_terms(values, code, kind, problems)

    if problems:
        return None, problems
    terms = Terms(
        name=name,
        item_class=item_class,
        unit=unit,
        ceiling=ceiling,
        b_self_ratio=ratio,
        sex=sex,
        age_min=age_min,
        age_max=age_max,
        allowed_levels=tuple(v for v in LEVELS if v in levels),
        max_quantity_per_day=per_day,
        restricted_use=restricted_use,
        effective_to=effective_to,
        **review,
    )
    return Row(line, code, kind, terms, effective_from), []


def _review_terms(values: dict, code: str, kind: str | None, problems: list) -> dict:
    """The columns claim review reads, checked against the item's kind."""
    text = _text(values.get("fee_category"))
    category = _CATEGORY_WORDS.get(text) if text else KIND_CATEGORY.get(kind or "", "other")
    if category is None:
        problems.append(f"收费类别“{text}”应为{'、'.join(FEE_CATEGORIES.values())}之一")
    elif kind in ("drug", "consumable") and category != KIND_CATEGORY[kind]:
        problems.append(
            f"收费类别：{KINDS[kind]}的收费类别应为{FEE_CATEGORIES[KIND_CATEGORY[kind]]}"
        )
    elif kind == "service" and category in ("drug", "material"):
        problems.append(f"收费类别：医疗服务项目不能是{FEE_CATEGORIES[category]}")
    text = _text(values.get("day_based")).upper()
    day_based = _YES_NO.get(text)
    if day_based is None:
        problems.append(f"按日计费“{text}”应为是、否或留空")
    elif day_based and kind and kind != "service":
        problems.append("按日计费：只有医疗服务项目（床位、护理等）按日计费")
    mue = _decimal(values.get("mue"), "单日医学合理上限", problems, maximum=QUANTITY_MAX)
    if mue is not None and mue == 0:
        problems.append("单日医学合理上限应大于0")
    supply = _decimal(
        values.get("days_supply_per_unit"), "每单位用药天数", problems, maximum=SUPPLY_MAX
    )
    if supply is not None and supply == 0:
        problems.append("每单位用药天数应大于0")
    elif supply is not None and kind and kind != "drug":
        problems.append("每单位用药天数：只有药品可以填写")
    text = _text(values.get("qualification"))
    qualification = qualification_code(text) if text else ""
    if qualification is None:
        problems.append(
            f"所需资质“{text}”不在资质代码表中（可用：{'、'.join(QUALIFICATIONS.values())}）"
        )
    return {
        "fee_category": category or "other",
        "day_based": bool(day_based),
        "mue": mue,
        "days_supply_per_unit": supply,
        "qualification": qualification or "",
        "components": _codes(values.get("components"), "组套组成项目", code, problems),
        "exclusive_with": _codes(values.get("exclusive_with"), "互斥项目", code, problems),
    }


def _codes(raw, label: str, own: str, problems: list) -> tuple[str, ...]:
    """A cell of catalog codes; each must look like a catalog code and not be the item's
    own. Whether they are in the catalog is checked against it on import."""
    found = []
    for word in _LEVEL_SPLIT.split(_text(raw)):
        code = normalise_code(word)
        if not code:
            continue
        if not (kind_of_code(code) or LOCAL_CODE.fullmatch(code)):
            problems.append(f"{label}“{word}”不是有效的目录编码")
        elif code == own:
            problems.append(f"{label}不能包含项目自身的编码{code}")
        elif code not in found:
            found.append(code)
    if len(found) > CODES_MAX:
        problems.append(f"{label}最多{CODES_MAX}个编码")
    return tuple(sorted(found))


def unknown_references(rows: list[Row], known: set[str]) -> list[tuple[int, str]]:
    """(line, reason) for each component or exclusive code that is neither in the stored
    catalog (`known`) nor a code of the same sheet."""
    known = known | {r.code for r in rows}
    problems = []
    for row in rows:
        for label, codes in (
            ("组套组成项目", row.terms.components),
            ("互斥项目", row.terms.exclusive_with),
        ):
            missing = [c for c in codes if c not in known]
            if missing:
                problems.append((row.line, f"{label}“{'、'.join(missing)}”不在医保目录中"))
    return problems


@dataclass
class SheetCheck:
    rows: list[Row]
    problems: list[tuple[int, str]]  # (line, reason), line 1 is the header


def check_sheet(header: list, body: list[tuple[int, list]]) -> SheetCheck:
    """Every row of a sheet checked on its own and against the others (duplicate codes).

    `body` is (line number, cells) for each non-blank row below the header.
    """
    positions, header_problems = read_header(header)
    problems = [(1, p) for p in header_problems]
    if header_problems:
        return SheetCheck([], problems)
    if not body:
        return SheetCheck([], [(1, "表格中没有数据行")])
    rows: list[Row] = []
    first_line: dict[str, int] = {}
    for line, cells in body:
        values = {key: cells[i] if i < len(cells) else None for i, key in positions.items()}
        row, row_problems = parse_row(line, values)
        code = normalise_code(values.get("code"))
        if code and code in first_line:
            row_problems = [*row_problems, f"编码{code}与第{first_line[code]}行重复"]
            row = None
        elif code:
            first_line[code] = line
        problems += [(line, p) for p in row_problems]
        if row is not None:
            rows.append(row)
    return SheetCheck(rows, problems)


def version_start_problem(
    latest_from: datetime.date | None, effective_from: datetime.date
) -> str | None:
    """A new version must start after the item's latest version started (no overlaps)."""
    if latest_from is not None and effective_from <= latest_from:
        return (
            f"生效日期{effective_from:%Y-%m-%d}须晚于该项目现行版本的生效日期{latest_from:%Y-%m-%d}"
        )
    return None
