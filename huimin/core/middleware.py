"""Keep every API error in the contract's JSON shape, even those raised below the API
layer (unknown path → Django's 404, wrong method → 405, CSRF failure → 403, and an
unexpected 500, whose details stay in the server log).

Also refuse a control character in an API path parameter (`/visits/N%001/cancel`):
bodies and query strings are checked by the API's parser (huimin/core/parser.py), but
ninja hands path parameters to the view as they are."""

import json
import logging

from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

from huimin.core.text import CONTROL_REASON, has_control, has_control_or_break

log = logging.getLogger(__name__)

_CODES = {
    403: ("forbidden", "禁止访问"),
    404: ("not_found", "接口不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("payload_too_large", "请求内容过大"),
}


def _shaped(status: int, code: str, message: str, fields=None) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _bad_request_page(request, reason: str, status: int = 400) -> HttpResponse:
    """The pages' answer to bad input: 400.html (in Chinese) with the reason."""
    body = render_to_string("400.html", {"reason": reason}, request=request)
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith("/api/"):
            return None
        # A path parameter is one line: no control character, tab or line break either.
        for name, value in view_kwargs.items():
            if isinstance(value, str) and has_control_or_break(value):
                message = f"输入有误：{name} {CONTROL_REASON}"
                return _shaped(422, "validation_failed", message, {name: CONTROL_REASON})
        return None

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            default = (
                ("internal_error", "服务器内部错误，已记录")
                if response.status_code >= 500
                else ("http_error", "请求无效")
            )
            code, message = _CODES.get(response.status_code, default)
            shaped = _shaped(response.status_code, code, message)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response


class PageInputGuardMiddleware:
    """Refuse a page's query or form value holding a control character (NUL and the
    like; tab and line breaks stay allowed) before any view runs, with a 400 page that
    names the field. The API checks its own input (huimin/core/parser.py); pages hand raw
    values to services, and PostgreSQL cannot store a NUL: without this, a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            for values in (request.GET, request.POST):
                for name, value in values.lists():
                    if has_control(name) or any(has_control(v) for v in value):
                        return self._refused(request, name)
        return self.get_response(request)

    @staticmethod
    def _refused(request, name: str) -> HttpResponse:
        shown = "".join(c for c in name if not has_control(c))[:50] or "输入"
        return _bad_request_page(request, f"{shown}{CONTROL_REASON}")


class MalformedBodyMiddleware:
    """A multipart body Django cannot parse (no boundary, a bad one, a bad length) is a
    400 in the contract's shape (a Chinese page outside /api/) and one log line.

    Without this the parse error surfaced wherever request.POST was first read — the
    CSRF check, a form — and Django logged it with a full traceback. It sits before
    CsrfViewMiddleware, which reads request.POST on every page POST."""

    REASON = "请求内容无法解析：multipart/form-data 缺少有效的boundary或长度有误"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018 - parses the body once; Django keeps the result
            except MultiPartParserError as exc:
                # One line; the client's boundary text is shown as repr, never raw.
                log.warning("Bad Request (multipart): %s %r", request.path, str(exc)[:100])
                if request.path.startswith("/api/"):
                    response = _shaped(400, "body_unparsable", self.REASON)
                else:
                    response = _bad_request_page(request, self.REASON)
                response._has_been_logged = True  # Django's own "Bad Request" line: ours
                return response
        return self.get_response(request)


# The request line and header limits, answered here in the contract's shape (DESIGN.md
# §3). gunicorn.conf.py sets gunicorn's own limits above these, so that a request over
# them reaches Django and gets this answer instead of gunicorn's English HTML page.
REQUEST_LINE_MAX = 4096  # bytes of "GET /path?query HTTP/1.1"
HEADER_FIELD_MAX = 8190  # bytes of one "Name: value" line
HEADER_FIELDS_MAX = 100  # header lines


def _header_lines(meta) -> list[tuple[str, int]]:
    """(name, bytes of "Name: value") of each header, as WSGI hands them over."""
    out = []
    for key, value in meta.items():
        if key.startswith("HTTP_"):
            name = key[5:]
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key
        else:
            continue
        name = name.replace("_", "-").title()
        # WSGI values are latin-1 decoded bytes: their length is the bytes on the wire.
        out.append((name, len(name) + 2 + len(str(value))))
    return out


def request_line_length(request) -> int:
    # gunicorn passes the request target as sent (RAW_URI); elsewhere, rebuild it.
    target = request.META.get("RAW_URI") or request.get_full_path()
    protocol = request.META.get("SERVER_PROTOCOL", "HTTP/1.1")
    line = f"{request.method} {target} {protocol}"
    return len(line.encode("utf-8", "surrogateescape"))


class RequestLimitsMiddleware:
    """414 for a request line over REQUEST_LINE_MAX, 431 for a header over
    HEADER_FIELD_MAX or more than HEADER_FIELDS_MAX headers: JSON under /api/, a
    Chinese page elsewhere. First in both middleware chains, before anything reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refusal(request)
        if refusal is None:
            return self.get_response(request)
        status, code, message, fields = refusal
        if request.path.startswith("/api/"):
            response = _shaped(status, code, message, fields)
        else:
            response = _bad_request_page(request, message, status)
        return response

    @staticmethod
    def refusal(request):
        length = request_line_length(request)
        if length > REQUEST_LINE_MAX:
            message = f"请求行过长（{length}字节，上限{REQUEST_LINE_MAX}字节）：请缩短查询条件"
            return 414, "uri_too_long", message, {}
        headers = _header_lines(request.META)
        if len(headers) > HEADER_FIELDS_MAX:
            message = f"请求头过多（{len(headers)}个，上限{HEADER_FIELDS_MAX}个）"
            return 431, "headers_too_large", message, {}
        for name, size in headers:
            if size > HEADER_FIELD_MAX:
                message = f"请求头 {name} 过长（{size}字节，上限{HEADER_FIELD_MAX}字节）"
                return 431, "headers_too_large", message, {name: f"不能超过{HEADER_FIELD_MAX}字节"}
        return None
