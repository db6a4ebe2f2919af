"""Unknown JSON fields are refused with 422 naming each of them, not silently ignored
(a misspelt optional field would otherwise be dropped without a word), and the OpenAPI
schema says so: every object schema has additionalProperties false."""

import pytest

from huimin.registry.models import Person
from tests import factories

API = "/api/v1/registry/people"


@pytest.fixture
def api(client, officer):
    client.force_login(officer)
    return client


def person(**extra) -> dict:
    return {
        "name": "李四",
        "id_number": factories.valid_id(),
        "village_code": factories.VILLAGES[0],
        **extra,
    }


def test_unknown_fields_are_refused_naming_each(api):
    r = api.post(API, person(nmae="李四", phone_no="13800000000"), content_type="application/json")
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == "unknown_field"
    assert error["fields"] == {"nmae": "未定义的字段", "phone_no": "未定义的字段"}
    assert "nmae" in error["message"] and "phone_no" in error["message"]
    assert not Person.objects.exists()


def test_an_unknown_field_beside_a_wrong_one_is_named_too(api):
    r = api.post(API, person(name="", sex="9", extra=1), content_type="application/json")
    assert r.status_code == 422
    assert "extra" in r.json()["error"]["fields"]


def test_every_object_schema_forbids_additional_properties(api):
    schema = api.get("/api/v1/openapi.json").json()
    loose = [
        name
        for name, s in schema["components"]["schemas"].items()
        if s.get("type") == "object"
        and "properties" in s
        and s.get("additionalProperties") is not False
        and name != "Error"
    ]
    assert loose == []


def test_no_schema_bypasses_the_strict_base():
    # A schema made from ninja's Schema or pydantic's BaseModel directly would ignore
    # unknown fields again; huimin/core/schemas.py is the one place that may.
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "huimin"
    direct = re.compile(r"^from (ninja|pydantic) import .*\b(Schema|BaseModel)\b", re.M)
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path != root / "core" / "schemas.py" and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
