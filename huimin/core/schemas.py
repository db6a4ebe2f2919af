"""API schemas every router shares: the contract's error shape (DESIGN.md §3)."""

from ninja import Schema
from pydantic import BaseModel, ConfigDict


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


class PlainSchema(BaseModel):
    """A schema for bodies and answers made of plain dicts and lists, on busy endpoints.

    ninja's Schema wraps every object it validates, nested ones included, in a getter
    that can read ORM attributes and resolvers; on a ten-line answer that wrapping costs
    more than the validation. These schemas validate, serialise and document the same.
    """

    model_config = ConfigDict(from_attributes=True)

    def dict(self, *args, **kwargs) -> dict:  # as ninja's Schema offers
        return self.model_dump(*args, **kwargs)
