"""The national region tree and the statistical-division import."""

import pytest
from django.core.management import CommandError, call_command

from huimin.registry import rules
from huimin.registry.models import Region
from huimin.registry.regions import stdnum_counties


def test_prefix_and_parent_follow_the_code_shape():
    assert rules.region_prefix("430000") == "43"
    assert rules.region_prefix("430500") == "4305"
    assert rules.region_prefix("430522100") == "430522100"
    assert rules.region_parent_code("430522100201") == "430522100"
    assert rules.region_parent_code("430522100") == "430522"
    assert rules.region_parent_code("430522") == "430500"
    assert rules.region_parent_code("430500") == "430000"


def test_loc_years_are_parsed():
    assert rules.parse_loc_years("[1983-2019]邵东县,[2019-]邵东市") == [
        (1983, 2019, "邵东县"),
        (2019, None, "邵东市"),
    ]


def test_national_codes_are_loaded_with_history(db):
    shaodong_old = Region.objects.get(code="430521")
    assert shaodong_old.name == "邵东县" and shaodong_old.valid_to == 2019
    assert Region.objects.get(code="430582").in_force
    assert Region.objects.get(code="430522").parent_id == "430500"
    assert Region.objects.filter(level="province").count() == 34
    assert Region.objects.count() == len(stdnum_counties())


def test_everything_under_a_city_is_a_prefix_query(db):
    codes = set(Region.objects.filter(code__startswith="4305").values_list("code", flat=True))
    assert {"430500", "430521", "430522", "430582"} <= codes
    assert "430600" not in codes


def test_import_divisions_loads_townships_and_villages(db, tmp_path):
    sheet = tmp_path / "divisions.csv"
    sheet.write_text(
        "代码,名称\n430522100000,酿溪镇\n430522100201,城东村\n430522100202,城西村\n",
        encoding="utf-8",
    )
    call_command("import_divisions", str(sheet))
    town = Region.objects.get(code="430522100")
    assert town.level == "township" and town.parent_id == "430522"
    assert Region.objects.get(code="430522100201").parent_id == "430522100"


def test_import_divisions_with_a_bad_row_imports_nothing(db, tmp_path):
    sheet = tmp_path / "divisions.csv"
    sheet.write_text(
        "代码,名称\n430522100000,酿溪镇\n43052210020,短代码村\n430599100201,无上级村\n",
        encoding="gb18030",
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_divisions", str(sheet))
    message = str(exc.value)
    assert "第3行" in message and "第4行" in message
    assert not Region.objects.filter(code__startswith="430522100").exists()
