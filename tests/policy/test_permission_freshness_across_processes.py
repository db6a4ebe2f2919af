"""A revoked permission stops working on the next request in every process (DESIGN.md
§6). Two worker processes share one database: one keeps serving a cashier, the other
revokes the cashier role's catalog.read through the security administrator's service.
With grants cached per process for 60 s (before the policy version), the first worker
kept answering 200."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def _database_url(tmp_path: Path) -> str:
    """A URL a second process can open onto this test's (committed) data."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database lives in this process's memory: copy it to a file.
        path = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    if connection.vendor == "postgresql":
        return (
            f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:"
            f"{s['PORT'] or 5432}/{s['NAME']}"
        )
    pytest.skip(f"no second-process set-up for {connection.vendor}")


class Worker:
    def __init__(self, url: str):
        env = {
            **os.environ,
            "HUIMIN_DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "huimin.settings",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.policy.grant_worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, line: str) -> str:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        assert answer, f"worker died answering {line!r}"
        return answer

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.mark.django_db(transaction=True)
def test_a_revoke_in_one_process_is_seen_by_another_on_its_next_request(tmp_path):
    factories.make_regions()
    hospital = factories.make_institution()
    factories.make_staff("cashier1", "cashier", factories.COUNTY, institution=hospital)
    factories.make_staff("secadmin1", "security_admin", factories.COUNTY)
    url = _database_url(tmp_path)
    page = reverse("catalog:catalog_list")

    serving, revoking = Worker(url), Worker(url)
    try:
        assert serving.ask(f"get cashier1 {page}") == "200"
        assert serving.ask(f"get cashier1 {page}") == "200"  # now cached in that process
        assert revoking.ask("revoke secadmin1 cashier catalog.read") == "ok"
        assert serving.ask(f"get cashier1 {page}") == "403"
    finally:
        serving.close()
        revoking.close()
