"""No ID number or phone number in a URL (DESIGN.md §6).

A URL ends up in access logs, proxies' logs, browser history and the Referer of the
next request. Pages send such searches as form posts (the search boxes post); the API
has POST search operations. A query string that still carries one is refused before any
view runs, naming the field, so the mistake is seen at once rather than logged for years.
"""

import json

from django.http import HttpResponse
from django.template.loader import render_to_string

from huimin.core.redact import has_personal_number

REASON = "身份证号码、电话号码不能放在网址中，请在查询框中输入后提交（POST）"


class PersonalNumberInUrlGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if any(has_personal_number(v) for v in values):
                return self._refused(request, name)
        return self.get_response(request)

    @staticmethod
    def _refused(request, name: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            body = {
                "error": {
                    "code": "personal_number_in_url",
                    "message": f"输入有误：{name} {REASON}",
                    "fields": {name: REASON},
                }
            }
            return HttpResponse(
                json.dumps(body, ensure_ascii=False),
                status=422,
                content_type="application/json; charset=utf-8",
            )
        page = render_to_string("400.html", {"reason": f"{name}：{REASON}"}, request=request)
        return HttpResponse(page, status=400, content_type="text/html; charset=utf-8")
