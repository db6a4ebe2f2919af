"""Benchmark the registry's list pages on a generated county: server-side response times.

    HUIMIN_DATABASE_URL=postgres://… .venv/bin/python bench/bench_registry_list.py [--runs 30]

The database must already hold a generated county (`huimin generate --residents 1000000`).
Each page is requested through Django's test client in-process (no network), as a
county officer whose jurisdiction is the whole county, after one warm-up request; the
figures are the median and 95th percentile of the server-side time.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--county", default="430522")
    args = parser.parse_args()
    os.environ.setdefault("HUIMIN_ENV_FILE", os.devnull)
    os.environ.setdefault("HUIMIN_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from huimin.accounts.testing import VerifiedClient
    from huimin.registry.models import Household, Person, Staff

    settings.ALLOWED_HOSTS = ["*"]
    people = Person.objects.within(args.county).count()
    if not people:
        print(f"no generated county {args.county} in this database")
        return 2
    user, _ = get_user_model().objects.get_or_create(username="bench_officer")
    Staff.objects.update_or_create(
        user=user, defaults={"role": "insurance_officer", "jurisdiction": args.county}
    )
    client = VerifiedClient()
    client.force_login(user)
    sample = Person.objects.within(args.county).order_by("id")[people // 2]
    number = sample.reveal_id_number()
    household = Household.objects.within(args.county).order_by("id").first()
    last = Person.objects.within(args.county).order_by("-village_id", "-id").first()
    cases = {
        "people, first page": "/registry/people/",
        "people, pinyin initials 'zh'": "/registry/people/?q=zh",
        "people, name prefix 王": "/registry/people/?q=%E7%8E%8B",
        "people, full ID number": f"/registry/people/?q={number}",
        "people, one township": f"/registry/people/?region={sample.village_id[:9]}",
        "people, deep page (cursor)": f"/registry/people/?after={last.village_id},{last.id - 1}",
        "households, first page": "/registry/households/",
        "person detail": f"/registry/people/{sample.pk}/",
        "household detail": f"/registry/households/{household.pk}/",
    }
    print(f"{connection.vendor}, {people:,} people in {args.county}; {args.runs} runs each")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    for name, url in cases.items():
        assert client.get(url).status_code == 200, url  # warm-up, and a sanity check
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"  {name:34s} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
