"""Domain errors that carry the contract's shape (DESIGN.md §3).

`{"error": {"code": "...", "message": "中文说明", "fields": {"field": "reason"}}}`

NotFound and PermissionDenied are also Django's Http404 and PermissionDenied, so a
policy check (huimin.policy.check_perm, get_visible_or_404) raised inside a page gives
the 404/403 page, and inside the API the JSON error above.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class ValidationFailed(DomainError):
    """One or more fields are wrong; `fields` names each with its reason."""

    status = 422

    def __init__(self, fields: dict[str, str], code: str = "validation_failed", message=None):
        super().__init__(code, message or "输入有误：" + "；".join(fields.values()), fields)

    @classmethod
    def naming(cls, fields: dict[str, str], code: str = "validation_failed") -> "ValidationFailed":
        """With each field's name in the message too, as the API's own validation says it
        (`输入有误：lines[1].name 不能含有控制字符`): for reasons that do not name it."""
        message = "输入有误：" + "；".join(f"{k} {v}" for k, v in fields.items())
        return cls(fields, code=code, message=message)


class NotFound(DomainError, Http404):
    status = 404

    def __init__(self, what: str = "对象"):
        super().__init__("not_found", f"{what}不存在或无权查看")


class Conflict(DomainError):
    status = 409


class PermissionDenied(DomainError, DjangoPermissionDenied):
    status = 403

    def __init__(self, message: str = "无权执行此操作", code: str = "forbidden"):
        super().__init__(code, message)


# CSRF failures (DESIGN.md §3: in the error shape, CSRF failures included). Django's
# reasons are English sentences; each is matched by its start.
CSRF_FAILED = "csrf_failed"
_CSRF_REASONS = (
    ("CSRF cookie not set", "浏览器未发送安全令牌Cookie：请允许本站使用Cookie，刷新页面后重试"),
    ("CSRF token missing", "请求缺少安全令牌（CSRF）：请刷新页面后重试"),
    ("Origin checking failed", "请求来源与本站地址不符，已拒绝"),
    ("Referer checking failed", "请求来源（Referer）与本站地址不符，已拒绝"),
)


def csrf_reason(reason: str) -> str:
    for start, message in _CSRF_REASONS:
        if reason.startswith(start):
            return message
    return "安全令牌（CSRF）无效或已过期：请刷新页面后重试"
