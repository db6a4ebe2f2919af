"""The API's request parser: JSON bodies and query strings, refusing control characters.

Every router's input passes here (ninja calls the API's parser for bodies, query strings
and forms), so one check keeps NUL and the like out of every field (huimin/core/text.py).
Path parameters do not pass here: ApiErrorShapeMiddleware checks those.
"""

import json

from ninja.parser import Parser

from huimin.core.errors import ValidationFailed
from huimin.core.text import CONTROL_REASON, first_control, has_control


class BodyUnparsable(ValueError):
    """The body is not JSON; `reason` says why, in Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class UnsupportedContentType(ValueError):
    """A body sent as anything but JSON (text/plain, a form): refused, never read as JSON
    anyway, so that a client's mistake is named rather than working by accident."""

    def __init__(self, content_type: str):
        super().__init__(content_type)
        self.content_type = content_type


def is_json_type(content_type: str) -> bool:
    # application/json, or a +json type (application/merge-patch+json and the like).
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


class ControlCharacters(ValueError):
    """A string in the body has a control character; `field` names where."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def control_refusal(field: str) -> ValidationFailed:
    return ValidationFailed.naming({field: CONTROL_REASON})


class HuiminParser(Parser):
    # ninja turns any exception raised here into HttpError(400) chained `from` it;
    # huimin/api.py reads the cause to answer in the contract's shape.
    def parse_body(self, request):
        content_type = (request.content_type or "").lower()
        if not is_json_type(content_type):
            raise UnsupportedContentType(content_type)
        try:
            data = json.loads(request.body)
        except UnicodeDecodeError:
            raise BodyUnparsable("请求内容应为UTF-8编码的JSON") from None
        except json.JSONDecodeError as exc:
            raise BodyUnparsable(
                f"请求内容不是有效的JSON（第{exc.lineno}行第{exc.colno}列），"
                "Content-Type应为application/json"
            ) from None
        except RecursionError:
            raise BodyUnparsable("请求内容的JSON嵌套过深") from None
        field = first_control(data)
        if field is not None:
            raise ControlCharacters(field)
        return data

    def parse_querydict(self, data, list_fields, request):
        for key, values in data.lists():
            if has_control(key) or any(isinstance(v, str) and has_control(v) for v in values):
                raise control_refusal("query" if has_control(key) else key)
        return super().parse_querydict(data, list_fields, request)
