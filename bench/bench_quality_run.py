"""Benchmark the data-quality run (`huimin quality-run`) on a generated county.

    scripts/with-postgres.sh .venv/bin/python bench/bench_quality_run.py --residents 100000
    .venv/bin/python bench/bench_quality_run.py --residents 20000     # SQLite under /tmp

The database (HUIMIN_DATABASE_URL, or a fresh SQLite file under /tmp) is migrated; when
it holds no county yet, the county is generated (`huimin generate`) with its health
records (`huimin generate-records`, a year of forms with injected quality problems).
Then, timed: the whole-county run on unchecked records, the same run again (nothing
changed: idempotent; forms are not cleaned again), the run after a change of the form
specifications (every form cleaned again), an incremental run after `--touch` records
changed, and an incremental run with nothing changed. Also the statements of one batch.
"""

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--county", default="430522")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--touch", type=int, default=1000, help="records changed before the incremental run"
    )
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (PostgreSQL)")
    parser.add_argument(
        "--checked", action="store_true", help="the county was checked before: no first run"
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="generate the county if missing, then stop"
    )
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
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from huimin.records import quality
    from huimin.records.models import Finding, Form, HealthRecord
    from huimin.registry.models import Person

    call_command("migrate", verbosity=0, interactive=False)
    if not Person.objects.within(args.county).exists():
        start = time.perf_counter()
        call_command(
            "generate",
            county=args.county,
            residents=args.residents,
            seed=args.seed,
            no_records=True,
            verbosity=0,
        )
        people_s = time.perf_counter() - start
        start = time.perf_counter()
        call_command("generate_records", region=args.county, seed=args.seed, no_progress=True)
        print(f"generated: people {people_s:.0f} s, records {time.perf_counter() - start:.0f} s")
    if args.generate_only:
        return 0
    batch = args.batch or quality.BATCH
    records = HealthRecord.objects.within(args.county).count()
    forms = Form.objects.within(args.county).count()
    people = Person.objects.within(args.county).count()
    print(
        f"{connection.vendor}, {people:,} people, {records:,} records, {forms:,} forms in "
        f"{args.county}; batch {batch}, jobs {args.jobs}"
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")

    def show(name, r):
        per = r.seconds / r.records * 1e6 if r.records else 0
        print(
            f"  {name:34s} {r.seconds:8.1f} s  {r.records:>9,} records ({per:6.0f} µs each; "
            f"group stats {r.stats_seconds:.1f} s)  +{r.created:,} findings, "
            f"−{r.resolved:,} resolved, {r.updated:,} updated, {r.kept:,} kept"
        )
        return r

    first = quality.RunResult()
    if not args.checked:
        first = show(
            "whole county, first run",
            quality.run(region=args.county, everything=True, batch=batch, jobs=args.jobs),
        )
    # A change to the form specifications: every form is cleaned again (no findings
    # change, so this is the cost of validation without the first run's inserts).
    quality.FORM_CHECK_VERSION += 1
    quality.spec_fingerprint.cache_clear()
    show(
        f"whole county, specs changed, {args.jobs} proc.",
        quality.run(region=args.county, everything=True, batch=batch, jobs=args.jobs),
    )
    rerun = show(
        "whole county, rerun, 1 process",
        quality.run(region=args.county, everything=True, batch=batch),
    )
    if args.jobs > 1:
        show(
            f"whole county, rerun, {args.jobs} processes",
            quality.run(region=args.county, everything=True, batch=batch, jobs=args.jobs),
        )
    ids = list(HealthRecord.objects.within(args.county).values_list("id", flat=True))
    touched = random.Random(args.seed).sample(ids, min(args.touch, len(ids)))
    HealthRecord.objects.filter(pk__in=touched).update(changed_at=timezone.now())
    show(f"incremental, {len(touched):,} changed", quality.run(region=args.county, batch=batch))
    show("incremental, nothing changed", quality.run(region=args.county, batch=batch))

    today = timezone.localdate()
    stats = quality.CountyStats(
        today, quality.SAMPLE_TARGET, quality.rules.MIN_GROUP, quality.RunResult()
    )
    stats(args.county)  # outside the count: computed once per run
    with CaptureQueriesContext(connection) as ctx:
        quality.check_batch(ids[:batch], stats, today)
    print(f"  statements in one batch of {batch}: {len(ctx.captured_queries)}")
    qualified = HealthRecord.objects.within(args.county).filter(qualified=True).count()
    print(f"  合格 {qualified:,} of {records:,} ({qualified / max(records, 1):.1%})")
    print("  open findings by rule:")
    for rule, n in sorted(
        (first if first.records else rerun).by_rule.items(), key=lambda kv: -kv[1]
    ):
        print(f"    {rule:40s} {n:>9,}")
    print(f"  findings rows: {Finding.objects.within(args.county).count():,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
