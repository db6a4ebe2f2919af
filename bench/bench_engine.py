"""Benchmark: the pure settlement engine, ten-line claims per second on one core.

    .venv/bin/python bench/bench_engine.py [N]

Target (issue: settlement): at least 3,000 ten-line claims per second.
"""

import json
import sys
import time
from decimal import Decimal
from pathlib import Path

import yaml

from huimin.insurance import engine
from huimin.insurance.plan import parse_plan

EXAMPLES = Path(__file__).resolve().parents[1] / "tests" / "examples"


def ten_line_claim() -> dict:
    claim = json.loads((EXAMPLES / "claim-example.json").read_text(), parse_float=Decimal)
    claim["lines"] = (claim["lines"] * 2)[:10]
    return claim


def main(n: int = 20000) -> None:
    plan = parse_plan(yaml.safe_load((EXAMPLES / "plan-example.yaml").read_text("utf-8")))
    doc = ten_line_claim()
    ytd = engine.YearToDate()
    # Parse + adjudicate + serialise, as a request would.
    start = time.perf_counter()
    for _ in range(n):
        claim = engine.parse_claim(doc, plan)
        engine.adjudicate(plan, claim, ytd).as_json()
    elapsed = time.perf_counter() - start
    print(f"engine: {n} ten-line claims in {elapsed:.2f} s = {n / elapsed:,.0f} claims/s (1 core)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
