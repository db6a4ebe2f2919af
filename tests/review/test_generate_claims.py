"""huimin generate-claims: a synthetic year adjudicated by the plan, planted fraud in a
manifest, and the batch review catching it (recall/precision)."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from huimin.core.money import r2
from huimin.insurance import engine as adjudication
from huimin.insurance import plans
from huimin.insurance.models import FeeDetail, Settlement, Visit
from huimin.registry.models import Institution
from huimin.review.models import Finding
from huimin.review.synthetic import generate as synth
from huimin.review.synthetic import recall
from tests.insurance.test_seed_settlements import COUNTY, YEAR, build_county


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    with django_db_blocker.unblock(), transaction.atomic():
        old = settings.BASE_DIR
        settings.BASE_DIR = tmp_path_factory.mktemp("var")
        try:
            build_county(400)
            out = io.StringIO()
            call_command("generate_claims", residents=400, year=YEAR, per_kind=6, stdout=out)
            call_command(
                "review", "run", "--region", COUNTY, "--from", f"{YEAR}-01-01",
                "--to", f"{YEAR}-12-31", "--no-progress", stdout=out,
            )  # fmt: skip
            yield out.getvalue(), recall.recall(COUNTY, YEAR), settings.BASE_DIR
        finally:
            settings.BASE_DIR = old
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _db(db):
    """Each test in its own savepoint inside the module's transaction."""


def test_about_three_settlements_and_marked_synthetic(generated):
    synthetic = Settlement.objects.filter(idempotency_key__startswith="SYN-")
    n = synthetic.count()
    assert 2.4 * 400 <= n <= 4 * 400
    assert (
        not Visit.objects.filter(his_visit_no__startswith="SYN-")
        .exclude(doctor_code__startswith="H")
        .exists()
    )
    assert synthetic.first().result["synthetic"] is True
    assert (
        FeeDetail.objects.filter(visit__his_visit_no__startswith="SYN-").count() > 6 * n
    )  # ~25 lines a resident, about 8 a settlement


def test_each_settlement_is_what_the_plan_pays_in_date_order(generated):
    # re-adjudicate one person's year by hand through the pure engine
    s0 = Settlement.objects.filter(idempotency_key__startswith="SYN-").order_by("id").first()
    rows = Settlement.objects.filter(person_id=s0.person_id, idempotency_key__startswith="SYN-")
    plan = plans.parsed(s0.plan)
    ytd = adjudication.YearToDate()
    ordered = sorted(
        rows.select_related("visit"),
        key=lambda s: (s.visit.discharge_date or s.visit.visit_date, s.visit.visit_date),
    )
    for s in ordered:
        lines = tuple(
            adjudication.ClaimLine(
                f.code, f.name, f.item_class, f.quantity, f.unit_price, f.ceiling, f.b_self_ratio
            )
            for f in FeeDetail.objects.filter(visit=s.visit).order_by("line_no")
        )
        paid = adjudication.adjudicate(
            plan,
            adjudication.Claim(s.visit_type, s.visit.institution_level, "ordinary", lines),
            ytd,
        )
        assert (paid.total, paid.basic_fund, paid.patient_pay) == (
            s.total,
            s.basic_fund,
            s.patient_pay,
        )
        # the bill is its lines, each rounded to the fen
        lines_total = sum(
            (r2(f.quantity * f.unit_price) for f in FeeDetail.objects.filter(visit=s.visit)),
            Decimal("0.00"),
        )
        assert s.total == lines_total
        ytd = paid.ytd_after


def test_each_settlement_names_the_lines_it_settled(generated):
    # The typed settlement row (issue 12): its fee-line ids are its visit's lines.
    from huimin.insurance.models import FeeDetail

    for s in Settlement.objects.filter(idempotency_key__startswith="SYN-").order_by("pk")[:50]:
        lines = FeeDetail.objects.filter(visit_id=s.visit_id).order_by("pk")
        assert s.fee_line_ids == list(lines.values_list("pk", flat=True)) != []


def test_manifest_lists_every_planted_kind(generated):
    doc = json.loads(synth.manifest_path(COUNTY, YEAR).read_text(encoding="utf-8"))
    assert set(doc["claims"]) >= {
        "split_admission",
        "bed_without_treatment",
        "over_dispensing",
        "over_ceiling",
    }
    assert set(doc["subjects"]) == {"bulk_swiping", "peer_outlier"}


def test_the_batch_catches_the_planted_fraud(generated):
    _, table, _ = generated
    by = {r.rule: r for r in table}
    for rule in (
        "split_admission",
        "bed_without_treatment",
        "over_dispensing",
        "over_ceiling",
        "bulk_swiping",
    ):
        assert by[rule].recall == 1.0, (rule, by[rule])
    assert by["bed_without_treatment"].precision == 1.0
    assert Finding.objects.filter(source="batch").exists()


def test_missing_prerequisites_are_named(db):
    with pytest.raises(CommandError) as exc:
        call_command("generate_claims", residents=10, year=2031, stdout=io.StringIO())
    assert "结算方案" in str(exc.value) and "参保人" in str(exc.value)


def test_the_ordinary_year_keeps_to_the_catalog(generated):
    """Lines within the items' medically unlikely maxima, no bundle with its components
    or exclusive pair, nothing the institution is not qualified for: only the padding
    institution's doubled quantities exceed a maximum."""
    doc = json.loads(synth.manifest_path(COUNTY, YEAR).read_text(encoding="utf-8"))
    padders = set(doc["subjects"]["peer_outlier"])
    # the generated county's institutions have their qualifications recorded (by kind)
    assert not Institution.objects.within(COUNTY).filter(qualifications=None).exists()
    batch = Finding.objects.filter(source="batch")
    assert not batch.filter(rule__in=("unbundling", "beyond_qualification")).exists()
    over = batch.filter(rule="mue_exceeded")
    assert over.exists()
    assert set(over.values_list("institution__insurance_code", flat=True)) <= padders
