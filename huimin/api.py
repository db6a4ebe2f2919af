"""The JSON API under /api/v1/: mounts each app's router and maps errors to the contract.

Every error is `{"error": {"code", "message", "fields"}}` with a 4xx status; bad input
is never a 500.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from huimin.access.api import router as access_router
from huimin.core.errors import CSRF_FAILED, DomainError
from huimin.core.parser import (
    BodyUnparsable,
    ControlCharacters,
    HuiminParser,
    UnsupportedContentType,
    control_refusal,
)
from huimin.insurance.api import router as insurance_router
from huimin.insurance.catalog.api import router as catalog_router
from huimin.insurance.enrollment.api import router as enrollment_router
from huimin.mediation.api import router as mediation_router
from huimin.oversight.api import router as audit_router
from huimin.policy import public
from huimin.records.api import router as records_router
from huimin.registry.api import router as registry_router
from huimin.review.api import router as review_router

log = logging.getLogger(__name__)

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "机器可读的错误代码"},
                "message": {"type": "string", "description": "中文说明"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "出错字段及原因",
                },
            },
        }
    },
}
_ERROR_STATUSES = {
    "400": "请求无效",
    "401": "未登录或凭证无效",
    "403": "无权访问",
    "404": "对象不存在或无权查看",
    "405": "不支持该请求方法",
    "409": "与现有数据冲突（如幂等键重用）",
    "413": "请求内容过大",
    "414": "请求行过长（超过4096字节）",
    "415": "请求内容类型应为application/json",
    "422": "输入有误（含未定义的字段）",
    "431": "请求头过大或过多",
}


class ChineseJSONRenderer(JSONRenderer):
    # UTF-8 as is: Chinese names and messages stay readable in logs and HIS clients.
    json_dumps_params = {"ensure_ascii": False}


def _idempotency_key_required(operation: dict) -> None:
    # The handlers take the header with a default, so that a missing key gets the
    # contract's own code (idempotency_key_required) rather than a generic
    # validation_failed; but every such call is refused without it, so say so.
    for param in operation.get("parameters", []):
        if param.get("in") == "header" and param.get("name") == "Idempotency-Key":
            param["required"] = True
            param.get("schema", {}).pop("default", None)
            param.setdefault("description", "幂等键：同一键的重复请求返回首次结果（必填）")


class HuiminAPI(NinjaAPI):
    """Every operation may answer with the contract's error shape; the schema says so."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                _idempotency_key_required(operation)
                responses = operation.setdefault("responses", {})
                for status, text in _ERROR_STATUSES.items():
                    responses.setdefault(status, {"description": text, **ref})
        return schema


api = HuiminAPI(
    renderer=ChineseJSONRenderer(),
    parser=HuiminParser(),
    title="Huimin API",
    version="1",
    description="惠民：城乡居民医保、智能审核与居民健康档案接口。错误格式见 DESIGN.md §3。",
    auth=django_auth,
    urls_namespace="api",
    # The schema and its browser are the API guide HIS vendors read before they hold a
    # credential; they show no data.
    docs_decorator=public("接口说明（OpenAPI）：不含任何数据"),
)

# Pydantic error types → the reason a person reads.
_REASONS = {
    "missing": "必填项",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "string_type": "应为字符串",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "date_parsing": "日期格式应为YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为YYYY-MM-DD",
    "date_type": "日期格式应为YYYY-MM-DD",
    "decimal_parsing": "应为数值",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "json_invalid": "JSON格式错误",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为数组",
    "string_pattern_mismatch": "格式错误",
    "int_from_float": "应为整数",
    "bool_parsing": "应为布尔值",
    "value_error": "取值无效",
    "extra_forbidden": "未定义的字段",
}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc]
    # Drop the transport prefix ("body", "query", "path") and ninja's payload parameter.
    while parts and parts[0] in {"body", "query", "path", "payload", "form", "header"}:
        parts.pop(0)
    name = ""
    for p in parts:
        name += f"[{p}]" if p.isdigit() else (f".{p}" if name else p)
    return name or "body"


def error_response(request, status: int, code: str, message: str, fields=None):
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, str] = {}
    for err in exc.errors:
        name = _field_name(err.get("loc", ()))
        reason = _REASONS.get(err.get("type", ""), "取值无效")
        ctx = err.get("ctx") or {}
        if err.get("type") == "string_too_long" and "max_length" in ctx:
            reason = f"不能超过{ctx['max_length']}个字符"
        fields.setdefault(name, reason)
    message = "输入有误：" + "；".join(f"{k} {v}" for k, v in fields.items())
    # Only unknown fields: a code of its own, so a client sees at once it sent extra names.
    extra_only = all(err.get("type") == "extra_forbidden" for err in exc.errors)
    code = "unknown_field" if exc.errors and extra_only else "validation_failed"
    return error_response(request, 422, code, message, fields)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if getattr(exc, "retry_after", None):  # a 429 says when to come back
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(request, 401, "unauthenticated", "未登录或凭证无效")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, "not_found", "对象不存在或无权查看")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # ninja wraps whatever the parser raised in HttpError(400, "Cannot parse request
    # body"); the cause says what was wrong, in the contract's words.
    cause = exc.__cause__
    # ninja's session-auth CSRF check ran settings.CSRF_FAILURE_VIEW, which marked this.
    csrf_failed = getattr(request, "huimin_csrf_failed", None)
    if exc.status_code == 403 and csrf_failed:
        return error_response(request, 403, CSRF_FAILED, csrf_failed)
    if isinstance(cause, ControlCharacters):
        return on_domain_error(request, control_refusal(cause.field))
    if isinstance(cause, UnsupportedContentType):
        shown = "".join(c for c in cause.content_type if c.isprintable())[:100] or "（未指定）"
        return error_response(
            request,
            415,
            "unsupported_media_type",
            f"请求内容类型应为application/json，收到{shown}",
            {"Content-Type": f"应为application/json，收到{shown}"},
        )
    if isinstance(cause, RequestDataTooBig):
        return error_response(request, 413, "payload_too_large", "请求内容过大")
    if exc.status_code == 400 and cause is not None:
        reason = cause.reason if isinstance(cause, BodyUnparsable) else "请求内容无法解析"
        return error_response(request, 400, "body_unparsable", reason)
    return error_response(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(DataError)
def on_data_error(request, exc: DataError):
    # A safety net: input the checks above let through and the database refuses (a NUL
    # in some header, a number out of a column's range) is bad input, not a server fault.
    # The transaction it happened in has rolled back, so nothing was changed.
    log.warning("DataError answered as 400 at %s: %s", request.path, exc)
    return error_response(
        request, 400, "data_rejected", "输入含有数据库无法保存的内容（如NUL控制字符或超长数值）"
    )


def _mount():
    api.add_router("/registry/", registry_router)
    api.add_router("/access/", access_router)
    api.add_router("/audit/", audit_router)
    api.add_router("/insurance/", insurance_router)
    api.add_router("/catalog/", catalog_router)
    api.add_router("/enrollment/", enrollment_router)
    api.add_router("/records/", records_router)
    api.add_router("/review/", review_router)
    api.add_router("/mediation/", mediation_router)


_mount()
