"""The crash drill's case over a real socket: a hospital system sends a fee upload, the
connection drops before the answer comes back (the client closes it as soon as the
request is sent; the server commits anyway), and the HIS resends the same request with
the same Idempotency-Key. It gets the first answer (200), and the visit is billed once.

Runs where the live server has its own database connections: PostgreSQL, and SQLite on
a file (test_concurrent_retries_sqlite.py runs it there).
"""

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from huimin.access.models import InstitutionAccess
from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.models import FeeDetail, Settlement
from tests.access import helpers
from tests.insurance.conftest import EXAMPLES, preload_example_ytd, visit_body

pytestmark = pytest.mark.django_db(transaction=True)
API = "/api/v1/insurance"


@pytest.fixture(autouse=True)
def own_connections():
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and not db.get("TEST", {}).get("NAME"):
        pytest.skip("the live server shares the in-memory database's one connection")


@pytest.fixture
def his_over_tcp(insured, live_server, client):
    inst = helpers.onboard(helpers.people(), name="新邵县中医医院")
    # The live server sees the loopback address: let the credential come from it.
    InstitutionAccess.objects.filter(pk=inst.access.pk).update(
        ip_ranges=[*helpers.RANGES, "127.0.0.0/8"]
    )
    token = helpers.get_token(client, inst)
    url = urlsplit(live_server.url)
    headers = {
        "Authorization": f"Bearer {token}",
        "X-Huimin-Terminal": inst.terminal,
        "Content-Type": "application/json",
    }

    def send(path, body, key) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        conn.request(
            "POST",
            API + path,
            body=json.dumps(body).encode(),
            headers={**headers, "Idempotency-Key": key},
        )
        return conn

    def call(path, body, key) -> tuple[int, object]:
        conn = send(path, body, key)
        response = conn.getresponse()
        answer = (response.status, json.loads(response.read()))
        conn.close()
        return answer

    return send, call


def test_a_fee_upload_whose_connection_dropped_is_billed_once(insured, his_over_tcp):
    send, call = his_over_tcp
    preload_example_ytd(insured.person)
    status, body = call("/visits", visit_body(insured, "ZY-1"), "reg-ZY-1")
    assert status == 201, body
    claim = json.loads((EXAMPLES / "claim-example.json").read_text())
    upload = {
        "lines": [
            {k: ln[k] for k in ("code", "name", "quantity", "unit_price")} for ln in claim["lines"]
        ]
    }

    # Sent, and the connection closed before any answer: the HIS never learns the result.
    send("/visits/ZY-1/fees", upload, "fees-ZY-1").close()
    deadline = time.monotonic() + 30
    while FeeDetail.objects.count() < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert FeeDetail.objects.count() == 5  # the server committed the upload

    status, lines = call("/visits/ZY-1/fees", upload, "fees-ZY-1")
    assert status == 200, lines
    assert [ln["line_no"] for ln in lines] == [1, 2, 3, 4, 5]
    assert FeeDetail.objects.count() == 5  # not ten

    status, _ = call("/visits/ZY-1/discharge", {"discharge_date": "2026-03-20"}, "dis-ZY-1")
    assert status == 200
    # The settlement's answer is lost the same way, then asked again.
    send("/visits/ZY-1/settle", {}, "settle-ZY-1").close()
    while not Settlement.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    entries = JournalEntry.objects.count()
    status, settled = call("/visits/ZY-1/settle", {}, "settle-ZY-1")
    assert status == 200 and settled["replayed"], settled
    # Settled on the bill uploaded once: the hand-worked example, paid once.
    expected = json.loads((EXAMPLES / "settlement-example.json").read_text())
    assert settled["result"] == expected
    assert Settlement.objects.count() == 1 and JournalEntry.objects.count() == entries
