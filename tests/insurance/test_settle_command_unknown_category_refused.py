"""`huimin settle` refuses a person_category §5 does not define (exit 1, naming the
field) instead of settling `Dibao` as an ordinary resident with exit 0."""

import json

import pytest

from huimin.insurance import settle_cli
from huimin.registry.models import SpecialCategory
from tests.insurance.settle_cli_support import CLAIM, YTD, settle


@pytest.mark.parametrize("category", ["Dibao", "DIBAO", "low_income", " dibao"])
def test_an_unknown_category_is_refused_naming_the_field(tmp_path, capsys, category):
    code, out, err = settle(tmp_path, capsys, {**CLAIM, "person_category": category})
    assert code == 1 and out == ""
    assert "\nperson_category: " in err
    assert "未定义" in err and "dibao" in err


def test_a_missing_category_is_refused(tmp_path, capsys):
    claim = {k: v for k, v in CLAIM.items() if k != "person_category"}
    code, _out, err = settle(tmp_path, capsys, claim)
    assert code == 1 and "\nperson_category: 缺少此项" in err


@pytest.mark.parametrize("category", ["ordinary", "dibao", "tekun", "disabled"])
def test_known_categories_settle(tmp_path, capsys, category):
    code, out, err = settle(tmp_path, capsys, {**CLAIM, "person_category": category}, YTD)
    assert code == 0, err
    assert json.loads(out)["total"]


def test_the_command_knows_the_registrys_categories():
    # The command runs without Django, so it keeps its own copy of the codes.
    assert set(settle_cli.SPECIAL_CATEGORIES) == set(SpecialCategory.values)
