"""`huimin indicators rebuild|refresh`: what an operator types, and its refusals."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from huimin.reports.models import IndicatorFigure, RebuildRun
from tests import factories


def test_rebuild_a_region_and_period_twice_gives_the_same_rows(county, capsys):
    factories.make_person("甲", factories.VILLAGES[0], datetime.date(1950, 1, 1))
    args = [
        "rebuild",
        "--region",
        factories.COUNTY,
        "--period",
        "2026-03",
        "--indicator",
        "record.building",
    ]
    call_command("indicators", *args)
    first = set(IndicatorFigure.objects.values_list("region_code", "numerator", "denominator"))
    call_command("indicators", *args)
    assert (
        set(IndicatorFigure.objects.values_list("region_code", "numerator", "denominator")) == first
    )
    assert (factories.COUNTY, 0, 1) in first
    assert "写入 6 行" in capsys.readouterr().out
    assert RebuildRun.objects.filter(finished_at__isnull=False).count() == 2
    call_command("indicators", "refresh", "--region", factories.COUNTY)
    assert "增量重算" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["rebuild", "--region", "43"], "区划代码"),
        (["rebuild", "--region", "430599"], "没有这个区划"),
        (["rebuild", "--period", "2026-13"], "--period"),
        (["rebuild", "--indicator", "nope"], "未知指标"),
        (["refresh", "--region", factories.COUNTY], "先运行"),
    ],
)
def test_bad_arguments_are_refused_in_chinese(county, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("indicators", *args)
