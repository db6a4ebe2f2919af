"""Keep every API error in the contract's JSON shape, even those raised below the API
layer (unknown path → Django's 404, wrong method → 405, CSRF failure → 403, and an
unexpected 500, whose details stay in the server log)."""

import json

from django.http import HttpResponse

_CODES = {
    403: ("forbidden", "禁止访问"),
    404: ("not_found", "接口不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("payload_too_large", "请求内容过大"),
}


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

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
            body = {"error": {"code": code, "message": message, "fields": {}}}
            shaped = HttpResponse(
                json.dumps(body, ensure_ascii=False),
                status=response.status_code,
                content_type="application/json; charset=utf-8",
            )
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
