"""Benchmark `huimin generate`: residents written per second into a fresh database.

    .venv/bin/python bench/bench_generate.py                      # 100,000 on SQLite in /tmp
    .venv/bin/python bench/bench_generate.py --residents 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5433/bench   # an empty PostgreSQL database

Without a database URL (or HUIMIN_DATABASE_URL) it creates a fresh SQLite file under
/tmp and removes it afterwards. A given database is migrated first and must not hold
the county already. The timing covers generation and writing, not the migration.
"""

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--county", default="430522")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--database-url", default=os.environ.get("HUIMIN_DATABASE_URL"))
    args = parser.parse_args()

    tmpdir = None
    if not args.database_url:
        tmpdir = tempfile.TemporaryDirectory(prefix="huimin-bench-")
        args.database_url = f"sqlite:///{tmpdir.name}/bench.sqlite3"
    os.environ["HUIMIN_DATABASE_URL"] = args.database_url
    os.environ.setdefault("HUIMIN_ENV_FILE", os.devnull)  # never a developer's .env
    os.environ.setdefault("HUIMIN_DEBUG", "1")  # development secrets unless given
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from huimin.registry import synthetic
    from huimin.registry.models import Person, Region

    call_command("migrate", verbosity=0, interactive=False)
    if Person.objects.within(args.county).exists():
        print(f"{args.county} already has people in this database: use an empty one")
        return 2
    county = Region.objects.get(code=args.county)
    generator = synthetic.CountyGenerator(
        args.county, args.residents, args.seed, as_of=timezone.localdate(), county_name=county.name
    )
    load_before = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    result = synthetic.write_county(generator, batch_size=args.batch_size, progress=False)
    seconds = time.perf_counter() - started
    # This process's CPU time: on a shared machine a steadier figure than the wall clock
    # (for SQLite it includes the database's work; PostgreSQL's server is not counted).
    cpu_seconds = time.process_time() - cpu_started
    load_after = os.getloadavg()[0]
    written = Person.objects.within(args.county).count()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("show server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    print(f"database          {database}")
    print(f"python            {platform.python_version()}")
    print(f"residents         {written}")
    print(f"households        {result.households}")
    print(f"institutions      {result.institutions}")
    print(f"villages          {result.villages}")
    print(f"seconds           {seconds:.1f}")
    print(f"residents/second  {written / seconds:,.0f}")
    print(f"client cpu s      {cpu_seconds:.1f}")
    print(f"load average      {load_before:.1f} → {load_after:.1f} (1 min, {os.cpu_count()} cpus)")
    print(f"peak memory MB    {peak_mb:,.0f}")
    if tmpdir is not None:
        connection.close()
        tmpdir.cleanup()
    return 0 if written == args.residents else 1


if __name__ == "__main__":
    sys.exit(main())
