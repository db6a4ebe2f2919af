"""Code tables and small check builders shared by the adult and general forms.

Tables follow the national basic public-health service specification (third edition):
the code is the number printed before each choice on the paper form.
"""

from __future__ import annotations

from collections.abc import Callable

from huimin.records.forms.spec import Check, Context, Problem, date_of

NORMAL_ABNORMAL = {"1": "正常", "2": "异常"}
NEGATIVE_POSITIVE = {"1": "阴性", "2": "阳性"}
# 尿常规 semi-quantitative readings, as the dipstick prints them.
DIPSTICK = {"-": "-", "±": "±", "+": "+", "++": "++", "+++": "+++", "++++": "++++"}
# 职业 (GB/T 6565 major groups, as printed on 个人基本信息表).
OCCUPATION = {
    "0": "国家机关、党群组织、企业、事业单位负责人",
    "1": "专业技术人员",
    "2": "办事人员和有关人员",
    "3": "商业、服务业人员",
    "4": "农、林、牧、渔、水利业生产人员",
    "5": "生产、运输设备操作人员及有关人员",
    "6": "军人",
    "7": "不便分类的其他从业人员",
    "8": "无职业",
}
# 严重精神障碍 symptoms: 既往主要症状 (补充表) and 目前症状 (随访表) share the list.
SMI_SYMPTOMS = {
    "1": "幻觉",
    "2": "交流困难",
    "3": "猜疑",
    "4": "喜怒无常",
    "5": "行为怪异",
    "6": "兴奋话多",
    "7": "伤人毁物",
    "8": "悲观厌世",
    "9": "无故外走",
    "10": "自语自笑",
    "11": "孤僻懒散",
    "12": "其他",
}
LOCKUP = {"1": "无关锁", "2": "关锁", "3": "关锁已解除"}


def _codes_of(data: dict, name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def chosen(name: str, code: str) -> Callable[[dict], bool]:
    """For `required_if`: is `code` picked in the single or multi select `name`?"""
    return lambda data: code in _codes_of(data, name)


def women_only(*names: str, title: str) -> Check:
    """Items the form asks of women only (妇科, 宫颈涂片): refused for a man."""

    def check(data: dict, ctx: Context) -> list[Problem]:
        if ctx.sex != "1":
            return []
        return [
            Problem(n, "women_only", f"{title}只适用于女性，该居民为男性")
            for n in names
            if data.get(n) not in (None, "", [])
        ]

    return check


def age_order(later: str, earlier: str, message: str) -> Check:
    """Two ages on the same form, e.g. quitting smoking after starting."""

    def check(data: dict, ctx: Context) -> list[Problem]:
        a, b = data.get(later), data.get(earlier)
        if a is not None and b is not None and int(a) < int(b):
            return [Problem(later, "age_order", message)]
        return []

    return check


def age_not_above_now(name: str, label: str, date_field: str) -> Check:
    """An age given on the form (开始吸烟年龄) cannot exceed the person's age on that day."""

    def check(data: dict, ctx: Context) -> list[Problem]:
        day = date_of(data, date_field)
        age = ctx.age_on(day) if day else None
        value = data.get(name)
        if age is not None and value is not None and int(value) > age:
            message = f"{label}（{value}岁）大于居民当时的年龄（{age}岁）"
            return [Problem(name, "above_age", message)]
        return []

    return check
