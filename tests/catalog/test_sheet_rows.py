"""Reading sheet rows (pure): each kind of bad cell is named with its line and reason."""

import datetime
from decimal import Decimal

from huimin.insurance.catalog import rules
from tests.catalog.conftest import DRUG, DRUG_B, SERVICE

HEADER = [
    "编码",
    "名称",
    "类别",
    "类型",
    "单位",
    "最高支付标准",
    "乙类自付比例",
    "限性别",
    "最小年龄",
    "最大年龄",
    "限医院等级",
    "每日最大数量",
    "限制使用说明",
    "生效日期",
    "失效日期",
]


def row(code=DRUG_B, name="复方氨基酸注射液", cls="乙", **over):
    values = dict.fromkeys(HEADER, "")
    values.update({"编码": code, "名称": name, "类别": cls})
    values.update(over)
    return [values[h] for h in HEADER]


def check(*rows):
    return rules.check_sheet(HEADER, [(i, r) for i, r in enumerate(rows, start=2)])


def reasons(result, line):
    return " ".join(p for n, p in result.problems if n == line)


def test_a_full_row_is_read():
    result = check(
        row(
            类型="药品",
            单位="瓶",
            最高支付标准="85.00",
            乙类自付比例="15%",
            限性别="女",
            最小年龄="18",
            最大年龄="60",
            限医院等级="三级、二级",
            每日最大数量="2",
            限制使用说明="限重症",
            生效日期="2026/1/1",
            失效日期="20261231",
        )
    )
    assert result.problems == []
    (r,) = result.rows
    assert (r.line, r.code, r.kind) == (2, DRUG_B, "drug")
    t = r.terms
    assert t.item_class == "B" and t.ceiling == Decimal("85.00")
    assert t.b_self_ratio == Decimal("0.15")
    assert (t.sex, t.age_min, t.age_max) == ("2", 18, 60)
    assert t.allowed_levels == ("2", "3")  # stored in the canonical order
    assert t.max_quantity_per_day == Decimal(2)
    assert r.effective_from == datetime.date(2026, 1, 1)
    assert t.effective_to == datetime.date(2026, 12, 31)
    assert t.pinyin == "ffajszsy"


def test_kind_is_inferred_from_the_code_and_class_words_are_accepted():
    result = check(row(SERVICE, "床位费（二级）", "甲类"), row(DRUG, "盐酸左氧氟沙星注射液", "a"))
    assert result.problems == []
    assert [(r.kind, r.terms.item_class) for r in result.rows] == [("service", "A"), ("drug", "A")]


def test_every_bad_row_is_reported_at_once():
    result = check(
        row(cls="丁"),  # 2: bad class
        row(DRUG, "甲药", "甲", 最高支付标准="-1"),  # 3: negative ceiling
        row(SERVICE, "乙项", "乙", 乙类自付比例="1.2"),  # 4: ratio > 1
        row("003105030010000", "丙项", "甲", 最小年龄="60", 最大年龄="18"),  # 5: ages
        row("003105030010001", "丁项", "甲", 限医院等级="二级、四级"),  # 6: unknown level
        row(DRUG, "重复", "甲"),  # 7: duplicate of line 3
        row("003105030010002", "戊项", "甲", 生效日期="2026-02-30"),  # 8: bad date
        row("003105030010003", "己项", "甲", 生效日期="2026-03-01", 失效日期="2026-02-01"),
    )
    assert sorted({n for n, _ in result.problems}) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert "类别" in reasons(result, 2)
    assert "不能为负数" in reasons(result, 3)
    assert "乙类自付比例不能超过1" in reasons(result, 4)
    assert "最小年龄60大于最大年龄18" in reasons(result, 5)
    assert "四级" in reasons(result, 6)
    assert "与第3行重复" in reasons(result, 7)
    assert "不是有效日期" in reasons(result, 8)
    assert "失效日期早于生效日期" in reasons(result, 9)


def test_more_bad_cells():
    result = check(
        row(DRUG, "", "甲"),  # 2: no name
        row("", "无码", "甲"),  # 3: no code
        row(DRUG_B, "甲类填比例", "甲", 乙类自付比例="0.1"),  # 4: ratio on class A
        row("001102000010001", "x", "甲", 限性别="未知"),  # 5
        row("001102000010002", "x", "甲", 最高支付标准="12.34567"),  # 6: five decimals
        row("001102000010003", "x", "甲", 最小年龄="abc"),  # 7
        row("001102000010004", "x", "甲", 每日最大数量="0"),  # 8
        row("1102000010005", "x", "甲"),  # 9: zeros lost, no kind readable
        row("1102000010006", "x", "甲", 类型="医疗服务项目"),  # 10: zeros lost
        row("001102000010007", "x", "甲", 类型="器械"),  # 11
    )
    for line, word in [
        (2, "名称不能为空"),
        (3, "编码不能为空"),
        (4, "只有乙类"),
        (5, "限性别"),
        (6, "最多4位小数"),
        (7, "最小年龄"),
        (8, "每日最大数量应大于0"),
        (9, "类型"),
        (10, "文本格式"),
        (11, "类型“器械”"),
    ]:
        assert word in reasons(result, line), (line, result.problems)
    assert result.rows == []


def test_header_problems():
    assert rules.check_sheet(["编码", "名称"], []).problems == [(1, "缺少“类别”列")]
    result = rules.check_sheet(["编码", "名称", "类别", "价格"], [])
    assert result.problems == [(1, "不认识的列“价格”")]
    assert rules.check_sheet(["编码", "名称", "类别"], []).problems == [(1, "表格中没有数据行")]


def test_spreadsheet_cells_of_other_types():
    # openpyxl gives numbers and dates, not text.
    result = rules.check_sheet(
        ["编码", "名称", "类别", "最高支付标准", "生效日期"],
        [(2, [SERVICE, "床位费", "A", 40.0, datetime.datetime(2026, 1, 1)])],
    )
    assert result.problems == []
    assert result.rows[0].terms.ceiling == Decimal(40)
    assert result.rows[0].effective_from == datetime.date(2026, 1, 1)
