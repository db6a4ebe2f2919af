"""Two API schemas by the same class name are one component in the OpenAPI document: the
one registered last replaces the other, and the document then describes one operation's
answer with the other's fields. The access API's `InstitutionOut` (whoami: id, name,
insurance code) replaced the registry's (every field of an institution), so the
institution list and detail answered fields their schema forbids (found by the fuzz as
each staff role, tests/test_api_fuzz_roles.py)."""

import huimin.api  # noqa: F401 - mounts every router, so every schema class is defined
from huimin.core.schemas import PlainSchema, Schema


def subclasses(cls) -> set:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | subclasses(sub)
    return found


def test_every_api_schema_has_its_own_name():
    by_name: dict[str, set] = {}
    for cls in subclasses(Schema) | subclasses(PlainSchema):
        if cls.__module__.startswith("huimin."):
            by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


def test_the_institution_answers_are_documented_with_their_own_fields(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    components = doc["components"]["schemas"]
    registry = doc["paths"]["/api/v1/registry/institutions/{institution_id}"]["get"]
    ref = registry["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert {"credit_code", "region_code", "address"} <= set(
        components[ref.rsplit("/", 1)[1]]["properties"]
    )
    whoami = components["WhoAmIOut"]["properties"]["institution"]["$ref"]
    assert set(components[whoami.rsplit("/", 1)[1]]["properties"]) == {
        "id",
        "name",
        "insurance_code",
    }
