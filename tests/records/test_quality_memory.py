"""What the quality run remembers between runs: each signed form's specification
problems (FormCheck), reused while the form's data, the person and the specifications
are unchanged, and the county's group statistics of the day (QualityStats)."""

import datetime as dt
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from huimin.records import forms, quality
from huimin.records import quality_rules as rules
from huimin.records.forms.spec import Problem
from huimin.records.models import FormCheck, QualityStats
from tests.records.test_quality_run import (
    FOLLOWUP,
    TODAY,
    followup,
    imported,
    open_rules,
    urgent,
)

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- pure: when a check holds

DAY = dt.date(2026, 11, 24)
WEIGHT = ["weight", "required", "请填写体重"]
FUTURE = ["visit_date", "date_in_future", "随访日期不能晚于今天"]


def test_a_remembered_check_holds_only_for_the_same_key():
    stored = ("k1", DAY, [WEIGHT])
    assert rules.remembered_problems(stored, "k1", DAY) == [Problem(*WEIGHT)]
    assert rules.remembered_problems(stored, "k2", DAY) is None
    assert rules.remembered_problems(None, "k1", DAY) is None


def test_a_check_holds_on_later_days_but_not_earlier_ones():
    stored = ("k", DAY, [])
    assert rules.remembered_problems(stored, "k", DAY + dt.timedelta(days=400)) == []
    assert rules.remembered_problems(stored, "k", DAY - dt.timedelta(days=1)) is None


def test_a_date_in_the_future_is_judged_again_the_next_day():
    stored = ("k", DAY, [WEIGHT, FUTURE])
    assert len(rules.remembered_problems(stored, "k", DAY)) == 2
    assert rules.remembered_problems(stored, "k", DAY + dt.timedelta(days=1)) is None


def test_clean_reads_the_day_only_in_the_future_date_test():
    """remembered_problems relies on this: a check using `ctx.today` elsewhere would
    make remembered problems wrong on later days (then key them by day instead)."""
    root = Path(forms.__file__).parent
    uses = {
        (path.name, n)
        for path in root.glob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if ".today" in line
    }
    assert {name for name, _ in uses} == {"spec.py"} and len(uses) == 1, uses


# ---------------------------------------------------------------- the run


def remember_wrongly(form):
    """Overwrite a form's remembered problems, to see whether a run uses them."""
    FormCheck.objects.filter(form=form).update(problems=[WEIGHT])


def test_the_first_run_remembers_every_signed_form(hypertensive, village_doctor):
    signed = followup(village_doctor, hypertensive, "2025-03-01")
    draft = followup(village_doctor, hypertensive, "2025-04-01", sign=False)
    quality.run(everything=True, today=TODAY)
    check = FormCheck.objects.get(form=signed)
    assert check.checked_on == TODAY and check.problems == [] and len(check.key) == 32
    assert not FormCheck.objects.filter(form=draft).exists()


def test_a_rerun_takes_the_remembered_problems_of_an_unchanged_form(hypertensive, village_doctor):
    form = followup(village_doctor, hypertensive, "2025-03-01")
    quality.run(everything=True)
    assert ("completeness.required", "weight") not in open_rules(hypertensive)
    remember_wrongly(form)
    quality.run(everything=True)
    assert ("completeness.required", "weight") in open_rules(hypertensive)


def test_a_form_whose_data_changed_is_cleaned_again(hypertensive, village_doctor):
    form = imported(
        hypertensive, "htn_followup", "2025-06-01", {**FOLLOWUP, "visit_date": "2025-06-01"}
    )
    quality.run(everything=True)
    remember_wrongly(form)
    # An import rewriting the data behind the ORM's back (no save, no changed_at).
    type(form).objects.filter(pk=form.pk).update(
        data={**FOLLOWUP, "visit_date": "2025-06-01", "systolic": "80", "diastolic": "120"}
    )
    quality.run(everything=True)
    rules_now = open_rules(hypertensive)
    assert ("completeness.required", "weight") not in rules_now
    assert ("validity.systolic_not_above_diastolic", "systolic") in rules_now
    codes = [code for _, code, _ in FormCheck.objects.get(form=form).problems]
    assert "systolic_not_above_diastolic" in codes and WEIGHT not in codes


def test_a_change_to_the_person_cleans_the_forms_again(hypertensive, village_doctor):
    followup(village_doctor, hypertensive, "2025-03-01")
    quality.run(everything=True)
    person = hypertensive.person
    person.death_date = dt.date(2025, 2, 1)  # the follow-up is dated after it
    person.save(update_fields=["death_date"])
    quality.run(everything=True)
    assert ("consistency.after_death", "visit_date") in open_rules(hypertensive)


def test_a_change_to_the_specifications_cleans_every_form_again(
    hypertensive, village_doctor, monkeypatch
):
    form = followup(village_doctor, hypertensive, "2025-03-01")
    quality.run(everything=True)
    remember_wrongly(form)
    monkeypatch.setattr(quality, "FORM_CHECK_VERSION", quality.FORM_CHECK_VERSION + 1)
    quality.spec_fingerprint.cache_clear()
    try:
        quality.run(everything=True)
    finally:
        quality.spec_fingerprint.cache_clear()
    assert ("completeness.required", "weight") not in open_rules(hypertensive)
    assert FormCheck.objects.get(form=form).problems == []


def test_a_date_in_the_future_is_resolved_once_the_day_comes(hypertensive):
    imported(hypertensive, "htn_followup", "2026-12-01", {**FOLLOWUP, "visit_date": "2026-12-01"})
    quality.run(everything=True, today=TODAY)
    assert ("validity.date_in_future", "visit_date") in open_rules(hypertensive)
    quality.run(everything=True, today=dt.date(2026, 12, 2))
    assert ("validity.date_in_future", "visit_date") not in open_rules(hypertensive)


def test_the_group_stats_are_kept_for_the_day(hypertensive, village_doctor):
    days = [f"2025-{m:02d}-05" for m in range(2, 10)]
    for day, systolic in zip(days, (120, 122, 125, 128, 130, 131, 135, 210), strict=True):
        extra = urgent(day) if systolic >= 180 else {}
        followup(village_doctor, hypertensive, day, systolic=str(systolic), **extra)
    quality.run(everything=True, min_group=8, today=TODAY)
    kept = QualityStats.objects.get(county=hypertensive.region_code[:6], day=TODAY, min_group=8)
    assert kept.stats["systolic|1|65+"][:2] == [8, 129.0]  # n, median
    assert kept.covers == quality.ALL_ROWS  # a small county: every reading was read
    assert ("outlier", "systolic") in open_rules(hypertensive)

    # Later runs that day use the kept stats: a reading signed since does not move them.
    followup(village_doctor, hypertensive, "2025-10-05", systolic="300", **urgent("2025-10-05"))
    quality.run(min_group=8, today=TODAY)
    assert QualityStats.objects.count() == 1
    assert "中位数129" in open_rules_messages(hypertensive, "outlier")[0]

    # The next day computes them again, with the new reading.
    quality.run(everything=True, min_group=8, today=TODAY + dt.timedelta(days=1))
    assert list(QualityStats.objects.values_list("day", flat=True)) == [
        TODAY + dt.timedelta(days=1)  # the older day's are dropped
    ]
    assert all("中位数130" in m for m in open_rules_messages(hypertensive, "outlier"))


def open_rules_messages(record, rule):
    return list(record.findings.filter(status="open", rule=rule).values_list("message", flat=True))


def test_default_jobs_is_the_cpus_on_postgresql_only():
    expected = 1 if connection.vendor != "postgresql" else len(os.sched_getaffinity(0))
    assert quality.default_jobs() == expected


def test_the_command_runs_with_the_default_jobs(resident_record):
    out = StringIO()
    call_command("quality_run", "--all", stdout=out)
    assert "检查档案 1 份，合格 0 份" in out.getvalue()  # no personal information form
    assert FormCheck.objects.count() == 0  # nothing signed yet
