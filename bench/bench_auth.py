"""Benchmark institution authentication, server-side and in-process.

    .venv/bin/python bench/bench_auth.py                      # 2,000 requests, SQLite in /tmp
    scripts/with-postgres.sh .venv/bin/python bench/bench_auth.py   # a throw-away PostgreSQL

Measures, each over N requests through Django's full middleware stack (the test client
calls the WSGI handler in this process, so no network or HTTP parsing is counted):

- `POST /api/v1/access/token`: verify an ES256 client assertion, check claims, record the
  jti, issue a token, write the audit event (assertions are signed before timing);
- `GET /api/v1/access/whoami` with `Authorization: Bearer` and `X-Huimin-Terminal`;
- `GET /healthz`, the unauthenticated baseline, interleaved with whoami so both see the
  same machine load; the difference is what authentication (plus django-ninja's
  routing and the small JSON body) adds per request;
- the InstitutionBearer check alone, called on a prepared request: authentication's own
  cost, and next to it one `SELECT 1` round trip, the part of it no code change removes.

Without a database URL (or HUIMIN_DATABASE_URL) it creates a fresh SQLite file under
/tmp and removes it afterwards; a given database is migrated first. Development mode is
off (DEBUG would log every query), with throw-away secrets unless given.
"""

import argparse
import base64
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TERMINAL = "BENCH-HIS-01"
IP = "10.1.2.3"


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = os.getloadavg()
    return (
        f"nproc {os.cpu_count()}; CPU {cpu}; memory {memory}; "
        f"Python {platform.python_version()}; load avg {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}"
    )


def summary(name: str, seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    row = {
        "name": name,
        "n": len(ms),
        "mean": statistics.fmean(ms),
        "median": statistics.median(ms),
        "p95": ms[int(len(ms) * 0.95) - 1],
    }
    print(
        f"{name:<34} n={row['n']:>5}  mean {row['mean']:7.3f} ms  "
        f"median {row['median']:7.3f} ms  p95 {row['p95']:7.3f} ms"
    )
    return row


def setup_institution():
    """An approved institution with a credential and an ES256 key, through the services."""
    from django.contrib.auth import get_user_model
    from joserfc.jwk import ECKey

    from huimin.access import services
    from huimin.access.models import InstitutionAccess
    from huimin.registry.models import Institution, Staff

    def person(name, role):
        user = get_user_model().objects.create(username=f"bench_{name}_{uuid.uuid4().hex[:6]}")
        user.set_unusable_password()
        user.save()
        Staff.objects.create(user=user, role=role, jurisdiction="430522")
        return user

    submitter = person("a", "insurance_officer")
    reviewer = person("b", "insurance_officer")
    approver = person("c", "security_admin")
    code = f"HB{secrets.randbelow(10**9):09d}"
    institution = Institution.objects.create(
        name="基准测试医院",
        insurance_code=code,
        credit_code=f"91{secrets.randbelow(10**16):016d}",
        kind="county_hospital",
        level="2",
        region_id="430522",
        designation_status="designated",
    )
    app = services.do_submit_application(
        submitter,
        services.ApplicationData(
            institution_id=institution.pk,
            kind="institution",
            contact_name="基准",
            contact_phone="13800000000",
            ip_ranges=["10.1.2.0/24", "192.168.0.0/16"],
            terminals=[(f"{TERMINAL}-{code}", "基准终端")],
            scopes=["settlement", "catalog.read"],
        ),
    )
    services.do_review(reviewer, app.pk)
    services.do_approve(approver, app.pk)
    credential = services.do_issue_credential(approver, institution.pk)
    key = ECKey.generate_key("P-256", parameters={"kid": "bench", "alg": "ES256"})
    import json

    services.do_register_keys(
        approver, credential.pk, json.dumps({"keys": [key.as_dict(private=False)]})
    )
    assert InstitutionAccess.objects.get(institution=institution).status == "active"
    return credential.client_id, key, f"{TERMINAL}-{code}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("HUIMIN_DATABASE_URL"))
    args = parser.parse_args()

    tmpdir = None
    if not args.database_url:
        tmpdir = tempfile.TemporaryDirectory(prefix="huimin-bench-")
        args.database_url = f"sqlite:///{tmpdir.name}/bench.sqlite3"
    os.environ["HUIMIN_DATABASE_URL"] = args.database_url
    os.environ.setdefault("HUIMIN_ENV_FILE", os.devnull)  # never a developer's .env
    os.environ["HUIMIN_DEBUG"] = "0"  # DEBUG would record every query
    os.environ.setdefault("HUIMIN_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("HUIMIN_FIELD_KEY", base64.b64encode(os.urandom(32)).decode())
    os.environ.setdefault("HUIMIN_AUDIT_KEY", base64.b64encode(os.urandom(32)).decode())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, RequestFactory
    from joserfc import jwt

    from huimin.access import conf
    from huimin.access.auth import InstitutionBearer

    call_command("migrate", verbosity=0, interactive=False)
    client_id, key, terminal = setup_institution()
    vendor = connection.vendor
    if vendor == "sqlite":
        version = ".".join(map(str, connection.Database.sqlite_version_info))
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    print(f"database: {vendor} {version}")
    print(f"machine: {machine()}")

    audience = conf.token_audience()
    n, warm = args.requests, args.warmup

    def assertion() -> str:
        now = int(time.time())
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "exp": now + 290,
            "iat": now,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode({"alg": "ES256", "kid": "bench"}, claims, key)

    client = Client(REMOTE_ADDR=IP, HTTP_X_HUIMIN_TERMINAL=terminal)
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    }

    # (a) The token endpoint. Assertions expire in 5 minutes: sign in batches.
    token_times: list[float] = []
    token = ""
    remaining = warm + n
    while remaining:
        batch = [assertion() for _ in range(min(remaining, 500))]
        remaining -= len(batch)
        for text in batch:
            start = time.perf_counter()
            response = client.post("/api/v1/access/token", {**form, "client_assertion": text})
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                print("token refused:", response.content.decode())
                return 1
            token_times.append(elapsed)
            token = response.json()["access_token"]
    token_row = summary("POST /api/v1/access/token", token_times[warm:])

    # (b) whoami against the /healthz baseline, interleaved, alternating which goes first
    # so neither always pays for whatever the previous request left behind.
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    health_times, whoami_times = [], []

    def timed(path, **extra):
        start = time.perf_counter()
        response = client.get(path, **extra)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"{path} failed: {response.content.decode()}")
        return elapsed

    for i in range(warm + n):
        if i % 2:
            who = timed("/api/v1/access/whoami", **bearer)
            health = timed("/healthz")
        else:
            health = timed("/healthz")
            who = timed("/api/v1/access/whoami", **bearer)
        if i >= warm:
            health_times.append(health)
            whoami_times.append(who)
    health_row = summary("GET /healthz (baseline)", health_times)
    whoami_row = summary("GET /api/v1/access/whoami", whoami_times)

    # (c) The authentication check alone.
    request = RequestFactory().get(
        "/api/v1/access/whoami", REMOTE_ADDR=IP, HTTP_X_HUIMIN_TERMINAL=terminal, **bearer
    )
    auth = InstitutionBearer()
    check_times = []
    for i in range(warm + n):
        start = time.perf_counter()
        auth(request)
        if i >= warm:
            check_times.append(time.perf_counter() - start)
    check_row = summary("InstitutionBearer check alone", check_times)

    # (d) For scale: one database round trip, which the check cannot do without (a
    # suspension must be seen on the very next request, so nothing is cached).
    trip_times = []
    for i in range(warm + n):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        if i >= warm:
            trip_times.append(time.perf_counter() - start)
    trip_row = summary("one SELECT 1 round trip", trip_times)

    overhead = whoami_row["median"] - health_row["median"]
    print(f"whoami − healthz (median): {overhead:.3f} ms per request")
    print(
        f"| {vendor} {version} | {n} | {token_row['median']:.2f} / {token_row['p95']:.2f} | "
        f"{health_row['median']:.2f} | {whoami_row['median']:.2f} / {whoami_row['p95']:.2f} | "
        f"{overhead:.2f} | {check_row['median']:.3f} / {check_row['p95']:.3f} | "
        f"{trip_row['median']:.3f} |"
    )
    if tmpdir is not None:
        connection.close()
        tmpdir.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
