"""What claim review reads from the catalog: fee category, day-based, medically unlikely
units a day, a drug's days per unit, the qualification needed, a bundle's components
and exclusive items — imported from the sheet, checked row by row, versioned like the
ceiling, and filled in the demo catalog."""

import datetime
from decimal import Decimal

import pytest

from huimin.core.errors import ValidationFailed
from huimin.insurance.catalog import rules, seed, services
from huimin.insurance.catalog.models import CatalogItem, CatalogVersion
from huimin.registry.qualifications import QUALIFICATIONS
from tests.catalog.conftest import DRUG, DRUG_B, SERVICE
from tests.catalog.sheets import csv_bytes

D = datetime.date
NURSING_1 = "001103000020000"
NURSING_2 = "001103000030000"
DIALYSIS = "003111000010000"
INJECTION = "001201000020000"
HEADER = [
    *("编码", "名称", "类别", "单位", "生效日期", "收费类别", "按日计费"),
    *("单日医学合理上限", "每单位用药天数", "所需资质", "组套组成项目", "互斥项目"),
]
ROWS = [
    [SERVICE, "床位费（二级）", "甲", "日", "2026-01-01", "床位费", "是", "1", "", "", "", ""],
    [NURSING_1, "一级护理", "甲", "日", "2026-01-01", "护理费", "是", "1", "", "", "", NURSING_2],
    [NURSING_2, "二级护理", "甲", "日", "2026-01-01", "护理", "是", "1", "", "", "", ""],
    [INJECTION, "静脉注射", "甲", "次", "2026-01-01", "治疗费", "", "", "", "", "", ""],
    [DIALYSIS, "血液透析", "甲", "次", "2026-01-01", "治疗费", "否", "1", "", "血液透析",
     INJECTION, ""],
    [DRUG, "盐酸左氧氟沙星注射液", "甲", "支", "2026-01-01", "", "", "", "0.5", "", "", ""],
]  # fmt: skip


def test_the_review_columns_are_imported(officer):
    services.import_sheet(officer, csv_bytes(ROWS, header=HEADER))
    bed = services.version_on(SERVICE, D(2026, 3, 1))
    assert (bed.fee_category, bed.day_based, bed.mue) == ("bed", True, Decimal(1))
    nursing = services.version_on(NURSING_1, D(2026, 3, 1))
    assert nursing.fee_category == "nursing" and nursing.exclusive_with == (NURSING_2,)
    dialysis = services.version_on(DIALYSIS, D(2026, 3, 1))
    assert (dialysis.fee_category, dialysis.day_based) == ("treatment", False)
    assert dialysis.qualification == "dialysis" and dialysis.components == (INJECTION,)
    drug = services.version_on(DRUG, D(2026, 3, 1))
    # a drug's category is its kind's when the sheet leaves it empty
    assert (drug.fee_category, drug.days_supply_per_unit) == ("drug", Decimal("0.5"))
    assert services.terms_on([DIALYSIS], D(2026, 3, 1))[DIALYSIS].components == (INJECTION,)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (5, "挂号费", "收费类别“挂号费”应为"),
        (5, "药品费", "收费类别：医疗服务项目不能是药品费"),
        (6, "也许", "按日计费“也许”应为是、否或留空"),
        (7, "0", "单日医学合理上限应大于0"),
        (7, "-1", "单日医学合理上限不能为负数"),
        (8, "1", "每单位用药天数：只有药品可以填写"),
        (9, "心脏移植", "所需资质“心脏移植”不在资质代码表中"),
        (10, "12345", "组套组成项目“12345”不是有效的目录编码"),
        (10, DIALYSIS, f"组套组成项目不能包含项目自身的编码{DIALYSIS}"),
        (10, "001201000099000", "组套组成项目“001201000099000”不在医保目录中"),
        (11, "001201000099000", "互斥项目“001201000099000”不在医保目录中"),
    ],
)
def test_a_bad_cell_is_refused_naming_the_row_and_field_and_nothing_is_imported(
    officer, column, value, reason
):
    rows = [list(r) for r in ROWS]
    rows[4][column] = value  # the dialysis row: line 6 of the sheet
    with pytest.raises(ValidationFailed) as caught:
        services.import_sheet(officer, csv_bytes(rows, header=HEADER))
    assert reason in caught.value.fields["第6行"]
    assert not CatalogItem.objects.exists()


def test_a_drug_filed_under_another_category_is_refused(officer):
    rows = [list(r) for r in ROWS]
    rows[5][5] = "床位费"
    with pytest.raises(ValidationFailed) as caught:
        services.import_sheet(officer, csv_bytes(rows, header=HEADER))
    assert caught.value.fields == {"第7行": "收费类别：药品的收费类别应为药品费"}


def test_a_component_already_in_the_catalog_is_accepted(officer):
    services.import_sheet(officer, csv_bytes([ROWS[3]], header=HEADER))
    services.import_sheet(officer, csv_bytes([ROWS[4]], header=HEADER))
    assert services.version_on(DIALYSIS, D(2026, 1, 1)).components == (INJECTION,)


def test_a_changed_maximum_starts_a_new_version_and_the_old_one_keeps_its_own(officer):
    services.import_sheet(officer, csv_bytes(ROWS, header=HEADER))
    rows = [list(r) for r in ROWS]
    rows[4][4], rows[4][7], rows[4][11] = "2026-07-01", "2", ""
    rows[4][10] = f"{INJECTION}、{NURSING_2}"
    summary = services.import_sheet(officer, csv_bytes(rows, header=HEADER))
    assert summary.new_versions == [DIALYSIS]
    before, after = (services.version_on(DIALYSIS, D(2026, m, 1)) for m in (6, 7))
    assert (before.mue, before.components) == (Decimal(1), (INJECTION,))
    assert (after.mue, after.components) == (Decimal(2), tuple(sorted((INJECTION, NURSING_2))))


def test_the_demo_catalog_is_described_for_review(db):
    items = seed.demo_items()
    codes = {s.code for s in items}
    by_name = {v.terms.name: (s, v.terms) for s in items for v in s.versions}
    for s in items:
        for v in s.versions:
            t = v.terms
            assert t.fee_category in rules.FEE_CATEGORIES
            if s.kind != "service":
                assert t.fee_category == rules.KIND_CATEGORY[s.kind], t.name
                assert not t.day_based
            assert set(t.components) <= codes and set(t.exclusive_with) <= codes
            assert t.qualification in ("", *QUALIFICATIONS)
            assert t.days_supply_per_unit is None or s.kind == "drug"
    _, bed = by_name["床位费（二级）"]
    assert (bed.fee_category, bed.day_based, bed.mue) == ("bed", True, Decimal(1))
    _, checkup = by_name["健康体检（套餐）"]
    assert by_name["肝功能"][0].code in checkup.components
    assert by_name["二级护理"][0].code in by_name["一级护理"][1].exclusive_with
    assert by_name["血液透析"][1].qualification == "dialysis"
    assert by_name["盐酸二甲双胍片"][1].days_supply_per_unit == Decimal("0.3333")
    # and stored as such
    seed.seed_demo_catalog()
    stored = CatalogVersion.objects.get(item__code=by_name["血液透析"][0].code)
    assert stored.fee_category == "treatment" and stored.mue == Decimal(1)
    assert stored.components == tuple(sorted(by_name["血液透析"][1].components))
    assert DRUG_B in codes


def test_the_item_page_shows_what_review_reads(officer, client):
    from django.urls import reverse

    services.import_sheet(officer, csv_bytes(ROWS, header=HEADER))
    client.force_login(officer)
    html = client.get(reverse("catalog:item_detail", args=[DIALYSIS])).content.decode()
    assert "<dd>治疗费</dd>" in html and "<dd>血液透析</dd>" in html
    assert f"<dd>{INJECTION}</dd>" in html
    html = client.get(reverse("catalog:item_detail", args=[SERVICE])).content.decode()
    assert "<dd>床位费（按日计费）</dd>" in html
