"""Recall and precision against the manifest, and seed-review for the demo."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from huimin.review.models import Finding, RiskScore
from huimin.review.synthetic import recall
from huimin.review.synthetic.generate import manifest_path
from tests.review.batch.support import Claims, D


@pytest.fixture
def claims(county):
    return Claims()


@pytest.fixture
def var(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    return tmp_path


def test_recall_and_precision_by_hand(claims, var):
    claims.item("S1", "service", "血常规")
    dup = [("S1", "血常规", 1, "20")] * 2
    planted = [claims.settle(lines=dup) for _ in range(3)]
    natural = claims.settle(lines=dup, visit_date=D(2026, 5, 1))
    missed = claims.settle(lines=[("S1", "血常规", 1, "20")])  # planted, but no duplicate
    path = manifest_path("430522", 2026)
    path.parent.mkdir(parents=True)
    ids = [s.pk for s in planted] + [missed.pk]
    path.write_text(json.dumps({"claims": {"duplicate_charge": ids}, "subjects": {}}))
    call_command(
        "review", "run", "--region", "430522", "--from", "2026-01-01", "--to", "2026-12-31",
        "--rules", "duplicate_charge", "--no-progress", stdout=io.StringIO(),
    )  # fmt: skip
    [row] = recall.recall("430522", 2026)
    assert (row.planted, row.caught, row.findings) == (4, 3, 4)
    assert (row.recall, row.precision) == (0.75, 0.75)  # natural's finding is not planted
    assert Finding.objects.filter(settlement=natural).exists()
    out = io.StringIO()
    call_command("review", "recall", "--region", "430522", "--year", "2026", stdout=out)
    assert "75.0%" in out.getvalue()


def test_recall_without_manifest_says_what_to_run(db, var):
    with pytest.raises(CommandError, match="generate-claims"):
        call_command("review", "recall", "--region", "430522", "--year", "2026")


def test_review_run_refuses_unknown_rules_and_bad_dates(db):
    with pytest.raises(CommandError, match="不支持的规则"):
        call_command(
            "review", "run", "--region", "430522", "--from", "2026-01-01", "--to", "2026-12-31",
            "--rules", "cap_bunching",
        )  # fmt: skip
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("review", "run", "--region", "430522", "--from", "2026-13-01", "--to", "x")
    assert not Finding.objects.exists()


def test_seed_review_populates_queue_and_scores_once(db, var):
    from tests.insurance.test_seed_settlements import build_county

    build_county(150)
    out = io.StringIO()
    call_command("seed_review", year=2026, residents=150, per_kind=3, stdout=out)
    assert "植入合成结算" in out.getvalue()
    findings = Finding.objects.count()
    assert findings > 0
    assert RiskScore.objects.filter(subject_kind="institution").exists()
    call_command("seed_review", year=2026, residents=150, per_kind=3, stdout=out)
    assert Finding.objects.count() == findings  # nothing planted twice, nothing duplicated
