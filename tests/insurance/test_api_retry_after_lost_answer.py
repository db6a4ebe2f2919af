"""A hospital system whose answer was lost after the server committed resends the same
request with the same Idempotency-Key: it gets the first answer (200) and nothing is
written twice.

The crash drill behind issue 12: a fee upload (2204) committed milliseconds before the
app server was killed, the HIS resent the same body, got 201 again and the visit was
settled on doubled lines (85.36 against a 42.68 bill). Here the answer is dropped after
the commit (the response shaping raises, as a dropped connection would lose it), then the
request is resent.
"""

import json

import pytest

from huimin.insurance import api as insurance_api
from huimin.insurance import shown
from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.ledger.services import trial_balance
from huimin.insurance.models import Accumulator, FeeDetail, Settlement
from tests.insurance.conftest import EXAMPLES, preload_example_ytd, visit_body


class AnswerLost(ConnectionResetError):
    pass


def lose_the_next_answer(monkeypatch, name: str, module=insurance_api) -> None:
    """The next call of <module>.<name> (which shapes a response after the service has
    committed; api by default) raises: the client never gets that answer."""
    shape = getattr(module, name)
    lost = []

    def once(*args, **kwargs):
        if not lost:
            lost.append(True)
            raise AnswerLost("connection dropped after commit")
        return shape(*args, **kwargs)

    monkeypatch.setattr(module, name, once)


def example_lines() -> list[dict]:
    claim = json.loads((EXAMPLES / "claim-example.json").read_text())
    return [{k: ln[k] for k in ("code", "name", "quantity", "unit_price")} for ln in claim["lines"]]


@pytest.fixture
def admitted(insured, his):
    preload_example_ytd(insured.person)
    assert his.post("/visits", visit_body(insured, "ZY-1")).status_code == 201


def test_a_fee_upload_resent_after_a_lost_answer_bills_once(insured, his, admitted, monkeypatch):
    lose_the_next_answer(monkeypatch, "plain")  # shapes each uploaded line's quantity
    upload = {"lines": example_lines()}
    with pytest.raises(AnswerLost):
        his.post("/visits/ZY-1/fees", upload, HTTP_IDEMPOTENCY_KEY="fees-ZY-1")
    assert FeeDetail.objects.count() == 5  # the first upload committed

    again = his.post("/visits/ZY-1/fees", upload, HTTP_IDEMPOTENCY_KEY="fees-ZY-1")
    assert again.status_code == 200, again.json()
    assert [ln["line_no"] for ln in again.json()] == [1, 2, 3, 4, 5]
    assert [ln["item_class"] for ln in again.json()] == ["A", "B", "A", "A", "C"]
    assert FeeDetail.objects.count() == 5  # not ten

    # Settled on the bill as uploaded once: exactly the hand-worked example.
    assert his.post("/visits/ZY-1/discharge", {"discharge_date": "2026-03-20"}).status_code == 200
    settled = his.post("/visits/ZY-1/settle", {})
    assert settled.status_code == 201, settled.json()
    expected = json.loads((EXAMPLES / "settlement-example.json").read_text())
    assert settled.json()["result"] == expected


def test_a_settlement_resent_after_a_lost_answer_is_its_receipt(
    insured, his, admitted, monkeypatch
):
    assert his.post("/visits/ZY-1/fees", {"lines": example_lines()}).status_code == 201
    assert his.post("/visits/ZY-1/discharge", {"discharge_date": "2026-03-20"}).status_code == 200
    lose_the_next_answer(monkeypatch, "answer", shown)  # the settlement's answer
    with pytest.raises(AnswerLost):
        his.post("/visits/ZY-1/settle", {}, HTTP_IDEMPOTENCY_KEY="settle-ZY-1")
    (first,) = Settlement.objects.all()
    entries = JournalEntry.objects.count()
    acc = Accumulator.objects.get(person=insured.person, year=2026)

    again = his.post("/visits/ZY-1/settle", {}, HTTP_IDEMPOTENCY_KEY="settle-ZY-1")
    assert again.status_code == 200, again.json()
    body = again.json()
    assert body["replayed"] and body["settlement_id"] == first.pk
    assert body["verification_code"] == first.verification_code
    expected = json.loads((EXAMPLES / "settlement-example.json").read_text())
    assert body["result"] == expected
    # Nothing moved again: one settlement, the same ledger entries and year so far.
    assert Settlement.objects.count() == 1
    assert JournalEntry.objects.count() == entries
    acc_after = Accumulator.objects.get(person=insured.person, year=2026)
    assert (acc_after.basic_paid, acc_after.ci_base, acc_after.assistance_paid) == (
        acc.basic_paid,
        acc.ci_base,
        acc.assistance_paid,
    )
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]


def test_a_registration_resent_after_a_lost_answer_is_the_same_visit(insured, his, monkeypatch):
    lose_the_next_answer(monkeypatch, "_visit")
    body = visit_body(insured, "MZ-9")
    with pytest.raises(AnswerLost):
        his.post("/visits", body, HTTP_IDEMPOTENCY_KEY="reg-MZ-9")
    again = his.post("/visits", body, HTTP_IDEMPOTENCY_KEY="reg-MZ-9")
    # Not 409 visit_no_exists: the HIS learns its registration went through.
    assert again.status_code == 200, again.json()
    assert again.json()["his_visit_no"] == "MZ-9" and again.json()["status"] == "open"
