"""API schemas every router shares: the strict base classes and the contract's error
shape (DESIGN.md §3).

Every schema in the project derives from `Schema` or `PlainSchema` here, never from
ninja's directly: an unknown field is refused (422 naming it), not silently ignored —
a misspelt optional field (`diagnosis_cod`) would otherwise be dropped without a word —
and the OpenAPI schema says `additionalProperties: false`.
"""

from ninja import Schema as NinjaSchema
from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator


def _known_only(cls, data, info: ValidationInfo):
    # Only input is strict. An answer is built by our own code, sometimes from a dict
    # holding more than its schema shows (a stored settlement's internals); those keys
    # are left out of the answer, as ninja always did, rather than failing it with a
    # 500. ninja validates answers with `response_status` in the context, input without.
    if isinstance(data, dict) and info.context and "response_status" in info.context:
        known = cls.__known_keys__
        if not known.issuperset(data):
            return {k: v for k, v in data.items() if k in known}
    return data


class _Strict:
    """Shared by both bases: refuse unknown input fields, drop unknown answer keys."""

    __known_keys__: frozenset = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs):
        super().__pydantic_init_subclass__(**kwargs)
        names = set()
        for name, field in cls.model_fields.items():
            names.update(
                n for n in (name, field.alias, field.validation_alias) if isinstance(n, str)
            )
        cls.__known_keys__ = frozenset(names)

    @model_validator(mode="before")
    @classmethod
    def _answers_keep_known_keys(cls, data, info: ValidationInfo):
        return _known_only(cls, data, info)


class Schema(_Strict, NinjaSchema):
    """ninja's Schema, refusing unknown fields."""

    model_config = ConfigDict(extra="forbid")


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    error: ErrorBody


# The 4xx statuses an operation may answer with, for `response={200: X, **ERRORS}`.
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,  # rate limits (core/ratelimit.py) may answer any operation
}


class PlainSchema(_Strict, BaseModel):
    """A schema for bodies and answers made of plain dicts and lists, on busy endpoints.

    ninja's Schema wraps every object it validates, nested ones included, in a getter
    that can read ORM attributes and resolvers; on a ten-line answer that wrapping costs
    more than the validation. These schemas validate, serialise and document the same.
    """

    model_config = ConfigDict(from_attributes=True, extra="forbid")

    def dict(self, *args, **kwargs) -> dict:  # as ninja's Schema offers
        return self.model_dump(*args, **kwargs)
