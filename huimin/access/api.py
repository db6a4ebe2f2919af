"""Access API: the token endpoint for institution systems and a scope-free `whoami`."""

import json

from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja import Router

from huimin.access import tokens
from huimin.access.auth import InstitutionBearer
from huimin.core.schemas import ErrorOut, Schema
from huimin.policy import public

router = Router(tags=["access"])


class TokenOut(Schema):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


# Not "InstitutionOut": OpenAPI components are named by class, and the registry's
# InstitutionOut (all of an institution's fields) would replace this one in the schema.
class WhoAmIInstitution(Schema):
    id: int
    name: str
    insurance_code: str


class WhoAmIOut(Schema):
    institution: WhoAmIInstitution
    terminal: str
    client_id: str
    scopes: list[str]


_TOKEN_FIELDS = {
    "type": "object",
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "client_assertion_type": {
            "type": "string",
            "enum": ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"],
        },
        "client_assertion": {"type": "string", "description": "ES256/ES384/RS384 签名的JWT"},
        "scope": {"type": "string", "description": "以空格分隔的权限范围，空则为全部已批准范围"},
    },
    "required": ["grant_type", "client_assertion_type", "client_assertion"],
}


def _params(request: HttpRequest) -> dict:
    """The token request as form fields (RFC 6749) or, for convenience, a JSON object."""
    content_type = request.content_type or ""
    try:
        if content_type == "application/json":
            data = json.loads(request.body or b"{}")
            return data if isinstance(data, dict) else {}
        return request.POST.dict()
    except (ValueError, MultiPartParserError):
        return {}


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    summary="获取访问令牌（客户端断言，client_credentials）",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": _TOKEN_FIELDS},
                "application/json": {"schema": _TOKEN_FIELDS},
            },
        },
        "parameters": [
            {
                "in": "header",
                "name": tokens.TERMINAL_HEADER,
                "required": True,
                "schema": {"type": "string"},
                "description": "登记的终端标识；令牌与该终端绑定",
            }
        ],
    },
)
@public("取得令牌：机构系统以客户端断言证明身份，凭证本身即是授权")
def token(request):
    return tokens.issue_token(request, _params(request))


@router.get(
    "/whoami",
    auth=InstitutionBearer(),
    response={200: WhoAmIOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    summary="当前机构、终端与权限范围",
)
def whoami(request):
    institution = request.auth_institution
    return {
        "institution": {
            "id": institution.pk,
            "name": institution.name,
            "insurance_code": institution.insurance_code,
        },
        "terminal": request.auth_terminal,
        "client_id": request.auth_credential.client_id,
        "scopes": request.auth_scopes,
    }
