"""A run of requests against gunicorn, as `make demo` serves, carrying ID and phone
numbers in every place a client can put them (query strings, paths, Referer, bodies):
neither gunicorn's access log nor Django's log holds one of them afterwards."""

import base64
import datetime
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from huimin.core import idnumber

ROOT = Path(__file__).resolve().parents[2]
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def numbers(count: int) -> tuple[list[str], list[str]]:
    rng = random.Random(20261207)
    ids = [
        idnumber.make(
            "430521",
            datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(30000)),
            rng.randrange(1000),
            rng.choice("12"),
        )
        for _ in range(count)
    ]
    phones = [f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" for _ in range(count)]
    return ids, phones


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("logs")
    env = {
        **os.environ,
        "HUIMIN_ENV_FILE": "/dev/null",
        "HUIMIN_DEBUG": "0",
        "HUIMIN_DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "HUIMIN_SECRET_KEY": base64.b64encode(os.urandom(36)).decode(),
        "HUIMIN_FIELD_KEY": base64.b64encode(os.urandom(32)).decode(),
        "HUIMIN_AUDIT_KEY": base64.b64encode(os.urandom(32)).decode(),
        "HUIMIN_AUDIT_CHECKPOINT_DIR": str(work / "checkpoints"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = (work / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
            "huimin.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1",
            "--access-logfile", "-", "--error-logfile", "-",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request(port, "GET", "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        yield port, work / "server.log"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def request(port, method, path, body=None, headers=None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_a_request_run_leaves_no_id_or_phone_number_in_the_logs(server):
    port, log_path = server
    ids, phones = numbers(25)
    statuses = []
    for number, phone in zip(ids, phones, strict=True):
        wide = quote(number.translate(FULLWIDTH))
        statuses += [
            request(port, "GET", f"/registry/people/?q={number}"),
            request(port, "GET", f"/registry/people/?q={wide}"),
            request(port, "GET", f"/api/v1/registry/people?q={number}"),
            request(port, "GET", f"/api/v1/insurance/persons/{number}"),
            request(port, "GET", f"/api/v1/insurance/persons/{wide}"),
            request(port, "GET", f"/no/such/page/{phone}/"),
            request(port, "GET", f"/login/?next=/registry/people/%3Fq%3D{number}"),
            request(port, "GET", "/", headers={"Referer": f"http://x/?tel={phone}&id={number}"}),
            request(
                port,
                "POST",
                "/api/v1/registry/people/search",
                body=json.dumps({"q": number}),
                headers={"Content-Type": "application/json"},
            ),
        ]
    assert 500 not in statuses
    time.sleep(0.5)  # the access log is written after each response
    text = log_path.read_text(encoding="utf-8")
    assert text.count("/api/v1/insurance/persons/430521") >= 25  # the run was logged
    leaked = [n for n in ids + phones if n in text or n.translate(FULLWIDTH) in text]
    assert leaked == []
    assert "?q=" not in text and "tel=" not in text
