"""Crash drill: kill -9 the app server (and optionally PostgreSQL) during settlement load,
let the HIS clients retry as a real HIS does, then prove nothing was lost or doubled.

    .venv/bin/python bench/drill_crash.py                       # 60 s, 3 kills of gunicorn
    .venv/bin/python bench/drill_crash.py --seconds 120 --kills 5 --kill-postgres 1
    .venv/bin/python bench/drill_crash.py --quick               # 1,000 residents, 20 s, 2 kills

Builds the same county and onboarded centre as bench_settlement_http.py on a throw-away
durable PostgreSQL 15 cluster, serves Huimin with gunicorn and runs N client threads
repeating 1101 → 2201 → 2204 (10 lines) → 2206 → 2207. Every write carries an
Idempotency-Key; when a call dies with the connection (the server was killed between
its COMMIT and its answer, or before the COMMIT), the client does what a HIS does: it
resends the same request, with the same key and body, until it gets an answer. Every
`--every` seconds the drill sends SIGKILL to gunicorn's whole process group (master and
workers, mid-request) and starts it again; with `--kill-postgres K` it also kills the
PostgreSQL postmaster K times (its recovery replays the WAL on restart).

Afterwards it checks, over the database:
- every visit of the run holds exactly the lines uploaded once (no doubled upload);
- every standing settlement's total equals its visit's lines, and no visit is settled
  twice; every settlement answer a client received is the row in the database;
- the fund ledger balances and its benefit postings equal the settlements' fund parts;
- each person's accumulator equals the sum of their standing settlements;
- the audit chains verify;
- resending a completed settlement (same key, same body) returns the first answer.
Exit 0 when every check holds.
"""

import argparse
import contextlib
import http.client
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_settlement_http as bench


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.completed = 0
        self.retries = Counter()  # step -> resends after a lost connection
        self.unavailable = 0  # 503s while the database was down (resent after a pause)
        self.refusals = Counter()  # (step, status code) that were not the expected answer
        self.answers: dict[str, dict] = {}  # visit number -> the settle answer received
        self.keys: dict[str, tuple] = {}  # visit number -> (path, body, key) of settle


def drill_client(port, token_for, numbers, lines, counter, stop, tally: Tally, run_id: str):
    headers = {"X-Huimin-Terminal": bench.TERMINAL, "Content-Type": "application/json"}
    headers["Authorization"] = f"Bearer {token_for()}"
    conn = http.client.HTTPConnection(bench.HOST, port, timeout=30)
    while not stop.is_set():
        i = next(counter)
        visit_no = bench.visit_number(run_id, i)
        number = numbers[i % len(numbers)]
        for step, (method, path, body, expected) in bench.sequence_calls(number, visit_no, lines):
            writes = method == "POST" and step != "pre_settle"
            key = f"{visit_no}-{step}"
            data = json.dumps(body).encode() if body is not None else None
            # A HIS resends until it hears back: the same key and body every time.
            for attempt in itertools.count():
                extra = {"Idempotency-Key": key} if writes else {}
                try:
                    conn.request(method, path, body=data, headers={**headers, **extra})
                    response = conn.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(bench.HOST, port, timeout=30)
                    with tally.lock:
                        tally.retries[step] += 1
                    time.sleep(min(2.0, 0.1 * (attempt + 1)))
                    if stop.is_set() and attempt > 100:
                        return
                    continue
                if response.status == 401:  # a token issued before a restart is still good;
                    headers["Authorization"] = f"Bearer {token_for()}"  # an expired one not
                    continue
                if response.status in (502, 503):
                    with tally.lock:
                        tally.unavailable += 1
                    time.sleep(0.2)
                    continue
                break
            # A resent write that had been done answers the first answer with 200.
            if response.status != expected and not (writes and response.status == 200):
                with tally.lock:
                    tally.refusals[(step, response.status, payload[:120])] += 1
                break
            if step == "settle":
                with tally.lock:
                    tally.completed += 1
                    tally.answers[visit_no] = json.loads(payload)
                    tally.keys[visit_no] = (path, data, key)
    conn.close()


def token_maker(port, key, client_id):
    lock = threading.Lock()

    def token_for() -> str:
        with lock:
            text = bench.assertion(key, client_id)
        form = {**bench.TOKEN_FORM, "client_assertion": text}
        for _ in range(200):  # the server may be down for a moment
            try:
                conn = http.client.HTTPConnection(bench.HOST, port, timeout=30)
                conn.request(
                    "POST",
                    "/api/v1/access/token",
                    body="&".join(f"{k}={v}" for k, v in form.items()).encode(),
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Huimin-Terminal": bench.TERMINAL,
                    },
                )
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                time.sleep(0.3)
                continue
            if response.status == 200:
                return json.loads(payload)["access_token"]
            time.sleep(0.3)
        raise SystemExit("no token: the server never came back")

    return token_for


def kill_group(server: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def kill_postgres(cluster: bench.Postgres) -> None:
    """SIGKILL to the postmaster and its children, then start it again (WAL replay)."""
    pids = cluster.pids()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    # The old backends hold the shared memory until they are gone: wait for every one.
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for attempt in range(5):
        try:
            cluster.restart()
            return
        except subprocess.CalledProcessError:
            if attempt == 4:
                print((cluster.dir / "log").read_text(errors="replace")[-2000:])
                raise
            time.sleep(2)


def check(run_id: str, tally: Tally, lines: list[dict], port: int, token_for) -> list[str]:
    """Every invariant the drill promises; the list of what failed (empty: all held)."""
    from django.db import connection
    from django.db.models import Count, Q, Sum

    from huimin.audit.services import verify_chain
    from huimin.insurance.ledger import services as ledger
    from huimin.insurance.models import Accumulator, FeeDetail, Settlement, Visit

    connection.close()  # a connection from before a PostgreSQL kill is gone
    problems = []
    visits = Visit.objects.filter(his_visit_no__startswith=bench.visit_number(run_id, 0)[:-7])
    line_counts = (
        FeeDetail.objects.filter(visit__in=visits, cancelled=False)
        .values("visit__his_visit_no")
        .annotate(n=Count("id"))
    )
    doubled = [(r["visit__his_visit_no"], r["n"]) for r in line_counts if r["n"] != len(lines)]
    if doubled:
        problems.append(f"{len(doubled)} visits hold other than {len(lines)} lines: {doubled[:5]}")

    settled = Settlement.objects.filter(visit__in=visits, kind="settle")
    twice = settled.values("visit_id").annotate(n=Count("id")).filter(n__gt=1)
    if twice:
        problems.append(f"{len(twice)} visits settled more than once")
    bill = sum(Decimal(ln["quantity"]) * Decimal(ln["unit_price"]) for ln in lines)
    bill = bill.quantize(Decimal("0.01"))
    wrong_total = settled.exclude(total=bill)
    if wrong_total.exists():
        problems.append(f"{wrong_total.count()} settlements whose total is not the bill {bill}")
    rows = {s.visit.his_visit_no: s for s in settled.select_related("visit")}
    for visit_no, answer in tally.answers.items():
        row = rows.get(visit_no)
        if row is None or answer.get("settlement_id") != row.pk:
            problems.append(f"visit {visit_no}: the answer names a settlement not in the database")
            break

    region_years = set(settled.values_list("region_code", "year").distinct())
    for region, year in sorted({(r[:6], y) for r, y in region_years}):
        trial = ledger.trial_balance(region, year)
        if not trial.get("balanced", False):
            problems.append(f"ledger {region} {year} does not balance: {trial}")

    people = settled.values_list("person_id", flat=True).distinct()
    standing = Q(kind="settle", reversed_at__isnull=True)
    sums = dict(
        Settlement.objects.filter(
            standing, person_id__in=people, year__in={y for _, y in region_years}
        )
        .values_list("person_id")
        .annotate(total=Sum("basic_fund"))
    )
    for acc in Accumulator.objects.filter(person_id__in=people):
        if acc.basic_paid != sums.get(acc.person_id, Decimal("0")):
            problems.append(
                f"person {acc.person_id}: accumulator {acc.basic_paid} ≠ settlements "
                f"{sums.get(acc.person_id)}"
            )
            break

    result = verify_chain()
    if not result.ok:
        problems.append(f"audit chain broken: {result.problem.describe()}")

    # Idempotent retries return the first answer: resend a sample of completed settles.
    token = token_for()
    conn = http.client.HTTPConnection(bench.HOST, port, timeout=30)
    for visit_no in list(tally.keys)[:: max(1, len(tally.keys) // 50)]:
        path, data, key = tally.keys[visit_no]
        conn.request(
            "POST",
            path,
            body=data,
            headers={
                "X-Huimin-Terminal": bench.TERMINAL,
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": key,
            },
        )
        response = conn.getresponse()
        replay = json.loads(response.read())
        first = {k: v for k, v in tally.answers[visit_no].items() if k != "replayed"}
        if response.status != 200 or not replay.pop("replayed") or replay != first:
            problems.append(f"visit {visit_no}: a retry answered differently ({response.status})")
            break
    conn.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--kills", type=int, default=3, help="kill -9 of gunicorn")
    parser.add_argument("--kill-postgres", type=int, default=0, help="kill -9 of PostgreSQL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quick", action="store_true", help="1,000 residents, 20 s, 2 kills")
    args = parser.parse_args()
    if args.quick:
        args.residents, args.seconds, args.kills = 1000, 20.0, 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    held = bench.Held()
    try:
        held.cluster = bench.Postgres()
        database_url = held.cluster.start()
        return drill(args, held, database_url)
    finally:
        held.release()


def drill(args, held, database_url: str) -> int:
    port = bench.free_port()
    env = bench.server_env(database_url, port)
    # This run's audit key signs this run's checkpoints, kept apart from anyone else's.
    env["HUIMIN_AUDIT_CHECKPOINT_DIR"] = tempfile.mkdtemp(prefix="huimin-drill-checkpoints.")
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    client_id, key, numbers, lines, _centre = bench.prepare(args.residents, args.seed)
    connection.close()
    print(f"prepared {args.residents} residents, {len(numbers)} insured; {bench.machine()}")
    log = Path(tempfile.gettempdir()) / f"huimin-drill-gunicorn-{port}.log"
    held.server = bench.serve(port, args.workers, args.threads, env, log)
    token_for = token_maker(port, key, client_id)
    run_id = held.run_id  # this run's visit numbers carry it; the checks find them by it
    tally = Tally()
    stop = threading.Event()
    counter = itertools.count()
    threads = [
        threading.Thread(
            target=drill_client,
            args=(port, token_for, numbers, lines, counter, stop, tally, run_id),
            daemon=True,
        )
        for _ in range(args.clients)
    ]
    for t in threads:
        t.start()
    kills = ["gunicorn"] * args.kills + ["postgres"] * args.kill_postgres
    every = args.seconds / (len(kills) + 1)
    for what in kills:
        time.sleep(every)
        before = tally.completed
        if what == "gunicorn":
            kill_group(held.server)
            held.server = bench.serve(port, args.workers, args.threads, env, log)
        else:
            kill_postgres(held.cluster)
        print(f"kill -9 {what} after {before} settlements; back up")
    time.sleep(every)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    print(f"settlements completed: {tally.completed}")
    print(f"resends after a lost connection: {dict(tally.retries)}")
    print(f"503 answers while the database was down (resent): {tally.unavailable}")
    if tally.refusals:
        print(f"answers other than expected: {dict(tally.refusals.most_common(5))}")
    problems = check(run_id, tally, lines, port, token_for)
    for p in problems:
        print(f"FAILED: {p}")
    if not problems:
        print("every check held: no doubled lines, no double settlement, ledger balanced,")
        print("accumulators equal the settlements, audit chains intact, retries answer the same")
    return 1 if problems or tally.refusals else 0


if __name__ == "__main__":
    sys.exit(main())
