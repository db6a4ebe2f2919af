"""Benchmark the due list: a village doctor's and a township's page on a county's due rows.

    scripts/with-postgres.sh .venv/bin/python bench/bench_due_list.py --residents 1000000

On an empty database the script migrates and generates the county (`huimin generate`),
then gives every resident a health record and writes a year's worth of due rows with
INSERT … SELECT (about 0.6 per resident: follow-ups, checks, vaccines, antenatal
visits, spread over the last six months and the next four). It also times the real
schedule (`due.refresh_many`) on a sample of records, which is what the nightly
`refresh_due` costs per record. Pages are requested in-process through Django's test
client after one warm-up; figures are the median and 95th percentile of 50 runs.
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVICES = [
    ("htn_followup", "高血压随访"),
    ("dm_followup", "糖尿病随访"),
    ("child_check", "儿童健康检查"),
    ("immunisation", "疫苗接种"),
    ("prenatal_followup", "产前随访"),
    ("newborn_visit", "新生儿家庭访视"),
    ("smi_followup", "严重精神障碍随访"),
]


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--county", default="430522")
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=5000, help="records for the refresh timing")
    args = parser.parse_args()
    os.environ.setdefault("HUIMIN_ENV_FILE", os.devnull)
    os.environ.setdefault("HUIMIN_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from huimin.accounts.testing import VerifiedClient
    from huimin.records import due
    from huimin.records.models import DueService, HealthRecord
    from huimin.registry.models import Institution, Person, Staff

    settings.ALLOWED_HOSTS = ["*"]
    today = timezone.localdate()
    call_command("migrate", verbosity=0)
    if not Person.objects.within(args.county).exists():
        start = time.perf_counter()
        call_command(
            "generate",
            county=args.county,
            residents=args.residents,
            no_progress=True,
            no_records=True,
        )
        print(f"generated {args.residents:,} residents in {time.perf_counter() - start:.1f} s")
    people = Person.objects.within(args.county).count()

    start = time.perf_counter()
    with connection.cursor() as cur:
        # One record per resident, numbered within the village by id.
        cur.execute(
            """
            INSERT INTO records_healthrecord (person_id, number, region_code, status,
                opened_on, close_reason, last_activity_on, qualified, changed_at, created_at)
            SELECT p.id, p.village_code || lpad((row_number() OVER (PARTITION BY p.village_code
                       ORDER BY p.id))::text, 5, '0'),
                   p.village_code, 'active', %s, '', %s, false, now(), now()
            FROM registry_person p
            WHERE p.village_code LIKE %s
              AND NOT EXISTS (SELECT 1 FROM records_healthrecord r WHERE r.person_id = p.id)
            """,
            [today - dt.timedelta(days=700), today - dt.timedelta(days=30), args.county + "%"],
        )
        cur.execute("DELETE FROM records_dueservice WHERE region_code LIKE %s", [args.county + "%"])
        # A year's due rows: about 45% of residents owe one service, 15% a yearly check
        # too; due dates from six months back to four months ahead, each late 1–3 months
        # after it falls due. The hash spreads kinds and dates without randomness.
        cur.execute(
            """
            INSERT INTO records_dueservice (record_id, person_id, region_code, doctor_id,
                service, occasion, label, due_on, overdue_on)
            SELECT id, person_id, region_code, responsible_doctor_id,
                   (%s::text[])[1 + h %% 7], 'bench',
                   (%s::text[])[1 + h %% 7],
                   %s::date + (h * 7 %% 300 - 180), %s::date + (h * 7 %% 300 - 180) + 30 + h %% 60
            FROM (SELECT r.*, (r.id * 2654435761 %% 1000)::int AS h
                  FROM records_healthrecord r WHERE r.region_code LIKE %s) x
            WHERE h < 450
            UNION ALL
            SELECT id, person_id, region_code, responsible_doctor_id, 'health_check',
                   %s, '年度健康体检', make_date(%s, 1 + h %% 12, 1), make_date(%s + 1, 1, 1)
            FROM (SELECT r.*, (r.id * 40503 %% 1000)::int AS h
                  FROM records_healthrecord r WHERE r.region_code LIKE %s) y
            WHERE h < 150
            """,
            [
                [code for code, _ in SERVICES],
                [label for _, label in SERVICES],
                today,
                today,
                args.county + "%",
                str(today.year),
                today.year,
                today.year,
                args.county + "%",
            ],
        )
        cur.execute("ANALYZE records_healthrecord")
        cur.execute("ANALYZE records_dueservice")
    records = HealthRecord.objects.within(args.county).count()
    rows = DueService.objects.within(args.county).count()
    print(f"records and due rows written in {time.perf_counter() - start:.1f} s")

    # The busiest village and its township; a doctor for it, responsible for its records.
    village = (
        HealthRecord.objects.within(args.county)
        .values("region_code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["region_code"]
    )
    clinic = Institution.objects.filter(region_id=village).first() or Institution.objects.first()
    doctor, _ = get_user_model().objects.get_or_create(username="bench_village_doctor")
    Staff.objects.update_or_create(
        user=doctor,
        defaults={"role": "village_doctor", "jurisdiction": village, "institution": clinic},
    )
    HealthRecord.objects.filter(region_code=village).update(responsible_doctor=doctor)
    DueService.objects.filter(region_code=village).update(doctor=doctor)
    officer, _ = get_user_model().objects.get_or_create(username="bench_public_health")
    Staff.objects.update_or_create(
        user=officer,
        defaults={
            "role": "public_health_officer",
            "jurisdiction": village[:9],
            "institution": None,
        },
    )
    in_village = DueService.objects.filter(region_code=village).count()
    in_township = DueService.objects.within(village[:9]).count()

    print(f"{connection.vendor}, {people:,} people, {records:,} records, {rows:,} due rows")
    print(f"village {village}: {in_village:,} due rows; township {village[:9]}: {in_township:,}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")

    from huimin.records.due_views import DueFilter, due_rows

    def query():
        list(due_rows(doctor, DueFilter(), today)[: settings.HUIMIN_PAGE_SIZE])

    median, p95 = timed(query, args.runs)
    print(f"  {'village doctor, due-list query':40s} median {median:7.1f} ms   p95 {p95:7.1f} ms")
    for name, user, url in (
        ("village doctor, due list page", doctor, "/records/due/"),
        ("village doctor, overdue only", doctor, "/records/due/?overdue=1"),
        ("village doctor, visit plan", doctor, "/records/due/plan/?within=7"),
        ("township officer, due list page", officer, "/records/due/"),
        ("township officer, last page", officer, "/records/due/?page=99999"),
    ):
        client = VerifiedClient()
        client.force_login(user)

        def get(url=url, client=client):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        median, p95 = timed(get, args.runs)
        print(f"  {name:40s} median {median:7.1f} ms   p95 {p95:7.1f} ms")

    sample = list(
        HealthRecord.objects.within(args.county)
        .select_related("person")
        .order_by("id")[: args.sample]
    )
    start = time.perf_counter()
    for i in range(0, len(sample), 1000):
        due.refresh_many(sample[i : i + 1000], today)
    seconds = time.perf_counter() - start
    print(
        f"  refresh_many on {len(sample):,} records: {seconds:.1f} s "
        f"({len(sample) / seconds:,.0f} records/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
