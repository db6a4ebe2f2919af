"""API schemas every router shares: the contract's error shape (DESIGN.md §3)."""

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    error: ErrorBody


# The 4xx statuses an operation may answer with, for `response={200: X, **ERRORS}`.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
