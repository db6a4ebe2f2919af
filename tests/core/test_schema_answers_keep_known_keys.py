"""The strict base refuses unknown fields in what a client sends, but an answer built
from a dict holding more than its schema shows (a stored result's internals) is not a
500: the extra keys are left out, as ninja always did."""

import pydantic
import pytest

from huimin.core.schemas import PlainSchema, Schema

ANSWER = {"request": None, "response_status": 200}  # the context ninja validates answers in


class Line(PlainSchema):
    code: str


class Out(Schema):
    total: str
    lines: list[Line]


def test_input_with_an_unknown_field_is_refused():
    with pytest.raises(pydantic.ValidationError) as exc:
        Out.model_validate({"total": "1.00", "lines": [{"code": "A", "x": 1}], "y": 2})
    assert {e["type"] for e in exc.value.errors()} == {"extra_forbidden"}
    assert {e["loc"] for e in exc.value.errors()} == {("lines", 0, "x"), ("y",)}


def test_an_answer_drops_keys_its_schema_does_not_show():
    out = Out.model_validate(
        {"total": "1.00", "lines": [{"code": "A", "x": 1}], "fee_lines": [1, 2]},
        context=ANSWER,
    )
    assert out.model_dump() == {"total": "1.00", "lines": [{"code": "A"}]}
