"""Run every benchmark in bench/ that has a quick mode and print its figures (`make bench`).

    .venv/bin/python bench/run_all.py                 # all of them, quick
    .venv/bin/python bench/run_all.py engine auth     # only those whose name contains a word

Each script runs in its own process, against its own throw-away database (SQLite under
/tmp, or a PostgreSQL cluster the settlement benchmark starts itself): a database named
by HUIMIN_DATABASE_URL is never handed to them. Quick figures are for seeing that the
benchmarks work and for rough comparison; docs/BENCHMARKS.md records full runs with
their machine and load. Exits non-zero if a script fails or times out.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# script → arguments of its quick mode (seconds to a minute or two each)
QUICK = {
    "bench_engine.py": ["2000"],
    "bench_generate.py": ["--residents", "10000"],
    "bench_auth.py": ["--requests", "300", "--warmup", "20"],
    "bench_settlement_http.py": ["--quick"],
}
TIMEOUT = 900


def main(argv: list[str]) -> int:
    words = [w for w in argv if not w.startswith("-")]
    scripts = sorted(p.name for p in HERE.glob("bench_*.py"))
    env = {k: v for k, v in os.environ.items() if k != "HUIMIN_DATABASE_URL"}
    a, b, c = os.getloadavg()
    print(f"bench/run_all.py: nproc {os.cpu_count()}, load average {a:.2f}/{b:.2f}/{c:.2f}")
    results = []
    for name in scripts:
        if words and not any(w in name for w in words):
            continue
        if name not in QUICK:
            print(f"\n=== {name}: no quick mode known to run_all.py, skipped")
            results.append((name, "skipped", 0.0))
            continue
        command = [sys.executable, str(HERE / name), *QUICK[name]]
        print(f"\n=== {name} {' '.join(QUICK[name])}", flush=True)
        started = time.monotonic()
        child = subprocess.Popen(command, env=env, cwd=HERE.parent)
        try:
            code = child.wait(timeout=TIMEOUT)
            status = "ok" if code == 0 else f"failed ({code})"
        except (subprocess.TimeoutExpired, KeyboardInterrupt) as exc:
            # SIGTERM first: the settlement benchmark then stops its server and cluster.
            child.terminate()
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
            if isinstance(exc, KeyboardInterrupt):
                raise
            status = f"timed out after {TIMEOUT} s"
        results.append((name, status, time.monotonic() - started))
    print("\n=== summary")
    for name, status, seconds in results:
        print(f"{name:<28} {status:<20} {seconds:6.1f} s")
    return 0 if all(s in ("ok", "skipped") for _, s, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
