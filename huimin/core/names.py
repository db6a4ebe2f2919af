"""People's names: masking for lists and registers (personal data shown no more than
needed), and their pinyin with surnames read as surnames."""

from pypinyin import Style, lazy_pinyin


def mask_name(name: str, *, keep_last: bool = False) -> str:
    """The surname and stars. `keep_last` also keeps the last character, enough for a
    doctor to recognise their own patient in a work list (王大爷 → 王*爷); without it,
    enough for a register and no more (王大爷 → 王**, 李四 → 李*)."""
    name = (name or "").strip()
    if not name:
        return ""
    if keep_last and len(name) >= 3:
        return name[0] + "*" * (len(name) - 2) + name[-1]
    if keep_last and len(name) == 1:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


# How a surname is read when it is a surname (GB/T-style dictionaries' 姓 readings),
# where pypinyin's everyday reading differs: 单雄信 is shan, not dan. Compound surnames
# (复姓) first, so 单于 stays chan yu. Surnames read two ways as surnames (乐 le/yue,
# 盖 gai/ge, 覃 qin/tan, 宓 mi/fu) are left to pypinyin.
COMPOUND_SURNAMES: dict[str, tuple[str, str]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
    "令狐": ("ling", "hu"),
    "乐正": ("yue", "zheng"),
    "亓官": ("qi", "guan"),
    "闾丘": ("lv", "qiu"),
}
SURNAMES: dict[str, str] = {
    "单": "shan",
    "殷": "yin",
    "曾": "zeng",
    "区": "ou",
    "仇": "qiu",
    "解": "xie",
    "查": "zha",
    "朴": "piao",
    "缪": "miao",
    "翟": "zhai",
    "召": "shao",
    "句": "gou",
    "员": "yun",
    "薄": "bo",
    "折": "she",
    "种": "chong",
    "繁": "po",
    "秘": "bi",
    "隗": "wei",
    "尉": "wei",
    "冼": "xian",
    "阚": "kan",
    "逄": "pang",
    "藏": "zang",
    "佴": "nai",
    "粘": "nian",
    "能": "nai",
    "祭": "zhai",
    "都": "du",
}


def surname_reading(name: str) -> tuple[str, tuple[str, ...]] | None:
    """(surname, its syllables) when the name starts with a surname read specially."""
    if name[:2] in COMPOUND_SURNAMES:
        return name[:2], COMPOUND_SURNAMES[name[:2]]
    if name[:1] in SURNAMES:
        return name[:1], (SURNAMES[name[:1]],)
    return None


def name_syllables(name: str) -> list[str]:
    """A person's name in toneless pinyin, one syllable a character (other text kept as
    it is), the surname read as a surname. The given name is read on its own: a phrase
    across the surname (曾经, 单位) is not the name's reading."""
    name = (name or "").strip()
    special = surname_reading(name)
    if special is None:
        return lazy_pinyin(name, errors="default")
    surname, syllables = special
    return [*syllables, *lazy_pinyin(name[len(surname) :], errors="default")]


def text_initials(text: str) -> str:
    """Initials of ordinary text (a drug's name: 单硝酸异山梨酯 → dxsysle), no surname rule."""
    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(p[:1] for p in parts if p).lower()
