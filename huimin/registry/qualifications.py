"""Institution qualifications (诊疗科目与医疗技术准入): what an institution is licensed to
provide, as short codes. The catalog names the one an item needs (超资质 review reads
both); the registry records which an institution holds.

An institution's qualifications are either recorded (possibly none) or not recorded at
all (NULL): review judges only recorded ones, so an institution nobody has described
yet is not flagged for every qualified item it bills.
"""

QUALIFICATIONS = {
    "surgery_2": "二级手术",
    "surgery_3": "三级手术",
    "surgery_4": "四级手术",
    "obstetrics": "产科（助产技术）",
    "dialysis": "血液透析",
    "endoscopy": "消化内镜诊疗技术",
    "interventional_cardiology": "心血管疾病介入诊疗技术",
    "joint_replacement": "人工关节置换技术",
    "ophthalmic_surgery": "眼科手术",
    "icu": "重症医学科",
    "ct": "CT（大型医用设备配置）",
    "mri": "磁共振（大型医用设备配置）",
    "rehabilitation": "康复医学科",
    "tcm": "中医科",
}
_BY_NAME = {name: code for code, name in QUALIFICATIONS.items()}

# What the synthetic county's institutions hold, by kind (a county hospital of level 2
# does most things short of cardiac intervention and level-4 surgery).
BY_KIND = {
    "county_hospital": (
        "surgery_2", "surgery_3", "obstetrics", "dialysis", "endoscopy", "joint_replacement",
        "ophthalmic_surgery", "icu", "ct", "mri", "rehabilitation", "tcm",
    ),
    "tcm_hospital": ("surgery_2", "surgery_3", "endoscopy", "icu", "ct", "rehabilitation", "tcm"),
    "maternal_child_hospital": ("surgery_2", "obstetrics", "ct"),
    "township_health_centre": ("obstetrics", "rehabilitation", "tcm"),
    "village_clinic": ("tcm",),
    "pharmacy": (),
}  # fmt: skip


def qualification_code(word: str) -> str | None:
    """A code from its code or its Chinese name; None when neither."""
    word = word.strip()
    if word in QUALIFICATIONS:
        return word
    return _BY_NAME.get(word)


def parse_text(text: str | None) -> frozenset[str] | None:
    """The stored comma-separated codes; None (not recorded) stays None."""
    if text is None:
        return None
    return frozenset(c for c in text.split(",") if c)


def as_text(codes) -> str:
    """Codes in the vocabulary's order, comma-separated (what is stored)."""
    held = set(codes)
    return ",".join(c for c in QUALIFICATIONS if c in held)


def names(codes) -> str:
    return "、".join(QUALIFICATIONS.get(c, c) for c in codes)
