"""The batch's findings on a generated year, in a form that survives a rebuild: keyed by
rule and visit number (or pattern subject and date), not by row ids, which a rebuilt
database may number differently. What a reviewer reads — explanation, lines, facts — and
what scoring and recovery read — severity, weight, funds paid — are kept whole."""

import io

from django.core.management import call_command

from huimin.review.fingerprints import claim_fingerprint
from huimin.review.models import Finding
from tests.insurance.test_seed_settlements import COUNTY, YEAR, build_county


def build_and_review() -> str:
    build_county(400)
    out = io.StringIO()
    call_command("generate_claims", residents=400, year=YEAR, per_kind=6, stdout=out)
    call_command(
        "review", "run", "--region", COUNTY, "--from", f"{YEAR}-01-01",
        "--to", f"{YEAR}-12-31", "--no-progress", stdout=out,
    )  # fmt: skip
    return out.getvalue()


def snapshot() -> dict:
    rows = Finding.objects.filter(source="batch").values(
        "rule", "fingerprint", "settlement_id", "visit__his_visit_no", "subject_kind",
        "subject", "service_date", "severity", "weight", "explanation", "lines", "facts",
        "fund_paid", "region_code", "month",
    )  # fmt: skip
    out = {}
    for r in rows:
        if r["settlement_id"] is not None:
            # the fingerprint is the claim's, whatever its id in this database
            assert r["fingerprint"] == claim_fingerprint(r["rule"], r["settlement_id"])
            key = f"{r['rule']}|{r['visit__his_visit_no']}"
        else:
            key = f"{r['rule']}|{r['subject_kind']}:{r['subject']}@{r['service_date']}"
        out[key] = {
            "severity": r["severity"],
            "weight": str(r["weight"]),
            "explanation": r["explanation"],
            "lines": r["lines"],
            "facts": r["facts"],
            "fund_paid": str(r["fund_paid"]),
            "region_code": r["region_code"],
            "month": r["month"],
        }
    return dict(sorted(out.items()))
