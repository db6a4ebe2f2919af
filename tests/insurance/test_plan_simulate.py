"""`huimin plan simulate`: a candidate plan re-settles the year without writing anything."""

import json
from io import StringIO

from django.core.management import call_command

from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.models import Accumulator, Settlement
from huimin.insurance.services.settlement import do_settle
from tests.insurance.conftest import example_plan_text
from tests.insurance.test_settlement_flow import admit_and_bill


def test_a_more_generous_plan_lowers_what_the_patient_pays(insured, tmp_path):
    visit = admit_and_bill(insured)
    do_settle(insured.hospital, visit, "k1", {})
    counts = (
        Settlement.objects.count(),
        JournalEntry.objects.count(),
        Accumulator.objects.get().basic_paid,
    )
    # Level 2 inpatient ratio 0.80 → 0.90 (dibao bonus 0.05 on top: 0.85 → 0.95).
    # basic = (30740.20 − 200.00) × 0.95 = 29013.19 (was 25959.17 at 0.85).
    candidate = tmp_path / "next.yaml"
    candidate.write_text(
        example_plan_text().replace('"2": "0.80"', '"2": "0.90"'), encoding="utf-8"
    )
    out = StringIO()
    call_command(
        "plan", "simulate", "--plan", str(candidate), "--year", "2026", "--json", stdout=out
    )
    report = json.loads(out.getvalue())
    assert report["settlements"] == 1
    overall = report["overall"]
    assert overall["basic_fund_actual"] == "25959.17"
    assert overall["basic_fund_simulated"] == "29013.19"
    assert overall["basic_fund_change"] == "3054.02"
    assert report["movers"][0]["person_id"] == insured.person.pk
    assert report["movers"][0]["patient_pay_change"].startswith("-")
    # Masked, enough to look the person up: 邓建国 → 邓**.
    assert report["movers"][0]["name"] == "邓**"
    assert report["movers"][0]["id_number"] == insured.person.id_number_masked
    assert report["unpaid_level"] == 0
    # Nothing written.
    assert (
        Settlement.objects.count(),
        JournalEntry.objects.count(),
        Accumulator.objects.get().basic_paid,
    ) == counts


def test_visits_at_a_level_the_candidate_does_not_pay_are_counted(insured, tmp_path):
    visit = admit_and_bill(insured)  # an inpatient stay at the level-2 county hospital
    do_settle(insured.hospital, visit, "k1", {})
    text = (
        example_plan_text()
        .replace(
            'deductible: {"1": "100.00", "2": "400.00", "3": "800.00", ',
            'deductible: {"1": "100.00", "3": "800.00", ',
        )
        .replace(
            'ratio:      {"1": "0.90",   "2": "0.80",   "3": "0.60",   ',
            'ratio:      {"1": "0.90",   "3": "0.60",   ',
        )
    )
    candidate = tmp_path / "next.yaml"
    candidate.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command(
        "plan", "simulate", "--plan", str(candidate), "--year", "2026", "--json", stdout=out
    )
    report = json.loads(out.getvalue())
    assert report["unpaid_level"] == 1 and report["skipped"] == 0
    assert report["overall"]["basic_fund_simulated"] == "0.00"
