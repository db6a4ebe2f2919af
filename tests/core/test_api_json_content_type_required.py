"""A JSON body sent as text/plain (or a form, or with no type) is refused with 415
naming the content type, not read as JSON anyway (DESIGN.md §3: wrong content types are
refused, not ignored)."""

import json

import pytest

from huimin.registry.models import Person
from tests import factories

API = "/api/v1/registry/people"


@pytest.fixture
def api(client, officer):
    client.force_login(officer)
    return client


def body() -> str:
    return json.dumps(
        {
            "name": "李四",
            "id_number": factories.valid_id(),
            "village_code": factories.VILLAGES[0],
        }
    )


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", ""],
)
def test_json_under_another_content_type_is_refused_naming_it(api, content_type):
    r = api.generic("POST", API, body(), content_type=content_type)
    assert r.status_code == 415, r.content
    error = r.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert "application/json" in error["message"]
    assert (content_type.split(";")[0] or "未指定") in error["message"]
    assert "Content-Type" in error["fields"]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"]
)
def test_json_declared_as_json_is_read(api, content_type):
    r = api.generic("POST", API, body(), content_type=content_type)
    assert r.status_code == 201, r.content


def test_the_schema_documents_415_and_the_limits(api):
    schema = api.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/registry/people"]["post"]
    assert {"414", "415", "431"} <= set(operation["responses"])
