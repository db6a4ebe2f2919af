"""Registry rules: pure functions over plain data, testable without a database."""

import datetime
import re
from dataclasses import dataclass

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from huimin.core import idnumber, names
from huimin.core.codes import ETHNICITIES, HEAD_RELATION, RELATIONS, SEXES

NAME_MAX = 50
INSURANCE_CODE_RE = re.compile(r"^H\d{11}$")
REGION_CODE_RE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


# ---------------------------------------------------------------- regions


def region_level(code: str) -> str:
    """The level a GB/T 2260 / statistical code names, by its shape."""
    if not REGION_CODE_RE.match(code):
        raise ValueError(f"区划代码格式错误：{code}")
    if len(code) == 12:
        return "village"
    if len(code) == 9:
        return "township"
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def region_prefix(code: str) -> str:
    """What every code below this region starts with ("43" for 430000, "4305" for 430500)."""
    level = region_level(code)
    if level == "province":
        return code[:2]
    if level == "city":
        return code[:4]
    return code


def region_parent_code(code: str) -> str | None:
    level = region_level(code)
    if level == "village":
        return code[:9]
    if level == "township":
        return code[:6]
    if level == "county":
        return code[:4] + "00"
    if level == "city":
        return code[:2] + "0000"
    return None


def parse_loc_years(text: str) -> list[tuple[int | None, int | None, str]]:
    """python-stdnum's loc.dat names: '[1983-2019]邵东县,[2019-]邵东市' → periods."""
    periods = []
    for part in text.split(","):
        part = part.strip()
        if part.startswith("["):
            span, _, name = part[1:].partition("]")
            start, _, end = span.partition("-")
            periods.append((int(start) if start else None, int(end) if end else None, name))
        elif part:
            periods.append((None, None, part))
    return periods


# ---------------------------------------------------------------- names


def pinyin_initials(name: str) -> str:
    """张三 → zs, 单雄信 → sxx (the surname's reading); letters and digits kept as they
    are, lower-cased."""
    return "".join(p[:1] for p in names.name_syllables(name) if p).lower()


def pinyin_full(name: str) -> str:
    return "".join(names.name_syllables(name)).lower()


def search_kind(query: str) -> str:
    """How a search box's text is read: an ID number, a household number, pinyin, or a name."""
    q = query.strip()
    if idnumber.looks_like_id_number(q):
        return "id_number"
    if q.isdigit() and len(q) >= 13:
        return "household"
    if q.isascii() and q.isalpha():
        return "pinyin"
    return "name"


# ---------------------------------------------------------------- people


@dataclass(frozen=True)
class PersonInput:
    name: str
    id_number: str
    sex: str | None
    birth_date: datetime.date | None
    ethnicity: str
    phone: str
    village_code: str
    resident_type: str
    ss_card: str = ""


def check_person(
    data: PersonInput, *, today: datetime.date, village_exists: bool
) -> tuple[dict[str, str], idnumber.ParsedID | None]:
    """Every problem with a person's data, by field, in Chinese. Empty when all is well."""
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = "姓名不能为空"
    elif len(name) > NAME_MAX:
        errors["name"] = f"姓名不能超过{NAME_MAX}个字"
    parsed = None
    try:
        parsed = idnumber.parse(data.id_number, today=today)
    except idnumber.IDNumberError as exc:
        errors["id_number"] = exc.message
    if data.sex is not None and data.sex not in SEXES:
        errors["sex"] = "性别代码应为1（男）或2（女）"
    elif parsed and data.sex is not None and data.sex != parsed.sex:
        errors["sex"] = f"性别与身份证号码不符（号码显示为{SEXES[parsed.sex]}）"
    if data.birth_date is not None:
        if data.birth_date > today:
            errors["birth_date"] = "出生日期不能晚于今天"
        elif parsed and data.birth_date != parsed.birth_date:
            errors["birth_date"] = f"出生日期与身份证号码不符（号码显示为{parsed.birth_date}）"
    if data.ethnicity not in ETHNICITIES:
        errors["ethnicity"] = "民族代码不在GB/T 3304代码表中"
    if data.phone and not PHONE_RE.match(data.phone):
        errors["phone"] = "电话号码格式错误"
    if data.ss_card.strip():
        try:
            idnumber.parse_ss_card(data.ss_card)
        except idnumber.IDNumberError as exc:
            errors["ss_card"] = exc.message
    if not village_exists:
        errors["village_code"] = "居住地区划代码不存在或不是村级代码"
    if data.resident_type not in ("huji", "non_huji"):
        errors["resident_type"] = "户籍类型应为huji或non_huji"
    return errors, parsed


def check_death(birth_date: datetime.date, death_date: datetime.date | None, today) -> str | None:
    if death_date is None:
        return None
    if death_date > today:
        return "死亡日期不能晚于今天"
    if death_date < birth_date:
        return "死亡日期不能早于出生日期"
    return None


def check_category_dates(valid_from, valid_to) -> str | None:
    if valid_to is not None and valid_to < valid_from:
        return "终止日期不能早于起始日期"
    return None


# ---------------------------------------------------------------- households


@dataclass(frozen=True)
class MemberInput:
    person_id: int
    relation: str


def check_household_members(head_id: int | None, members: list[MemberInput]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not members:
        errors["members"] = "家庭户至少要有一名成员"
        return errors
    ids = [m.person_id for m in members]
    if len(ids) != len(set(ids)):
        errors["members"] = "同一人在成员中出现多次"
    for i, m in enumerate(members):
        if m.relation not in RELATIONS:
            errors[f"members[{i}].relation"] = "与户主关系代码不在GB/T 4761代码表中"
    if head_id is None:
        errors["head_id"] = "必须指定户主"
    elif head_id not in ids:
        errors["head_id"] = "户主必须是本户成员"
    else:
        heads = [m for m in members if m.relation == HEAD_RELATION]
        if len(heads) != 1 or heads[0].person_id != head_id:
            errors["members"] = "户主的关系代码须为02（户主），且只能有一位户主"
    return errors


# ---------------------------------------------------------------- institutions


def check_institution_codes(insurance_code: str, credit_code: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not INSURANCE_CODE_RE.match(insurance_code or ""):
        errors["insurance_code"] = "医保机构编码应为H加11位数字（H+6位区划+5位顺序号）"
    try:
        uscc.validate(credit_code or "")
    except StdnumError:
        errors["credit_code"] = "统一社会信用代码无效（GB 32100校验未通过）"
    return errors


def household_number(village_code: str, sequence: int) -> str:
    """户编号: the 12-digit village code and a 4-digit sequence within it."""
    return f"{village_code}{sequence:04d}"
