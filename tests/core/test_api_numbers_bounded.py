"""Every number an API client sends in a body or a query string is bounded in the schema
(ints within the 64-bit columns they reach, and within their domain), so that no value
reaches the database beyond a column's range (a line number of 2**63 was a 500).

Path ids are matched by Django's int converter and looked up with the ORM, which answers
an out-of-range id with no row (a 404): tested below on a few."""

import pytest

INT64 = 2**63 - 1


def resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def unbounded(schema: dict, components: dict, where: str, seen=frozenset()) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        return unbounded(components[name], components, where, seen | {name})
    found = []
    if schema.get("type") in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is None or high is None or low < -INT64 - 1 or high > INT64:
            found.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += unbounded(sub, components, where, seen)
    for name, sub in schema.get("properties", {}).items():
        found += unbounded(sub, components, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        found += unbounded(schema["items"], components, f"{where}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += unbounded(schema["additionalProperties"], components, f"{where}{{}}", seen)
    return found


def test_every_body_and_query_number_is_bounded(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    found = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            for param in op.get("parameters", []):
                if param["in"] != "path":
                    found += unbounded(param["schema"], components, f"{where} {param['name']}")
            for media in op.get("requestBody", {}).get("content", {}).values():
                found += unbounded(media.get("schema", {}), components, f"{where} body")
    assert found == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/registry/people/9223372036854775808",
        "/api/v1/registry/households/99999999999999999999999",
        "/api/v1/registry/institutions/9223372036854775808",
    ],
)
def test_an_out_of_range_path_id_is_not_found(client, officer, path):
    client.force_login(officer)
    r = client.get(path)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
