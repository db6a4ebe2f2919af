"""The benefit plan (DESIGN.md §5): parse and validate the YAML document an office edits.

Pure: a plan is read from a dict into frozen dataclasses; every problem is collected
and reported at once, each naming the path of the field (e.g. `basic.visit_types.
inpatient.ratio.2`) and the reason in Chinese.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import yaml

from huimin.core.money import parse_amount, parse_decimal

LEVELS = ("1", "2", "3", "out_of_area")
LEVEL_NAMES = {"1": "一级", "2": "二级", "3": "三级", "out_of_area": "异地就医"}
# The names of the visit types every plan has (insurance.models.VisitType's labels), for
# plans that give none; a plan's own `name` wins.
STANDARD_VISIT_TYPE_NAMES = {
    "inpatient": "住院",
    "outpatient_general": "普通门诊",
    "outpatient_chronic": "两病门诊",
}
ONE = Decimal("1")


class PlanError(ValueError):
    """All the problems with a plan, as {path: reason}."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("；".join(f"{k}: {v}" for k, v in problems.items()))


@dataclass(frozen=True)
class VisitType:
    code: str
    deductible_per: str  # "admission" | "year"
    deductible: dict[str, Decimal]
    ratio: dict[str, Decimal]
    annual_limit: Decimal | None
    # ICD-10 code prefixes a visit of this type must be diagnosed under (empty: any).
    diagnoses: tuple[str, ...] = ()
    # The Chinese name people read (住院); empty: the standard name, else the code.
    name: str = ""


def visit_type_name(vt: "VisitType") -> str:
    """What a person reads for a visit type: its name, or at worst its code."""
    return vt.name or vt.code


@dataclass(frozen=True)
class Group:
    deductible_factor: Decimal = ONE
    ratio_bonus: Decimal = Decimal("0")


@dataclass(frozen=True)
class Segment:
    upto: Decimal | None
    ratio: Decimal


@dataclass(frozen=True)
class CIGroup:
    deductible: Decimal | None
    ratio_bonus: Decimal
    cap: Decimal | None
    cap_set: bool  # a group that names `cap` (even null) replaces the plan's cap


@dataclass(frozen=True)
class CriticalIllness:
    visit_types: frozenset[str]
    deductible: Decimal
    segments: tuple[Segment, ...]
    cap: Decimal | None
    groups: dict[str, CIGroup]


@dataclass(frozen=True)
class Assistance:
    ratio: Decimal
    annual_cap: Decimal | None


@dataclass(frozen=True)
class Contribution:
    individual: Decimal
    subsidy: Decimal
    individual_paid_by_assistance: dict[str, Decimal]


@dataclass(frozen=True)
class Plan:
    name: str
    region: str
    year: int
    b_self_ratio: Decimal
    annual_cap: Decimal
    visit_types: dict[str, VisitType]
    groups: dict[str, Group]
    critical_illness: CriticalIllness | None
    assistance: dict[str, Assistance]
    contribution: Contribution | None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


def _yaml_number(value):
    # YAML reads an unquoted 0.85 as a float; its shortest repr is what the office typed.
    return repr(value) if isinstance(value, float) else value


# The keys each part of a plan may have. An office uploading a plan is held to them
# (strict): a misspelt `anual_limit` or `assistence` would otherwise drop a limit or a
# whole tier without a word. `huimin settle` reads leniently, as DESIGN.md §5 has it.
TOP_KEYS = frozenset(
    {"plan", "region", "year", "currency", "notes", "contribution", "catalog", "groups"}
    | {"basic", "critical_illness", "assistance"}
)
KEYS = {
    "catalog": frozenset({"b_self_ratio"}),
    "group": frozenset({"deductible_factor", "ratio_bonus"}),
    "basic": frozenset({"annual_cap", "visit_types"}),
    "visit_type": frozenset(
        {"name", "deductible_per", "deductible", "ratio", "annual_limit", "diagnoses"}
    ),
    "critical_illness": frozenset({"visit_types", "deductible", "segments", "cap", "groups"}),
    "segment": frozenset({"upto", "ratio"}),
    "ci_group": frozenset({"deductible", "ratio_bonus", "cap"}),
    "assistance": frozenset({"ratio", "annual_cap"}),
    "contribution": frozenset({"individual", "subsidy", "individual_paid_by_assistance"}),
}


class _Reader:
    """Collects problems instead of stopping at the first."""

    def __init__(self, strict: bool = False, categories: frozenset[str] | None = None):
        self.problems: dict[str, str] = {}
        self.strict = strict
        self.categories = categories

    def known(self, data: dict, path: str, allowed: frozenset[str]) -> None:
        if not self.strict:
            return
        for key in data:
            if str(key) not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"无法识别的项（拼写错误？可用：{'、'.join(sorted(allowed))}）")

    def category(self, code, path: str) -> None:
        if self.strict and self.categories is not None and str(code) not in self.categories:
            self.fail(path, f"未知的人员类别（可用：{'、'.join(sorted(self.categories))}）")

    def fail(self, path: str, reason: str):
        self.problems.setdefault(path, reason)

    def mapping(self, data, path: str, required: bool = True) -> dict:
        if data is None:
            if required:
                self.fail(path, "缺少此项")
            return {}
        if not isinstance(data, dict):
            self.fail(path, "应为映射（键: 值）")
            return {}
        return data

    def amount(self, data: dict, key: str, path: str, *, required=True, nullable=False):
        if key not in data or (data[key] is None and not nullable):
            if required:
                self.fail(f"{path}.{key}" if path else key, "缺少此项")
            return None
        if data[key] is None:
            return None
        try:
            return parse_amount(_yaml_number(data[key]), f"{path}.{key}")
        except ValueError:
            self.fail(f"{path}.{key}", "应为非负金额（最多两位小数）")
            return None

    def ratio(self, data: dict, key: str, path: str, *, required=True, default=None):
        if key not in data:
            if required:
                self.fail(f"{path}.{key}", "缺少此项")
            return default
        try:
            value = parse_decimal(_yaml_number(data[key]), f"{path}.{key}", allow_negative=True)
        except ValueError:
            self.fail(f"{path}.{key}", "应为0到1之间的比例")
            return default
        if not (0 <= value <= 1):
            self.fail(f"{path}.{key}", "比例须在0到1之间")
            return default
        return value


def parse_plan(doc, *, strict: bool = False, categories: frozenset[str] | None = None) -> Plan:
    """The plan in `doc`. Strict: also refuse keys the format does not have and, given
    `categories`, special-group codes that are not among them."""
    r = _Reader(strict, categories)
    doc = r.mapping(doc, "plan")
    r.known(doc, "", TOP_KEYS)
    name = str(doc.get("plan", "")).strip()
    if not name:
        r.fail("plan", "缺少方案名称")
    region = str(doc.get("region", "")).strip()
    if not (region.isdigit() and len(region) in (6, 9, 12)):
        r.fail("region", "统筹区应为6位（或9/12位）区划代码")
    year = doc.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not (2000 <= year <= 2100):
        r.fail("year", "年度应为2000至2100之间的整数")
        year = 0

    catalog = r.mapping(doc.get("catalog"), "catalog", required=False)
    r.known(catalog, "catalog", KEYS["catalog"])
    b_self_ratio = r.ratio(catalog, "b_self_ratio", "catalog", required=False, default=Decimal(0))

    groups = {}
    for code, g in r.mapping(doc.get("groups"), "groups", required=False).items():
        path = f"groups.{code}"
        g = r.mapping(g, path)
        r.known(g, path, KEYS["group"])
        r.category(code, path)
        factor = r.ratio(g, "deductible_factor", path, required=False, default=ONE)
        bonus = r.ratio(g, "ratio_bonus", path, required=False, default=Decimal(0))
        groups[str(code)] = Group(factor, bonus)

    basic = r.mapping(doc.get("basic"), "basic")
    r.known(basic, "basic", KEYS["basic"])
    annual_cap = r.amount(basic, "annual_cap", "basic") or Decimal(0)
    visit_types = {}
    vts = r.mapping(basic.get("visit_types"), "basic.visit_types")
    if basic and not vts:
        r.fail("basic.visit_types", "至少要有一种就诊类型")
    for code, vt in vts.items():
        path = f"basic.visit_types.{code}"
        vt = r.mapping(vt, path)
        r.known(vt, path, KEYS["visit_type"])
        per = vt.get("deductible_per")
        if per not in ("admission", "year"):
            r.fail(
                f"{path}.deductible_per", "起付线计算方式应为admission（每次住院）或year（每年）"
            )
        deductible = {}
        ratio = {}
        ded_map = r.mapping(vt.get("deductible"), f"{path}.deductible")
        ratio_map = r.mapping(vt.get("ratio"), f"{path}.ratio")
        for level in ded_map:
            if str(level) not in LEVELS:
                r.fail(f"{path}.deductible.{level}", "机构等级应为1、2、3或out_of_area")
                continue
            value = r.amount(ded_map, level, f"{path}.deductible")
            if value is not None:
                deductible[str(level)] = value
        for level in ratio_map:
            if str(level) not in LEVELS:
                r.fail(f"{path}.ratio.{level}", "机构等级应为1、2、3或out_of_area")
                continue
            value = r.ratio(ratio_map, level, f"{path}.ratio")
            if value is not None:
                ratio[str(level)] = value
        # Every level that is reimbursed needs its deductible, and vice versa.
        for level in set(map(str, ratio_map)) ^ set(map(str, ded_map)):
            if level in LEVELS:
                where = "deductible" if level not in map(str, ded_map) else "ratio"
                r.fail(f"{path}.{where}.{level}", "起付线与报销比例须列出相同的机构等级")
        limit = r.amount(vt, "annual_limit", path, required=False)
        diagnoses = vt.get("diagnoses") or []
        if not isinstance(diagnoses, list) or not all(
            isinstance(d, str) and d.strip() and len(d) <= 10 and d.isascii() for d in diagnoses
        ):
            r.fail(f"{path}.diagnoses", '应为ICD-10诊断编码（前缀）列表，如 ["I10", "E11"]')
            diagnoses = []
        vt_name = vt.get("name") or ""
        if not isinstance(vt_name, str) or len(vt_name) > 30:
            r.fail(f"{path}.name", "应为不超过30字的中文名称，如 住院")
            vt_name = ""
        visit_types[str(code)] = VisitType(
            str(code),
            per or "",
            deductible,
            ratio,
            limit,
            tuple(d.strip().upper() for d in diagnoses),
            vt_name.strip() or STANDARD_VISIT_TYPE_NAMES.get(str(code), ""),
        )

    ci = None
    ci_doc = r.mapping(doc.get("critical_illness"), "critical_illness", required=False)
    if ci_doc:
        path = "critical_illness"
        r.known(ci_doc, path, KEYS["critical_illness"])
        ci_types = ci_doc.get("visit_types") or []
        if not isinstance(ci_types, list):
            r.fail(f"{path}.visit_types", "应为就诊类型列表")
            ci_types = []
        for vt in ci_types:
            if str(vt) not in visit_types:
                r.fail(f"{path}.visit_types", f"就诊类型{vt}未在basic.visit_types中定义")
        ci_deductible = r.amount(ci_doc, "deductible", path) or Decimal(0)
        segments = []
        seg_docs = ci_doc.get("segments")
        if not isinstance(seg_docs, list) or not seg_docs:
            r.fail(f"{path}.segments", "至少要有一段")
            seg_docs = []
        lower = ci_deductible
        for i, seg in enumerate(seg_docs):
            spath = f"{path}.segments[{i}]"
            seg = r.mapping(seg, spath)
            r.known(seg, spath, KEYS["segment"])
            upto = r.amount(seg, "upto", spath, nullable=True)
            if "upto" not in seg:
                r.fail(f"{spath}.upto", "缺少此项（最高一段写null）")
            ratio = r.ratio(seg, "ratio", spath) or Decimal(0)
            if upto is None and i != len(seg_docs) - 1:
                r.fail(f"{spath}.upto", "只有最后一段可以不设上限")
            if upto is not None:
                if upto <= lower:
                    r.fail(f"{spath}.upto", "分段须递增，且高于起付线")
                lower = max(lower, upto)
            segments.append(Segment(upto, ratio))
        cap = r.amount(ci_doc, "cap", path, required=False, nullable=True)
        ci_groups = {}
        for code, g in r.mapping(ci_doc.get("groups"), f"{path}.groups", required=False).items():
            gpath = f"{path}.groups.{code}"
            g = r.mapping(g, gpath)
            r.known(g, gpath, KEYS["ci_group"])
            r.category(code, gpath)
            ci_groups[str(code)] = CIGroup(
                deductible=r.amount(g, "deductible", gpath, required=False),
                ratio_bonus=r.ratio(g, "ratio_bonus", gpath, required=False, default=Decimal(0)),
                cap=r.amount(g, "cap", gpath, required=False, nullable=True),
                cap_set="cap" in g,
            )
        ci = CriticalIllness(
            frozenset(map(str, ci_types)), ci_deductible, tuple(segments), cap, ci_groups
        )

    assistance = {}
    for code, a in r.mapping(doc.get("assistance"), "assistance", required=False).items():
        apath = f"assistance.{code}"
        a = r.mapping(a, apath)
        r.known(a, apath, KEYS["assistance"])
        r.category(code, apath)
        assistance[str(code)] = Assistance(
            ratio=r.ratio(a, "ratio", apath) or Decimal(0),
            annual_cap=r.amount(a, "annual_cap", apath, required=False, nullable=True),
        )

    contribution = None
    c_doc = r.mapping(doc.get("contribution"), "contribution", required=False)
    if c_doc:
        r.known(c_doc, "contribution", KEYS["contribution"])
        by_assistance = {}
        paid = r.mapping(
            c_doc.get("individual_paid_by_assistance"),
            "contribution.individual_paid_by_assistance",
            required=False,
        )
        for code in paid:
            r.category(code, f"contribution.individual_paid_by_assistance.{code}")
            value = r.ratio(paid, code, "contribution.individual_paid_by_assistance")
            if value is not None:
                by_assistance[str(code)] = value
        contribution = Contribution(
            individual=r.amount(c_doc, "individual", "contribution") or Decimal(0),
            subsidy=r.amount(c_doc, "subsidy", "contribution") or Decimal(0),
            individual_paid_by_assistance=by_assistance,
        )

    if r.problems:
        raise PlanError(r.problems)
    return Plan(
        name=name,
        region=region,
        year=year,
        b_self_ratio=b_self_ratio,
        annual_cap=annual_cap,
        visit_types=visit_types,
        groups=groups,
        critical_illness=ci,
        assistance=assistance,
        contribution=contribution,
        raw=doc,
    )


def load_plan_yaml(
    text: str, *, strict: bool = False, categories: frozenset[str] | None = None
) -> Plan:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PlanError({"plan": f"YAML格式错误：{exc}"}) from None
    return parse_plan(doc, strict=strict, categories=categories)
