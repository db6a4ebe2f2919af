"""Benchmark the analytics export (`huimin export parquet`) and the review rules over it
in DuckDB (`huimin analytics review`) on a synthetic county year.

    scripts/with-postgres.sh .venv/bin/python bench/bench_export.py --residents 20000
    .venv/bin/python bench/bench_export.py --residents 2000      # SQLite under /tmp

The database (HUIMIN_DATABASE_URL, or a fresh SQLite file under /tmp) is migrated; when
the county has no people it is built as `make demo` builds it (generate, catalog, plan,
enrollment, the records' year), then a year of claims with planted fraud and the
database batch review (so the export has findings). Timed: the export (wall, the
application's CPU, PostgreSQL's backend CPU from /proc, rows/s), then the DuckDB review
over the export (wall, CPU; DuckDB runs in this process), its findings checked against
the database batch's, and the indicator SQL of huimin/analytics/indicators.py in DuckDB.
"""

import argparse
import datetime
import io
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def backend_cpu(connection) -> float:
    """PostgreSQL's CPU for this connection's backend (same machine), in seconds."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--county", default="430522")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=None, help="export directory (default: tmp)")
    args = parser.parse_args()

    tmpdir = tempfile.TemporaryDirectory(prefix="huimin-bench-export-")
    if not os.environ.get("HUIMIN_DATABASE_URL"):
        os.environ["HUIMIN_DATABASE_URL"] = f"sqlite:///{tmpdir.name}/bench.sqlite3"
    os.environ.setdefault("HUIMIN_ENV_FILE", os.devnull)
    os.environ.setdefault("HUIMIN_DEBUG", "1")  # development keys, the export's too
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from huimin.analytics import duck, export, indicators
    from huimin.insurance.catalog.seed import seed_demo_catalog
    from huimin.insurance.enrollment import seed as enrollment_seed
    from huimin.insurance.seed.plan import seed_plan
    from huimin.registry.models import Person
    from huimin.review.batch import runner
    from huimin.review.models import Finding, FindingSource
    from huimin.review.synthetic.generate import generate

    settings.DEBUG = False  # no query log kept in memory
    settings.BASE_DIR = Path(tmpdir.name)
    call_command("migrate", verbosity=0, interactive=False)
    as_of = datetime.date(args.year, 11, 24)
    first, last = datetime.date(args.year, 1, 1), datetime.date(args.year, 12, 31)
    if not Person.objects.within(args.county).exists():
        start = time.perf_counter()
        call_command(
            "generate", county=args.county, residents=args.residents, seed=args.seed,
            as_of=as_of, no_progress=True, verbosity=0, stdout=io.StringIO(),
        )  # fmt: skip
        call_command("demo_accounts", verbosity=0, stdout=io.StringIO())
        seed_plan(args.county, args.year)
        seed_demo_catalog()
        enrollment_seed.seed_enrollment(args.year, county=args.county, seed=args.seed, as_of=as_of)
        generate(args.county, args.year, residents=args.residents, seed=args.seed)
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("ANALYZE")
        start_review = time.perf_counter()
        runner.run(args.county, first, last, started_by="bench")
        print(
            f"county built in {start_review - start:.0f} s, database batch review "
            f"{time.perf_counter() - start_review:.1f} s (neither counted below)"
        )
    print(
        f"{connection.vendor}; {platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f} (shared with other work); {datetime.date.today()}"
    )

    out = args.out or Path(tmpdir.name) / "export"
    app0, db0, wall0 = cpu(), backend_cpu(connection), time.perf_counter()
    result = export.export(out, export.Scope(region=args.county))
    wall = time.perf_counter() - wall0
    app, db = cpu() - app0, backend_cpu(connection) - db0
    rows = sum(result.rows.values())
    size = sum(p.stat().st_size for p in out.glob("**/*.parquet"))
    print(
        f"export: {rows:,} rows in {result.files} files ({size / 1e6:.1f} MB) in {wall:.1f} s "
        f"= {rows / wall:,.0f} rows/s; CPU app {app:.1f} s, database {db:.1f} s"
    )
    for name, n in result.rows.items():
        print(f"  {name:<16} {n:>10,}")

    for label in ("DuckDB review (cold)", "DuckDB review (again)"):
        cpu0, wall0 = cpu(), time.perf_counter()
        run = duck.review(out, args.county, first, last)
        wall = time.perf_counter() - wall0
        print(f"{label}: {len(run.hits):,} findings in {wall:.1f} s, CPU {cpu() - cpu0:.1f} s")
    for code, seconds in run.seconds.items():
        print(f"  {code:<24} {seconds:7.2f} s")
    con = duck.connect(out, args.county)
    for ind in indicators.SQL_INDICATORS:
        cpu0, wall0 = cpu(), time.perf_counter()
        figures = indicators.in_duckdb(con, ind, args.county, first, last)
        wall = time.perf_counter() - wall0
        print(f"DuckDB {ind.code}: {figures[0].rate if figures else None} in {wall * 1000:.0f} ms"
              f", CPU {(cpu() - cpu0) * 1000:.0f} ms")  # fmt: skip
    stored = set(
        Finding.objects.filter(source=FindingSource.BATCH).values_list("fingerprint", flat=True)
    )
    same = stored == {h.fingerprint for h in run.hits}
    print(f"findings equal the database batch's: {same} ({len(stored):,} stored)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
