"""huimin seed-catalog: a realistic demo catalog that prices the worked claim example."""

import datetime
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from huimin.insurance.catalog import rules, services
from huimin.insurance.catalog.models import CatalogItem, CatalogVersion
from huimin.insurance.catalog.seed import demo_items, seed_demo_catalog

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "claim-example.json"
CLAIM = {
    "admission_date": "2026-03-02",
    "lines": [
        {"code": "XC01EBL134A001010101445", "class": "A"},
        {"code": "XB05BAA015B002010100445", "class": "B", "ceiling": "85.00"},
        {"code": "001102000010000", "class": "A", "ceiling": "40.00"},
        {"code": "003105030010000", "class": "A"},
        {"code": "ZZ0000000000000001", "class": "C"},
    ],
}


def test_every_demo_code_has_its_kinds_shape_and_is_unique():
    items = demo_items()
    assert 180 <= len(items) <= 260
    assert len({i.code for i in items}) == len(items)
    for i in items:
        assert rules.code_problem(i.code, i.kind) is None, i.code
    kinds = {k: sum(1 for i in items if i.kind == k) for k in rules.KINDS}
    assert kinds["drug"] >= 100 and kinds["service"] >= 50 and kinds["consumable"] >= 15


def test_seeding_is_idempotent(db):
    out = StringIO()
    call_command("seed_catalog", stdout=out)
    assert "新增项目" in out.getvalue()
    counts = CatalogItem.objects.count(), CatalogVersion.objects.count()
    assert counts[0] == len(demo_items())
    assert seed_demo_catalog() == (0, 0)
    assert (CatalogItem.objects.count(), CatalogVersion.objects.count()) == counts


def test_the_worked_claim_example_is_priced_as_it_says(db):
    seed_demo_catalog()
    claim = json.loads(EXAMPLE.read_text()) if EXAMPLE.is_file() else CLAIM
    on = datetime.date.fromisoformat(claim["admission_date"])
    versions = services.terms_on([ln["code"] for ln in claim["lines"]], on)
    assert len(versions) == len(claim["lines"])
    for ln in claim["lines"]:
        v = versions[ln["code"]]
        assert v.item_class == ln["class"], ln["code"]
        expected = Decimal(ln["ceiling"]) if "ceiling" in ln else None
        assert v.ceiling == expected, ln["code"]
        assert v.b_self_ratio is None  # the plan's share applies


def test_search_finds_seeded_items_by_pinyin_name_and_code(db):
    seed_demo_catalog()
    on = datetime.date(2026, 3, 2)
    names = [v.name for v in services.search("asp", on=on)]
    assert "阿司匹林肠溶片" in names
    assert [v.item.code for v in services.search("00110200001", on=on)] == ["001102000010000"]
    beds = {v.name for v in services.search("床位费", on=on)}
    assert beds >= {"床位费（二级）", "床位费（一级）"}
