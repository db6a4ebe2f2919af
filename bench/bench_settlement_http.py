"""Benchmark real-time settlement over HTTP: N institution clients against gunicorn.

    .venv/bin/python bench/bench_settlement_http.py              # own throw-away PostgreSQL 15
    .venv/bin/python bench/bench_settlement_http.py --quick      # small and short (make bench)
    .venv/bin/python bench/bench_settlement_http.py --workers 4 --threads 4 --seconds 30
    .venv/bin/python bench/bench_settlement_http.py --profile 200   # and where the time goes
    .venv/bin/python bench/bench_settlement_http.py --sql        # the SQL of one sequence
    .venv/bin/python bench/bench_settlement_http.py --floor      # 5 × whoami: the frame alone
    .venv/bin/python bench/bench_settlement_http.py --registered # visits registered first:
                                                # lookup + upload + pre-settle + settle
    .venv/bin/python bench/bench_settlement_http.py --no-review  # real-time review off
                                                # (server and in-process): its cost
    .venv/bin/python bench/bench_settlement_http.py --sqlite --profile 300
                                                # SQLite, in-process only (no HTTP load)
    .venv/bin/python bench/bench_settlement_http.py --profile 300 --review-ab
                                                # review on and off, alternating: its cost
    scripts/with-postgres.sh .venv/bin/python bench/bench_settlement_http.py   # an empty DB

Builds, through the real services: a migrated database with a generated county
(5,000 residents by default), the demo plan (`seed.seed_plan`, four eyes), the demo
catalog, enrollment, and a township health centre onboarded for machine access
(application → review → approval → credential → ES256 key; approved range
127.0.0.1/32 and one terminal). Then it serves Huimin with gunicorn on 127.0.0.1 and
runs N client threads (http.client, keep-alive), each repeating the counter's sequence:

    1101 GET  /api/v1/insurance/persons/{id}        lookup
    2201 POST /api/v1/insurance/visits              register (outpatient_general)
    2204 POST /api/v1/insurance/visits/{no}/fees    upload 10 lines
    2206 POST /api/v1/insurance/visits/{no}/pre-settle
    2207 POST /api/v1/insurance/visits/{no}/settle  with an Idempotency-Key

with a bearer token, the X-Huimin-Terminal header, from 127.0.0.1. Residents are taken
in turn, so nobody exhausts the year's outpatient limit during a run. It prints settlements
per second, p50/p95/p99 of the settle call and of the whole sequence, errors, the CPU
seconds the server (gunicorn workers), PostgreSQL and the client used per settlement
(steadier than the wall clock on a shared machine), and the SQL queries per settlement
measured in-process with CaptureQueriesContext for a 1-line and a 10-line claim.
`--profile N` also times N sequences in one thread through Django's stack: this
process's CPU per step and, on PostgreSQL, the CPU of the one server backend serving it
(/proc of the local cluster), i.e. application and database CPU per settlement without
the load's noise. `--no-review` unregisters the real-time review checker (insurance's
claim-check hook) in this process and in gunicorn's workers: run with and without it to
see what review costs a settlement.

Without --database-url (or HUIMIN_DATABASE_URL) it starts its own PostgreSQL 15 cluster
under /tmp with durable commits (fsync and synchronous_commit on, shared_buffers 256MB;
as root the server runs as `nobody`) and deletes it afterwards. scripts/with-postgres.sh
turns fsync and synchronous commit off, which flatters write-heavy figures: say which.
"""

import argparse
import base64
import contextlib
import cProfile
import http.client
import itertools
import json
import os
import platform
import pstats
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
COUNTY = "430522"
TERMINAL = "BENCH-HIS-01"
HOST = "127.0.0.1"
STEPS = ("lookup", "register", "fees", "pre_settle", "settle")
# Ten lines any resident may have at a level-1 centre (no sex, age or level limits),
# with the unit price used when the catalog sets no ceiling.
TEN_LINES = (
    ("一般诊疗费（基层）", "1", None),
    ("阿莫西林胶囊", "24", "0.32"),
    ("感冒清热颗粒", "9", "1.20"),
    ("对乙酰氨基酚片", "6", "0.08"),
    ("奥美拉唑肠溶胶囊", "14", "0.45"),
    ("葡萄糖氯化钠注射液", "2", "5.80"),
    ("静脉输液（第一组）", "1", None),
    ("一次性使用输液器", "1", None),
    ("血常规（五分类）", "1", None),
    ("尿常规", "1", None),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def machine() -> str:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"nproc {os.cpu_count()}; CPU {cpu}; Python {platform.python_version()}"


def load() -> str:
    a, b, c = os.getloadavg()
    return f"{a:.2f}/{b:.2f}/{c:.2f}"


def cpu_seconds(pids) -> float:
    """utime + stime of the given processes (and of their reaped children)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / tick


def children(parent: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                out.append(int(entry.name))
    return out


# ---------------------------------------------------------------- PostgreSQL


class Postgres:
    """A throw-away PostgreSQL 15 cluster, durable unless told otherwise."""

    def __init__(self, fast_commit: bool = False):
        self.fast_commit = fast_commit
        self.dir = Path(tempfile.mkdtemp(prefix="huimin-bench-pg."))
        self.port = free_port()
        self.as_pg: list[str] = []
        os.chmod(self.dir, 0o755)  # noqa: S103 - the server runs as another user
        if os.getuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.dir, "nobody")
            self.as_pg = ["runuser", "-u", "nobody", "--"]

    @property
    def settings(self) -> list[str]:
        out = ["shared_buffers=256MB", "max_connections=100"]
        if self.fast_commit:
            out.append("synchronous_commit=off")
        return out

    def start(self) -> str:
        if not (PGBIN / "initdb").exists():
            raise SystemExit(f"PostgreSQL 15 binaries not found in {PGBIN}")
        data = self.dir / "data"
        subprocess.run(
            [
                *self.as_pg,
                *(str(PGBIN / "initdb"), "-D", str(data), "-U", "postgres"),
                *("--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = f"-h {HOST} -p {self.port} -k {self.dir} " + " ".join(
            f"-c {s}" for s in self.settings
        )
        subprocess.run(
            [
                *self.as_pg,
                *(str(PGBIN / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log")),
                *("-w", "-o", options, "start"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [str(PGBIN / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "postgres", "bench"],
            check=True,
        )
        return f"postgres://postgres@{HOST}:{self.port}/bench"

    def restart(self) -> None:
        """Start the cluster again after a crash (PostgreSQL replays its WAL)."""
        options = f"-h {HOST} -p {self.port} -k {self.dir} " + " ".join(
            f"-c {s}" for s in self.settings
        )
        subprocess.run(
            [
                *self.as_pg,
                *(str(PGBIN / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log")),
                *("-w", "-t", "120", "-o", options, "start"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def pids(self) -> list[int]:
        with contextlib.suppress(OSError, ValueError):
            master = int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
            return [master, *children(master)]
        return []

    def stop(self) -> None:
        subprocess.run(
            [*self.as_pg, str(PGBIN / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- the county


def prepare(residents: int, seed: int):
    """The county, plan, catalog, enrollment and an onboarded centre, via the services."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from joserfc.jwk import ECKey

    from huimin.access import services as access
    from huimin.core import crypto
    from huimin.insurance.catalog import rules as catalog_rules
    from huimin.insurance.catalog.models import CatalogVersion
    from huimin.insurance.catalog.seed import seed_demo_catalog
    from huimin.insurance.enrollment import seed as enrollment_seed
    from huimin.insurance.enrollment.models import Enrollment
    from huimin.insurance.seed import plan as insurance_seed
    from huimin.registry.models import Institution

    today = timezone.localdate()
    quiet = open(os.devnull, "w")  # the commands' chatter
    call_command("migrate", verbosity=0, interactive=False)
    call_command(
        "generate",
        county=COUNTY,
        residents=residents,
        seed=seed,
        no_progress=True,
        no_records=True,
        stdout=quiet,
    )
    call_command("demo_accounts", county=COUNTY, stdout=quiet)
    insurance_seed.seed_plan(COUNTY, today.year)
    seed_demo_catalog()
    enrollment_seed.seed_enrollment(today.year, county=COUNTY, seed=seed, as_of=today)

    centre = (
        Institution.objects.filter(region__code__startswith=COUNTY, kind="township_health_centre")
        .order_by("insurance_code")
        .first()
    )
    officer, reviewer, secadmin = (
        get_user_model().objects.get(username=u)
        for u in ("officer", insurance_seed.REVIEWER, "secadmin")
    )
    app = access.do_submit_application(
        officer,
        access.ApplicationData(
            institution_id=centre.pk,
            kind="institution",
            contact_name="基准",
            contact_phone="13800000000",
            ip_ranges=[f"{HOST}/32"],
            terminals=[(TERMINAL, "基准收费窗口")],
            scopes=["settlement"],
        ),
    )
    access.do_review(reviewer, app.pk)
    access.do_approve(secadmin, app.pk)
    credential = access.do_issue_credential(secadmin, centre.pk)
    key = ECKey.generate_key("P-256", parameters={"kid": "bench", "alg": "ES256"})
    access.do_register_keys(
        secadmin, credential.pk, json.dumps({"keys": [key.as_dict(private=False)]})
    )

    encrypted = (
        Enrollment.objects.within(COUNTY)
        .filter(year=today.year, status="paid", benefits_from__lte=today)
        .filter(person__status="active", person__death_date__isnull=True)
        .order_by("person_id")
        .values_list("person__id_number_enc", flat=True)
    )
    numbers = [crypto.decrypt(t, context="person.id_number") for t in encrypted]
    random.Random(seed).shuffle(numbers)

    lines = []
    for name, quantity, price in TEN_LINES:
        version = (
            CatalogVersion.objects.filter(name=name, effective_from__lte=today)
            .select_related("item")
            .order_by("-effective_from")
            .first()
        )
        assert version is not None, name
        assert not catalog_rules.check_line(
            version, sex="1", age=40, institution_level="1", quantity=1, days=1
        ), name
        unit = str(version.ceiling) if version.ceiling is not None else price
        lines.append({"code": version.item.code, "quantity": quantity, "unit_price": unit})
    return credential.client_id, key, numbers, lines, centre


def assertion(key, client_id: str) -> str:
    from joserfc import jwt

    from huimin.access import conf

    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": conf.token_audience(),
        "exp": now + 290,
        "iat": now,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode({"alg": "ES256", "kid": "bench"}, claims, key)


TOKEN_FORM = {
    "grant_type": "client_credentials",
    "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
}


# ---------------------------------------------------------------- queries per settlement


def count_queries(client_id, key, numbers, lines, show=False) -> dict:
    """Queries of each step for a 1-line and a 10-line claim, through Django's stack."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from huimin.accounts.testing import VerifiedClient  # routed as in production

    client = VerifiedClient(REMOTE_ADDR=HOST, HTTP_X_HUIMIN_TERMINAL=TERMINAL)
    response = client.post(
        "/api/v1/access/token", {**TOKEN_FORM, "client_assertion": assertion(key, client_id)}
    )
    assert response.status_code == 200, response.content
    auth = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}
    out = {}
    people = iter(numbers[-50:])  # the load run takes them from the front
    # Warm up both claim sizes first: a statement is compiled (and on PostgreSQL prepared)
    # once per process and IN-list length, and that one-off PREPARE is not per settlement.
    runs = (("warm-up", lines), ("warm-up", lines[:1]), ("1 line", lines[:1]), ("10 lines", lines))
    for label, claim in runs:
        visit_no = f"Q{uuid.uuid4().hex[:12]}"
        counts = {}
        for step, call in sequence_calls(next(people), visit_no, claim):
            method, path, body, expected = call
            with CaptureQueriesContext(connection) as queries:
                if method == "GET":
                    response = client.get(path, **auth)
                else:
                    response = client.post(
                        path,
                        json.dumps(body),
                        content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=f"{visit_no}-{step}",
                        **auth,
                    )
            assert response.status_code == expected, (step, response.content)
            counts[step] = len(queries)
            if show and label == "10 lines":
                print(f"-- {step}: {len(queries)} queries")
                for q in queries.captured_queries:
                    print("   ", " ".join(q["sql"].split())[:150])
        out[label] = counts
    return out


# --floor: the same five requests per sequence, each only GET whoami (token check, routing,
# a small JSON answer): what the HTTP and Django frame costs before any settlement work.
FLOOR = {"on": False}


def sequence_calls(number: str, visit_no: str, claim: list[dict], register: bool = True):
    from django.utils import timezone

    if FLOOR["on"]:
        return [(step, ("GET", "/api/v1/access/whoami", None, 200)) for step in STEPS]

    base = "/api/v1/insurance"
    visit = {
        "id_number": number,
        "visit_type": "outpatient_general",
        "his_visit_no": visit_no,
        "visit_date": timezone.localdate().isoformat(),
        "diagnosis_code": "J06.900",
        "diagnosis_name": "急性上呼吸道感染",
    }
    calls = [
        ("lookup", ("GET", f"{base}/persons/{number}", None, 200)),
        ("register", ("POST", f"{base}/visits", visit, 201)),
        ("fees", ("POST", f"{base}/visits/{visit_no}/fees", {"lines": claim}, 201)),
        ("pre_settle", ("POST", f"{base}/visits/{visit_no}/pre-settle", None, 200)),
        ("settle", ("POST", f"{base}/visits/{visit_no}/settle", {"note": ""}, 201)),
    ]
    return calls if register else [c for c in calls if c[0] != "register"]


def preregister(centre, numbers: list[str], run_id: str, count: int) -> None:
    """--registered: visits 0..count-1 registered beforehand through the real service
    (2201's own code, audit included), as a counter registers patients on arrival and
    settles them later. The load then times the issue's sequence: lookup, upload,
    pre-settle, settle."""
    from django.utils import timezone

    from huimin.insurance.services.visits import VisitData, do_register_visit

    today = timezone.localdate()
    for i in range(count):
        do_register_visit(
            centre,
            VisitData(
                id_number=numbers[i % len(numbers)],
                visit_type="outpatient_general",
                his_visit_no=visit_number(run_id, i),
                visit_date=today,
                diagnosis_code="J06.900",
                diagnosis_name="急性上呼吸道感染",
            ),
        )


def visit_number(run_id: str, i: int) -> str:
    return f"B{run_id}{i:07d}"


# ---------------------------------------------------------------- where the time goes


CATEGORIES = (
    ("psycopg: sending queries, waiting for PostgreSQL, reading rows", ("psycopg",)),
    ("Django ORM: building and compiling queries", ("django/db/models",)),
    ("Django DB backend wrappers", ("django/db/backends", "django/db/transaction")),
    ("django-ninja and pydantic", ("/ninja/", "pydantic")),
    ("Django request, middleware, sessions, auth", ("django/",)),
    ("JSON and hashing", ("json/", "hashlib", "hmac", "_json")),
    ("cryptography, joserfc", ("cryptography", "joserfc")),
    ("Huimin's own code", ("/huimin/",)),
)


def profile(
    client_id, key, numbers, lines, n: int, out: str | None = None, review_ab: bool = False
) -> None:
    """cProfile of n sequences in this process (one thread): the server's CPU, by kind.
    With `review_ab`, instead: n sequences with real-time review on and n with it off,
    alternating, so both halves run under the same load (what review costs)."""
    # Routed as gunicorn's requests are: bearer requests through the short chain.
    from huimin.accounts.testing import VerifiedClient

    client = VerifiedClient(REMOTE_ADDR=HOST, HTTP_X_HUIMIN_TERMINAL=TERMINAL)
    auth = {}

    def fresh_token() -> None:
        # Tokens last five minutes; a long profile on a busy machine outlives one.
        token = client.post(
            "/api/v1/access/token", {**TOKEN_FORM, "client_assertion": assertion(key, client_id)}
        ).json()["access_token"]
        auth["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    fresh_token()
    people = itertools.cycle(numbers[-400:-50])

    from django.db import connection

    cpu: Counter = Counter()
    db_cpu: Counter = Counter()
    postgres = connection.vendor == "postgresql"
    if postgres:
        # One session for the whole run, so one server backend does all the work and
        # its CPU can be read from /proc (the cluster is local).
        connection.settings_dict["CONN_MAX_AGE"] = None

    def backend() -> int | None:
        if not postgres:
            return None
        connection.ensure_connection()
        return connection.connection.info.backend_pid

    def one(i):
        if i % 50 == 0:
            fresh_token()
        visit_no = f"P{i:06d}{uuid.uuid4().hex[:6]}"
        for step, (method, path, body, expected) in sequence_calls(next(people), visit_no, lines):
            pid = backend()
            db_before = cpu_seconds([pid]) if pid else 0.0
            before = time.process_time()
            if method == "GET":
                response = client.get(path, **auth)
            else:
                response = client.post(
                    path,
                    json.dumps(body),
                    content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=f"{visit_no}-{step}",
                    **auth,
                )
            cpu[step] += time.process_time() - before
            assert response.status_code == expected, response.content
            if pid:
                db_cpu[step] += cpu_seconds([pid]) - db_before

    one(-1)
    if review_ab:
        review_paired(one, cpu, db_cpu, n, postgres)
        return
    # This process's CPU per step, unprofiled: Django, ninja, the ORM and psycopg's client
    # side (PostgreSQL's own work is in another process: its backend's CPU, read from
    # /proc in 10 ms ticks, so meaningful summed over many sequences). On SQLite the
    # database's work is in this process.
    cpu.clear()
    db_cpu.clear()
    for i in range(n):
        one(n + i)
    where = "Django-side" if postgres else "Django-side (SQLite in-process)"
    print(f"\n{where} CPU per step, {n} sequences in one thread, unprofiled:")
    print("  " + "  ".join(f"{s} {cpu[s] / n * 1000:.2f}" for s in STEPS), end="")
    print(f"  = {sum(cpu.values()) / n * 1000:.2f} ms per settlement")
    if postgres:
        print("PostgreSQL backend CPU per step, same sequences:")
        print("  " + "  ".join(f"{s} {db_cpu[s] / n * 1000:.2f}" for s in STEPS), end="")
        print(f"  = {sum(db_cpu.values()) / n * 1000:.2f} ms per settlement")
    profiler = cProfile.Profile(time.process_time)
    started = time.perf_counter()
    profiler.enable()
    for i in range(n):
        one(i)
    profiler.disable()
    elapsed = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    if out:
        stats.dump_stats(out)  # for pstats/snakeviz: callers, call sites
    by_kind: Counter = Counter()
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        total += tt
        kind = "other (stdlib, builtins)"
        for label, needles in CATEGORIES:
            if any(n in filename for n in needles):
                kind = label
                break
        if filename == "~" and "psycopg" in _name:
            kind = CATEGORIES[0][0]
        by_kind[kind] += tt
    print(f"\nprofile: {n} sequences in one thread, {elapsed / n * 1000:.1f} ms each (profiled)")
    for kind, seconds in by_kind.most_common():
        print(f"  {seconds / total * 100:5.1f}%  {kind}")
    print("\n  top functions by own time:")
    stats.sort_stats("tottime").print_stats(12)


def review_paired(one, cpu: Counter, db_cpu: Counter, n: int, postgres: bool) -> None:
    """--review-ab: sequences alternate between real-time review registered and not, so
    the machine's other tenants weigh on both arms alike; CPU per step of each arm and
    the difference (this process; on PostgreSQL also its one backend)."""
    from huimin.insurance import claim_checks

    checkers = claim_checks.registered()
    arms = {"on": (Counter(), Counter()), "off": (Counter(), Counter())}
    one(-2)  # the off arm's statements compiled too
    try:
        for i in range(2 * n):
            arm = "on" if i % 2 == 0 else "off"
            for checker in checkers:
                (claim_checks.register if arm == "on" else claim_checks.unregister)(checker)
            cpu.clear()
            db_cpu.clear()
            one(2 * n + i)
            arms[arm][0].update(cpu)
            arms[arm][1].update(db_cpu)
    finally:
        for checker in checkers:
            claim_checks.register(checker)
    where = "this process" if postgres else "this process, SQLite in it"
    print(f"\nreal-time review on / off, {n} sequences each, alternating; CPU ms per step:")
    kinds = (("app", 0), ("PostgreSQL", 1)) if postgres else (("app", 0),)
    for label, k in kinds:
        for arm in ("on", "off"):
            c = arms[arm][k]
            steps = "  ".join(f"{s} {c[s] / n * 1000:.2f}" for s in STEPS)
            print(f"  {label} {arm:<3} {steps}  = {sum(c.values()) / n * 1000:.2f}")
        added = {s: (arms["on"][k][s] - arms["off"][k][s]) / n * 1000 for s in STEPS}
        steps = "  ".join(f"{s} {added[s]:+.2f}" for s in STEPS)
        print(f"  {label} review adds {steps}  = {sum(added.values()):+.2f} ms per settlement")
    print(f"  (app = {where})")


# ---------------------------------------------------------------- load


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.measuring = False
        self.settle: list[float] = []
        self.sequence: list[float] = []
        self.steps: dict[str, list[float]] = {s: [] for s in STEPS}
        self.errors: Counter = Counter()
        self.completed = 0
        self.exhausted = False  # --registered: the visits registered beforehand ran out


def client_loop(
    port, token_for, numbers, lines, counter, stop, rec: Recorder, run_id: str, registered: int
):
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"X-Huimin-Terminal": TERMINAL, "Content-Type": "application/json"}
    headers["Authorization"] = f"Bearer {token_for()}"
    while not stop.is_set():
        i = next(counter)
        if registered and i >= registered:
            rec.exhausted = True
            break
        visit_no = visit_number(run_id, i)
        number = numbers[i % len(numbers)]
        times = {}
        started = time.perf_counter()
        failed = None
        calls = sequence_calls(number, visit_no, lines, register=not registered)
        for step, (method, path, body, expected) in calls:
            # Every write takes a key (core/idempotency.py); pre-settle writes nothing.
            writes = method == "POST" and step != "pre_settle"
            extra = {"Idempotency-Key": f"{visit_no}-{step}"} if writes else {}
            t0 = time.perf_counter()
            try:
                conn.request(
                    method,
                    path,
                    body=json.dumps(body).encode() if body is not None else None,
                    headers={**headers, **extra},
                )
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                failed = (step, type(exc).__name__)
                break
            times[step] = time.perf_counter() - t0
            if response.status != expected:
                try:
                    code = json.loads(payload)["error"]["code"]
                except (ValueError, KeyError, TypeError):
                    code = "(not the error contract: see the server log)"
                if response.status == 401:
                    headers["Authorization"] = f"Bearer {token_for()}"
                failed = (step, f"{response.status} {code}")
                break
        total = time.perf_counter() - started
        with rec.lock:
            if not rec.measuring:
                continue
            if failed:
                rec.errors[failed] += 1
                continue
            rec.completed += 1
            rec.sequence.append(total)
            rec.settle.append(times["settle"])
            for step, seconds in times.items():
                rec.steps[step].append(seconds)
    conn.close()


def server_exceptions(log: Path) -> Counter:
    """The last line of each traceback in the server's log."""
    found: Counter = Counter()
    with contextlib.suppress(OSError):
        for line in log.read_text(errors="replace").splitlines():
            head = line.split(":", 1)[0]
            if head.endswith(("Error", "Exception", "Detected")) and " " not in head:
                found[line[:140]] += 1
    return found


def percentiles(seconds: list[float]) -> str:
    if not seconds:
        return "n/a"
    ms = sorted(s * 1000 for s in seconds)

    def p(q):
        return ms[min(len(ms) - 1, int(len(ms) * q))]

    return f"p50 {p(0.50):6.1f}  p95 {p(0.95):6.1f}  p99 {p(0.99):6.1f} ms"


def serve(
    port: int, workers: int, threads: int, env: dict, log: Path, app: str | None = None
) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "gunicorn"),
        app or "huimin.wsgi:application",
        "-b",
        f"{HOST}:{port}",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
    ]
    # Its own session, so one signal stops master and workers; tracebacks go to the log.
    with open(log, "ab") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: see {log}")
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s: see {log}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured load time")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fast-commit", action="store_true", help="synchronous_commit=off")
    parser.add_argument("--profile", type=int, default=0, help="also profile N sequences")
    parser.add_argument("--profile-out", help="also write the profile's pstats to this file")
    parser.add_argument("--quick", action="store_true", help="1,000 residents, 8 s of load")
    parser.add_argument("--sql", action="store_true", help="print the SQL of a 10-line sequence")
    parser.add_argument("--database-url", default=os.environ.get("HUIMIN_DATABASE_URL"))
    parser.add_argument(
        "--registered",
        action="store_true",
        help="register the visits before the load: time lookup, upload, pre-settle, settle",
    )
    parser.add_argument(
        "--floor", action="store_true", help="five GET whoami per sequence: the frame's cost"
    )
    parser.add_argument(
        "--no-review", action="store_true", help="real-time review's checker unregistered"
    )
    parser.add_argument(
        "--review-ab",
        action="store_true",
        help="with --profile N: N sequences with review on and N off, alternating",
    )
    parser.add_argument(
        "--sqlite",
        action="store_true",
        help="a throw-away SQLite file; in-process only (queries, --profile), no HTTP load",
    )
    args = parser.parse_args()
    FLOOR["on"] = args.floor
    if args.quick:
        args.residents, args.seconds, args.warmup = 1000, 8.0, 2.0
    if args.seconds + args.warmup > 240:
        parser.error("tokens last five minutes: keep --seconds + --warmup under 240")

    # SIGTERM (run_all.py's timeout) unwinds through `finally`: server and cluster stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.sqlite:
        # SQLite has no server to load over HTTP here (one writer at a time): the
        # in-process figures are its measurement, the database's CPU included.
        scratch = tempfile.mkdtemp(prefix="huimin-bench-sqlite.")
        args.database_url = f"sqlite:///{scratch}/bench.sqlite3"
        args.profile = args.profile or 200
    elif args.database_url and not args.database_url.startswith("postgres"):
        parser.error("a PostgreSQL database URL, or none to start a throw-away cluster")
    held = Held()
    if args.sqlite:
        held.scratch = scratch
    try:
        if not args.database_url:
            held.cluster = Postgres(fast_commit=args.fast_commit)
            args.database_url = held.cluster.start()
        return run(args, held)
    finally:
        held.release()


class Held:
    """What the run started and must stop: the gunicorn server and the cluster."""

    def __init__(self):
        self.cluster: Postgres | None = None
        self.server: subprocess.Popen | None = None
        self.run_id = uuid.uuid4().hex[:6]  # this run's visit numbers
        self.scratch: str | None = None  # --sqlite: the database file's folder

    def release(self) -> None:
        if self.server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.server.pid, signal.SIGTERM)  # its own session: master + workers
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.server.wait(timeout=30)
        if self.cluster is not None:
            if "django" in sys.modules:
                from django.db import connections

                connections.close_all()
            self.cluster.stop()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def wsgi_without_review():
    """gunicorn's application for --no-review (`bench.bench_settlement_http:
    wsgi_without_review()`): Huimin with no claim checker registered."""
    from huimin.wsgi import application

    without_review()
    return application


def without_review() -> None:
    from huimin.insurance import claim_checks

    for checker in claim_checks.registered():
        claim_checks.unregister(checker)


def server_env(database_url: str, port: int) -> dict:
    """The environment Huimin runs under here, and gunicorn with it."""
    return {
        **os.environ,
        "HUIMIN_DATABASE_URL": database_url,
        "HUIMIN_ENV_FILE": os.devnull,  # never a developer's .env
        "HUIMIN_DEBUG": "0",  # DEBUG would keep every query in memory
        "HUIMIN_SECRET_KEY": os.environ.get("HUIMIN_SECRET_KEY") or secrets.token_urlsafe(48),
        "HUIMIN_FIELD_KEY": os.environ.get("HUIMIN_FIELD_KEY")
        or base64.b64encode(os.urandom(32)).decode(),
        "HUIMIN_AUDIT_KEY": os.environ.get("HUIMIN_AUDIT_KEY")
        or base64.b64encode(os.urandom(32)).decode(),
        "HUIMIN_PUBLIC_URL": f"http://{HOST}:{port}",  # the token audience
        # A throw-away key signs throw-away checkpoints: never the developer's folder.
        "HUIMIN_AUDIT_CHECKPOINT_DIR": tempfile.mkdtemp(prefix="huimin-bench-checkpoints."),
        "DJANGO_SETTINGS_MODULE": "huimin.settings",
    }


def run(args, held: Held) -> int:
    port = free_port()
    env = server_env(args.database_url, port)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    if args.no_review:
        without_review()
    started = time.perf_counter()
    client_id, key, numbers, lines, centre = prepare(args.residents, args.seed)
    print(
        f"prepared {args.residents} residents, {len(numbers)} insured, "
        f"{centre.name} onboarded in {time.perf_counter() - started:.0f} s"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            sync = cursor.fetchone()[0]
            cursor.execute("SHOW fsync")
            fsync = cursor.fetchone()[0]
        print(f"database: PostgreSQL {version} (fsync {fsync}, synchronous_commit {sync})")
    else:
        import sqlite3

        version, sync = f"SQLite {sqlite3.sqlite_version}", "normal"
        print(f"database: {version} (WAL, synchronous=NORMAL), {connection.settings_dict['NAME']}")
    print(f"machine: {machine()}; load average {load()}")
    print(f"code: {Path(django.apps.apps.get_app_config('insurance').path).parent}")
    print(f"real-time review: {'off (--no-review)' if args.no_review else 'on'}")

    queries = count_queries(client_id, key, numbers, lines, show=args.sql)
    for label in ("1 line", "10 lines"):
        row = queries[label]
        steps = "  ".join(f"{s} {row[s]}" for s in STEPS)
        print(f"queries, {label:>8}: {steps}  = {sum(row.values())}")
    if args.profile:
        profile(client_id, key, numbers, lines, args.profile, args.profile_out, args.review_ab)
    if args.sqlite:
        return 0
    registered = 0
    if args.registered:
        # Enough for 300 settlements/s over warm-up and measurement; never the bottleneck.
        registered = int(300 * (args.warmup + args.seconds))
        started = time.perf_counter()
        preregister(centre, numbers, held.run_id, registered)
        print(f"registered {registered} visits beforehand in {time.perf_counter() - started:.0f} s")
    connection.close()

    log = Path(tempfile.gettempdir()) / f"huimin-bench-gunicorn-{port}.log"
    app = "bench.bench_settlement_http:wsgi_without_review()" if args.no_review else None
    server = held.server = serve(port, args.workers, args.threads, env, log, app)
    workers = children(server.pid)
    tokens_lock = threading.Lock()

    def token_for() -> str:
        with tokens_lock:
            text = assertion(key, client_id)
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        body = "&".join(f"{k}={v}" for k, v in {**TOKEN_FORM, "client_assertion": text}.items())
        conn.request(
            "POST",
            "/api/v1/access/token",
            body=body.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Huimin-Terminal": TERMINAL,
            },
        )
        response = conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise SystemExit(f"token refused: {payload.decode()}")
        return json.loads(payload)["access_token"]

    rec = Recorder()
    stop = threading.Event()
    counter = itertools.count()
    run_id = held.run_id
    threads = [
        threading.Thread(
            target=client_loop,
            args=(port, token_for, numbers, lines, counter, stop, rec, run_id, registered),
            daemon=True,
        )
        for _ in range(args.clients)
    ]
    for t in threads:
        t.start()
    time.sleep(args.warmup)
    load_before = load()
    pg_pids = held.cluster.pids() if held.cluster else []
    cpu_before = (cpu_seconds(workers), cpu_seconds(pg_pids), time.process_time())
    with rec.lock:
        rec.measuring = True
    window = time.perf_counter()
    time.sleep(args.seconds)
    with rec.lock:
        rec.measuring = False
    window = time.perf_counter() - window
    cpu_after = (cpu_seconds(workers), cpu_seconds(pg_pids), time.process_time())
    load_after = load()
    stop.set()
    for t in threads:
        t.join(timeout=60)

    n = rec.completed
    rate = n / window
    print(
        f"\ngunicorn: {args.workers} workers × {args.threads} threads (gthread); "
        f"{args.clients} clients; {window:.1f} s measured after {args.warmup:.0f} s warm-up"
    )
    print(f"load average before/after: {load_before} → {load_after}")
    print(f"settlements completed: {n}  = {rate:.1f} settlements/s")
    print(f"settle call (2207):    {percentiles(rec.settle)}")
    print(f"whole sequence:        {percentiles(rec.sequence)}")
    for step in STEPS:
        print(f"  {step:<12} {percentiles(rec.steps[step])}")
    if registered:
        print("sequence: lookup, upload, pre-settle, settle (visits registered beforehand)")
    if rec.exhausted:
        print("the visits registered beforehand ran out: the window was partly idle")
    errors = sum(rec.errors.values())
    print(f"errors: {errors}" + (f"  {dict(rec.errors.most_common(5))}" if errors else ""))
    if errors:
        print(f"server log: {log}; what the server raised:")
        for line, count in server_exceptions(log).most_common(5):
            print(f"  {count:5d} × {line}")
    else:
        log.unlink(missing_ok=True)
    if n:
        server_cpu = cpu_after[0] - cpu_before[0]
        pg_cpu = cpu_after[1] - cpu_before[1]
        client_cpu = cpu_after[2] - cpu_before[2]
        print(
            f"CPU per settlement: gunicorn {server_cpu / n * 1000:.1f} ms, "
            + (f"PostgreSQL {pg_cpu / n * 1000:.1f} ms, " if pg_pids else "")
            + f"client {client_cpu / n * 1000:.1f} ms"
        )
    ten, one = sum(queries["10 lines"].values()), sum(queries["1 line"].values())
    print(
        f"\n| {version} {'fast commit' if sync == 'off' else 'durable'} | "
        f"{args.workers}×{args.threads} | {args.clients} | {load_before} | {rate:.0f} | "
        f"{percentiles(rec.settle)} | {percentiles(rec.sequence)} | {errors} | "
        f"{one} / {ten} |"
    )
    return 0 if n and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
