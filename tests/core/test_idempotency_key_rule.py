"""One rule for every Idempotency-Key (core/idempotency.py): 1 to 64 visible ASCII
characters, compared exactly. Before, settlement took 80 characters and refused control
characters while payments took 64, trimmed and unchecked."""

import datetime
from decimal import Decimal

import pytest

from huimin.core import idempotency
from huimin.core.errors import ValidationFailed


@pytest.mark.parametrize(
    "key",
    ["a", "k" * 64, "3f2b9c1e-7a4d-4e0b-9f8a-2c6d1e5b7a90", "web:Ab_-9", "HIS/2026/0001#1"],
)
def test_visible_ascii_up_to_64_characters_is_a_key(key):
    assert idempotency.check_key(key) == key


@pytest.mark.parametrize(
    "key",
    [
        "",
        None,
        "k" * 65,  # settlement took 80 before
        " abc",  # payments trimmed it before: now a key is compared as sent
        "a b",
        "a\tb",
        "a\x00b",
        "a\x7fb",
        "幂等键",  # a header carries Latin-1: a non-ASCII key arrives mangled
        "ｋｅｙ",
    ],
)
def test_anything_else_is_refused_with_the_contracts_code(key):
    with pytest.raises(ValidationFailed) as exc:
        idempotency.check_key(key)
    assert exc.value.code == "idempotency_key_required" and exc.value.status == 422
    assert set(exc.value.fields) == {"Idempotency-Key"}


def test_the_body_hash_ignores_key_order_and_reads_amounts_as_text():
    a = {"lines": [{"quantity": Decimal("2"), "unit_price": Decimal("1.50")}], "visit": "V1"}
    b = {"visit": "V1", "lines": [{"unit_price": Decimal("1.50"), "quantity": Decimal("2")}]}
    assert idempotency.body_hash(a) == idempotency.body_hash(b)
    # 1.50 and 1.5 are not the same request text.
    c = {"visit": "V1", "lines": [{"unit_price": Decimal("1.5"), "quantity": Decimal("2")}]}
    assert idempotency.body_hash(a) != idempotency.body_hash(c)
    assert idempotency.body_hash({"day": datetime.date(2026, 3, 2)}) == idempotency.body_hash(
        {"day": "2026-03-02"}
    )
    # A lone surrogate (valid JSON "\ud800") hashes rather than raising.
    assert len(idempotency.body_hash({"name": "\ud800"})) == 64


def test_the_operation_is_part_of_the_request():
    assert idempotency.request_hash("settle", {"visit": "V1"}) != idempotency.request_hash(
        "cancel_visit", {"visit": "V1"}
    )
