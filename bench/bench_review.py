"""Benchmark the batch review (`huimin review run`) on a synthetic year.

    scripts/with-postgres.sh .venv/bin/python bench/bench_review.py --residents 20000
    .venv/bin/python bench/bench_review.py --residents 5000      # SQLite under /tmp

The database (HUIMIN_DATABASE_URL, or a fresh SQLite file under /tmp) is migrated; when
the county has no people yet it is built as `make demo` builds it (generate, catalog,
plan, enrollment), then `huimin generate-claims` writes the year with planted fraud
(timed), the batch review runs over the year (timed per rule), a rerun (idempotent:
nothing new), the monthly scores, and the recall/precision on the planted cases.
"""

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> tuple[float, float, int]:
    """(own CPU seconds, reaped children's CPU seconds, parent pid) from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / TICK
    children = (int(fields[13]) + int(fields[14])) / TICK
    return own, children, int(fields[1])


class Meters:
    """CPU seconds of this process (the application) and of the database: the session's
    backend plus the server's reaped children (parallel query workers), read from /proc
    — the server must run on this machine (PostgreSQL only)."""

    def __init__(self, connection):
        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("SELECT pg_backend_pid()")
                self.backend = c.fetchone()[0]
            self.postmaster = proc_cpu(self.backend)[2]
        self.last = self.read()

    def read(self) -> tuple[float, float, float]:
        db = 0.0
        if self.backend is not None:
            db = proc_cpu(self.backend)[0] + proc_cpu(self.postmaster)[1]
        return time.perf_counter(), time.process_time(), db

    def lap(self) -> tuple[float, float, float]:
        now = self.read()
        spent = tuple(b - a for a, b in zip(self.last, now, strict=True))
        self.last = now
        return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--county", default="430522")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--workdir", help="keep the planted-case manifest here (default: a fresh temporary "
        "directory); give the same one to a later --no-generate run"
    )  # fmt: skip
    parser.add_argument("--no-score", action="store_true", help="leave out the monthly scores")
    parser.add_argument(
        "--fresh", action="store_true", help="delete the batch's findings first (a first run)"
    )
    parser.add_argument(
        "--build-only", action="store_true", help="build the county and its year, then stop"
    )
    parser.add_argument(
        "--no-generate", action="store_true",
        help="the year is already in the database (an earlier --build-only run): review only",
    )  # fmt: skip
    args = parser.parse_args()

    tmpdir = None
    if not os.environ.get("HUIMIN_DATABASE_URL"):
        tmpdir = tempfile.TemporaryDirectory(prefix="huimin-bench-")
        os.environ["HUIMIN_DATABASE_URL"] = f"sqlite:///{tmpdir.name}/bench.sqlite3"
    os.environ.setdefault("HUIMIN_ENV_FILE", os.devnull)
    os.environ.setdefault("HUIMIN_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from huimin.insurance.catalog.models import CatalogItem
    from huimin.insurance.catalog.seed import seed_demo_catalog
    from huimin.insurance.enrollment import seed as enrollment_seed
    from huimin.insurance.enrollment.models import Enrollment
    from huimin.insurance.models import BenefitPlan, FeeDetail, Settlement
    from huimin.insurance.seed.plan import seed_plan
    from huimin.registry.models import Person
    from huimin.review import scoring
    from huimin.review.batch import runner
    from huimin.review.models import Finding, ReviewRun
    from huimin.review.synthetic import recall
    from huimin.review.synthetic.generate import generate

    settings.DEBUG = False  # no query log kept in memory
    workdir = args.workdir or (tmpdir.name if tmpdir else tempfile.mkdtemp(prefix="huimin-bench-"))
    settings.BASE_DIR = Path(workdir)
    call_command("migrate", verbosity=0, interactive=False)
    as_of = datetime.date(args.year, 11, 24)
    # Each step only when its rows are missing, so an interrupted build resumes.
    start = time.perf_counter()
    if not Person.objects.within(args.county).exists():
        call_command(
            "generate", county=args.county, residents=args.residents, seed=args.seed,
            no_records=True, as_of=as_of, no_progress=True, verbosity=0,
        )  # fmt: skip
        call_command("demo_accounts", verbosity=0)
    if not BenefitPlan.objects.filter(region_code=args.county, year=args.year).exists():
        seed_plan(args.county, args.year)
    if not CatalogItem.objects.exists():
        seed_demo_catalog()
    if not Enrollment.objects.filter(year=args.year).exists():
        enrollment_seed.seed_enrollment(args.year, county=args.county, seed=args.seed, as_of=as_of)
    print(f"county built in {time.perf_counter() - start:.0f} s (not counted below)")
    print(f"{connection.vendor}; {platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}; {datetime.date.today()}")  # fmt: skip

    if not args.no_generate:
        start = time.perf_counter()
        made = generate(args.county, args.year, residents=args.residents, seed=args.seed)
        gen_s = time.perf_counter() - start
        print(
            f"generate-claims: {made.residents:,} residents, {made.settlements:,} settlements, "
            f"{made.lines:,} fee lines in {gen_s:.1f} s"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("ANALYZE")
    if args.build_only:
        return 0
    residents = Person.objects.within(args.county).count()
    settlements = Settlement.objects.filter(year=args.year).count()
    lines = FeeDetail.objects.count()
    first, last = datetime.date(args.year, 1, 1), datetime.date(args.year, 12, 31)
    if args.fresh:  # a first run again: the batch's findings of the period removed
        # in SQL: the ORM's delete collects related rows with one parameter per finding
        with connection.cursor() as c:
            c.execute(f"DELETE FROM {Finding._meta.db_table} WHERE source = 'batch'")  # noqa: S608
            c.execute(f"DELETE FROM {ReviewRun._meta.db_table}")  # noqa: S608
    print(f"load average before the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    totals = {}
    meters = Meters(connection)
    for label in ("first run", "rerun"):
        per_rule = {}

        def after_rule(code, per_rule=per_rule):
            per_rule[code] = meters.lap()

        meters.lap()
        whole = Meters(connection)
        done = runner.run(args.county, first, last, started_by="bench", after_rule=after_rule)
        wall, app, db = whole.lap()
        totals[label] = wall
        print(f"review run ({label}): {wall:.1f} s wall, {app:.1f} s application CPU, "
              f"{db:.1f} s database CPU; {settlements:,} settlements, {lines:,} lines; "
              f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
        for code, (w, a, d) in per_rule.items():
            c = done.counts[code]
            print(f"  {code:<24} {w:7.2f} s  app {a:6.2f}  db {d:6.2f}  "
                  f"found {c['found']:>7,}  new {c['new']:>7,}")  # fmt: skip
    if not args.no_score:
        rule_set, _ = runner.rule_set_for(args.county, args.year)
        start = time.perf_counter()
        for month in scoring.months_between(first, last):
            scoring.score_month(args.county, month, rule_set)
        print(f"scores, 12 months: {time.perf_counter() - start:.1f} s")
    per_100k = totals["first run"] / max(residents, 1) * 100_000
    print(f"first run extrapolated (linear in residents): {per_100k * 2:.0f} s for 200,000, "
          f"{per_100k * 10:.0f} s for 1,000,000")  # fmt: skip
    print(f"{'rule':<24}{'planted':>8}{'caught':>8}{'recall':>8}{'findings':>10}{'precision':>10}")
    for row in recall.recall(args.county, args.year):
        print(f"{row.rule:<24}{row.planted:>8}{row.caught:>8}{row.recall:>8.1%}"
              f"{row.findings:>10}{row.precision:>10.1%}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
