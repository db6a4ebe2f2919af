"""Name pools, place-name stems, code check characters and small date helpers."""

from __future__ import annotations

import datetime
import itertools
import math
import random
from functools import cache

from faker.providers.person.zh_CN import Provider as _FakerNames
from stdnum.cn import uscc

from huimin.core import names

SURNAMES = list(_FakerNames.last_names)
SURNAME_CUM = list(itertools.accumulate(_FakerNames.last_names.values()))
MALE_MID = list(_FakerNames.first_names_male)
FEMALE_MID = list(_FakerNames.first_names_female)
# Given names change with the decade: older villagers are 建国 and 秀英, children 子轩 and 梓涵.
MALE_OLD = (
    "建国 建军 国庆 国强 德明 富贵 长生 有才 志明 金山 福生 桂生 海清 "
    "春生 秋生 正华 永福 树林 德胜 满生 新民 光明 卫东 解放 爱民"
).split()
FEMALE_OLD = (
    "秀英 桂英 桂兰 秀兰 玉兰 凤英 翠花 淑珍 春梅 冬梅 玉珍 美华 菊香 "
    "桂香 满秀 月娥 金莲 腊梅 秋菊 玉梅 淑华 爱华 桂芝 春兰 小妹"
).split()
MALE_YOUNG = (
    "浩然 子轩 宇轩 梓豪 俊杰 博文 子豪 浩宇 一鸣 天佑 睿 铭 泽宇 皓轩 "
    "宇航 思远 嘉豪 梓睿 锦程 俊熙 明轩 奕辰 乐天 家豪"
).split()
FEMALE_YOUNG = (
    "梓涵 子涵 欣怡 雨桐 诗涵 可馨 梦瑶 思琪 语嫣 欣妍 一诺 紫萱 雨欣 "
    "佳怡 若曦 心怡 梓萱 艺涵 诗琪 雨涵 佳琪 梦琪 安琪 语桐"
).split()
MALE_MIDDLE = list("建志国海小晓春文红利永新金德明伟立云家卫")
FEMALE_MIDDLE = list("丽玉秀美雪亚小晓春红金桂月海艳素爱翠")
MALE_ONE = [n for n in MALE_MID if len(n) == 1]
FEMALE_ONE = [n for n in FEMALE_MID if len(n) == 1]

# Place-name stems in the local style (冲, 坪, 塘, 坳 are Hunan hill-country words).
PLACE_FIRST = list("龙石白金青长新太高桃梅大小马黄潭严雀花寸巨迎罗杨柳竹枫槐茶坪田水双三五清和丰安")
PLACE_SECOND = list("溪塘山江口桥田坪冲岭源湾铺市洲峰阳湖坳林园庄院台")
PLACE_CLAN_END = list("坊湾冲坪铺桥塘")
COMMUNITY_STEMS = (
    "城东 城西 城南 城北 新华 人民 建设 解放 红旗 和平 东风 向阳 滨江 文化 育才 金桥 "
    "站前 朝阳 迎宾 龙山"
).split()
PHONE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 157 158 159 173 177 "
    "180 181 182 183 185 186 187 188 189 191 199"
).split()
MINORITIES = ["06", "13", "15", "12", "03"]  # 苗 瑶 土家 侗 回: the minorities of south-west Hunan
# Other provinces migrant workers come from (江西 广东 广西 贵州 四川 湖北 重庆 福建 浙江).
FAR_PROVINCES = ["36", "44", "45", "52", "51", "42", "50", "35", "33"]
PHARMACY_NAMES = ["惠民大药房", "康宁药店", "仁济堂药店", "百草堂大药房", "福寿堂药店"]

# Household size 1..7: rural mean about 3 persons.
SIZES = [1, 2, 3, 4, 5, 6, 7]
SIZE_WEIGHTS = [14, 26, 23, 18, 11, 6, 2]
# Annual probability of death by age (upper bound exclusive), about 0.7% overall.
MORTALITY = [(1, 0.005), (40, 0.0008), (60, 0.004), (70, 0.012), (80, 0.035), (90, 0.09)]
MORTALITY_OLDEST = 0.2


@cache
def name_pinyin(name: str) -> tuple[str, str]:
    """(initials, full), as rules.pinyin_initials/pinyin_full give them, from one pypinyin
    call instead of two, and cached: pypinyin costs ~40 µs a call and names repeat.
    (Initials are the syllables' first letters; tests compare with the rules.)"""
    syllables = names.name_syllables(name)
    initials = "".join(s[:1] for s in syllables if s).lower()
    return initials[:50], "".join(syllables).lower()[:200]


def org_code_check(body8: str) -> str:
    """GB 11714 organisation-code check character for an 8-digit body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    c = 11 - sum(int(d) * w for d, w in zip(body8, weights, strict=True)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def make_credit_code(rng: random.Random, authority_type: str, region: str) -> str:
    """A GB 32100 unified social credit code: authority+type, region, org code, check."""
    body8 = f"{rng.randrange(10**8):08d}"
    base = f"{authority_type}{region[:6]}{body8}{org_code_check(body8)}"
    return base + uscc.calc_check_digit(base)


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def safe_date(birth: datetime.date, years: int) -> datetime.date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return birth.replace(year=birth.year + years, day=28)


def apportion(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` in proportion to weights (largest remainder), each at least minimum."""
    n = len(weights)
    spare = total - minimum * n
    if spare < 0:
        raise ValueError("total too small for the minimum")
    s = sum(weights)
    raw = [spare * w / s for w in weights]
    out = [minimum + math.floor(x) for x in raw]
    left = total - sum(out)
    order = sorted(range(n), key=lambda i: raw[i] - math.floor(raw[i]), reverse=True)
    for i in order[:left]:
        out[i] += 1
    return out
