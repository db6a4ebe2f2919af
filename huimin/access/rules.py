"""Access rules as pure functions: no database, no clock (`now` is passed in).

Each check returns errors (field → Chinese reason) or a Refusal (machine code + Chinese
message) that services turn into a DomainError.
"""

import hashlib
import ipaddress
import json
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import import_key

SCOPES = {
    "settlement": "医保结算",
    "records.read": "健康档案查询",
    "records.write": "健康档案写入",
    "catalog.read": "目录查询",
    "exchange": "数据交换",
}
ALLOWED_ALGS = ("ES256", "ES384", "RS384")
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_SECONDS = 300  # an access token lives at most five minutes
ASSERTION_MAX_SECONDS = 300  # an assertion may not claim a longer life than this
CLOCK_SKEW_SECONDS = 60  # tolerated for iat/nbf a little in the future
MAX_ASSERTION_LENGTH = 8192
MAX_RANGES = 50
MAX_TERMINALS = 200
# Anything broader than a /8 (IPv4) or /32 (IPv6) is not "the institution's network".
MIN_PREFIX = {4: 8, 6: 32}
DEVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{2,63}$")
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
CURVE_OF = {"ES256": "P-256", "ES384": "P-384"}
MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


# ---------------------------------------------------------------- application input


def parse_ip_ranges(lines: list[str]) -> tuple[list[str], str | None]:
    """CIDR ranges in canonical form, or the reason the list is refused."""
    ranges: list[str] = []
    for raw in lines:
        text = raw.strip()
        if not text:
            continue
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError:
            try:
                ipaddress.ip_network(text, strict=False)
            except ValueError:
                return [], f"“{text}”不是有效的IP地址段（CIDR，如10.12.0.0/24）"
            return [], f"“{text}”的主机位不为零，请填写网络地址（如10.12.0.0/24）"
        if network.prefixlen < MIN_PREFIX[network.version]:
            return [], f"“{text}”范围过大（IPv4至少/8，IPv6至少/32）"
        canonical = str(network)
        if canonical not in ranges:
            ranges.append(canonical)
    if not ranges:
        return [], "至少填写一个网络地址段"
    if len(ranges) > MAX_RANGES:
        return [], f"网络地址段不能超过{MAX_RANGES}个"
    return ranges, None


def parse_terminals(items: list[tuple[str, str]]) -> tuple[list[dict], str | None]:
    """(device_id, description) pairs → [{"device_id", "description"}] or a reason."""
    terminals: list[dict] = []
    seen: set[str] = set()
    for device_id, description in items:
        device_id, description = device_id.strip(), description.strip()
        if not device_id:
            continue
        if not DEVICE_ID.match(device_id):
            return [], (
                f"终端标识“{device_id[:64]}”格式错误"
                "（3-64位字母、数字或 . _ : -，以字母或数字开头）"
            )
        if len(description) > 200:
            return [], f"终端“{device_id}”的说明不能超过200个字"
        if device_id in seen:
            return [], f"终端标识“{device_id}”重复"
        seen.add(device_id)
        terminals.append({"device_id": device_id, "description": description})
    if not terminals:
        return [], "至少登记一台终端"
    if len(terminals) > MAX_TERMINALS:
        return [], f"终端不能超过{MAX_TERMINALS}台"
    return terminals, None


def terminal_lines(text: str) -> list[tuple[str, str]]:
    """A textarea of "device-id description" lines → pairs (description optional)."""
    pairs = []
    for line in text.splitlines():
        device_id, _, description = line.strip().partition(" ")
        if device_id:
            pairs.append((device_id, description))
    return pairs


def check_application(
    *,
    kind: str,
    contact_name: str,
    contact_phone: str,
    details: str,
    ip_ranges: list[str],
    terminals: list[tuple[str, str]],
    scopes: list[str],
) -> tuple[dict, dict[str, str]]:
    """Validate an application's fields; returns (clean values, errors)."""
    errors: dict[str, str] = {}
    clean: dict = {}
    if kind not in ("institution", "terminal"):
        errors["kind"] = "申请类型只能是机构接入或新增终端"
    name = contact_name.strip()
    if not name:
        errors["contact_name"] = "须填写负责人姓名"
    elif len(name) > 50:
        errors["contact_name"] = "负责人姓名不能超过50个字"
    phone = contact_phone.strip()
    if not PHONE.match(phone):
        errors["contact_phone"] = "电话应为11位手机号或带区号的固定电话"
    if len(details) > 2000:
        errors["details"] = "申请说明不能超过2000个字"
    clean["ip_ranges"], problem = parse_ip_ranges(ip_ranges)
    if problem:
        errors["ip_ranges"] = problem
    clean["terminals"], problem = parse_terminals(terminals)
    if problem:
        errors["terminals"] = problem
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        errors["scopes"] = f"未知的权限范围：{'、'.join(sorted(unknown))[:100]}"
    elif not scopes and kind == "institution":
        errors["scopes"] = "至少选择一项权限范围"
    clean["scopes"] = sorted(set(scopes) & set(SCOPES))
    clean.update(kind=kind, contact_name=name, contact_phone=phone, details=details.strip())
    return clean, errors


def merge_unique(old: list[str], new: list[str]) -> list[str]:
    """Union keeping the first-seen order (stable lists make stable diffs in the audit)."""
    return old + [x for x in new if x not in old]


def check_reason(reason: str) -> dict[str, str]:
    text = (reason or "").strip()
    if not text:
        return {"reason": "须填写理由"}
    if len(text) > 500:
        return {"reason": "理由不能超过500个字"}
    return {}


# ---------------------------------------------------------------- state machines

APPLICATION_TRANSITIONS = {
    "review": ({"submitted"}, "reviewed"),
    "approve": ({"reviewed"}, "approved"),
    "reject": ({"submitted", "reviewed"}, "rejected"),
}
ACCESS_TRANSITIONS = {
    "suspend": ({"active"}, "suspended"),
    "resume": ({"suspended"}, "active"),
    "revoke": ({"active", "suspended"}, "revoked"),
}
_ACTION_NAMES = {
    "review": "初审",
    "approve": "批准",
    "reject": "驳回",
    "suspend": "暂停",
    "resume": "恢复",
    "revoke": "撤销",
}


def next_status(transitions: dict, action: str, current: str) -> tuple[str | None, Refusal | None]:
    allowed_from, to = transitions[action]
    if current not in allowed_from:
        return None, Refusal(
            "invalid_state", f"当前状态不能执行“{_ACTION_NAMES.get(action, action)}”操作"
        )
    return to, None


def four_eyes(action: str, *, submitted_by, reviewed_by, actor) -> Refusal | None:
    """Nobody reviews their own submission; nobody approves what they submitted or reviewed."""
    if action == "review" and actor == submitted_by:
        return Refusal("self_review", "不能初审自己提交的申请")
    if action in ("approve", "reject"):
        if actor == submitted_by:
            return Refusal("self_approval", "不能审批自己提交的申请")
        if reviewed_by is not None and actor == reviewed_by:
            return Refusal("self_approval", "不能审批自己初审的申请，须由另一人复核")
    return None


# ---------------------------------------------------------------- keys


def check_jwks(text: str) -> tuple[list[dict], str | None]:
    """A JWK Set of public signing keys → [{"kid", "alg", "jwk", "thumbprint"}] or a reason."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError):
        return [], "不是有效的JSON"
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list) or not data["keys"]:
        return [], '应为JWK Set：{"keys": [...]}，且至少包含一个公钥'
    keys: list[dict] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["keys"]):
        where = f"第{i + 1}个密钥"
        if not isinstance(raw, dict):
            return [], f"{where}应为JSON对象"
        if any(m in raw for m in PRIVATE_JWK_MEMBERS):
            return [], f"{where}包含私钥成分：只能上传公钥，私钥请勿离开机构"
        kid, alg = raw.get("kid"), raw.get("alg")
        if not isinstance(kid, str) or not kid.strip() or len(kid) > 100:
            return [], f"{where}缺少密钥标识（kid，最多100个字符）"
        if kid in seen:
            return [], f"密钥标识“{kid}”重复"
        seen.add(kid)
        if alg not in ALLOWED_ALGS:
            return [], f"{where}的算法（alg）须为{'、'.join(ALLOWED_ALGS)}之一"
        if raw.get("use", "sig") != "sig":
            return [], f"{where}的用途（use）须为sig"
        problem = _check_key_material(raw, alg)
        if problem:
            return [], f"{where}{problem}"
        public = {k: raw[k] for k in ("kty", "crv", "x", "y", "n", "e") if k in raw}
        public.update(kid=kid, alg=alg, use="sig")
        key = import_key(public)
        keys.append({"kid": kid, "alg": alg, "jwk": public, "thumbprint": key.thumbprint()})
    return keys, None


def _check_key_material(raw: dict, alg: str) -> str | None:
    kty = raw.get("kty")
    if alg in CURVE_OF:
        if kty != "EC" or raw.get("crv") != CURVE_OF[alg]:
            return f"应为{CURVE_OF[alg]}曲线的EC密钥（kty=EC，crv={CURVE_OF[alg]}）"
    elif kty != "RSA":
        return "应为RSA密钥（kty=RSA）"
    try:
        with warnings.catch_warnings():
            # joserfc warns about short RSA keys; we refuse them below instead.
            warnings.simplefilter("ignore", SecurityWarning)
            key = import_key({k: raw[k] for k in ("kty", "crv", "x", "y", "n", "e") if k in raw})
    except (JoseError, ValueError, TypeError, KeyError):
        return "不是有效的公钥"
    if kty == "RSA" and key.raw_value.key_size < MIN_RSA_BITS:
        return f"RSA密钥长度不能少于{MIN_RSA_BITS}位"
    return None


# ---------------------------------------------------------------- token request


def check_token_request(params: dict) -> tuple[dict, Refusal | None]:
    """The form fields of a token request → (clean values, refusal)."""

    def text(name: str) -> str:
        value = params.get(name, "")
        return value if isinstance(value, str) else ""

    if text("grant_type") != "client_credentials":
        return {}, Refusal("unsupported_grant_type", "grant_type须为client_credentials")
    if text("client_assertion_type") != JWT_BEARER:
        return {}, Refusal("invalid_assertion_type", f"client_assertion_type须为{JWT_BEARER}")
    assertion = text("client_assertion").strip()
    if not assertion or len(assertion) > MAX_ASSERTION_LENGTH:
        return {}, Refusal("assertion_missing", "缺少client_assertion或其过长")
    scopes = text("scope").split()
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        return {}, Refusal("invalid_scope", f"未知的权限范围：{' '.join(unknown)[:100]}")
    return {"assertion": assertion, "scopes": sorted(set(scopes))}, None


def read_assertion(assertion: str) -> tuple[dict, dict, Refusal | None]:
    """Header and claims of a compact JWS, NOT verified: only to find the client and key."""
    malformed = Refusal("assertion_malformed", "client_assertion不是有效的JWT")
    try:
        obj = jws.extract_compact(assertion.encode("ascii"))
        header = obj.headers()
        claims = json.loads(obj.payload)
    except (JoseError, ValueError, TypeError, UnicodeError):
        return {}, {}, malformed
    if not isinstance(claims, dict) or not isinstance(header, dict):
        return {}, {}, malformed
    if header.get("alg") not in ALLOWED_ALGS:
        # "none" and HMAC algorithms included: only the registered asymmetric ones count.
        return {}, {}, Refusal("alg_not_allowed", f"签名算法须为{'、'.join(ALLOWED_ALGS)}之一")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        return {}, {}, Refusal("kid_missing", "JWT头部缺少kid")
    if not isinstance(claims.get("iss"), str) or not claims["iss"]:
        return {}, {}, Refusal("iss_missing", "client_assertion缺少iss")
    return header, claims, None


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_assertion_claims(
    claims: dict, *, client_id: str, audience: str, now: float
) -> Refusal | None:
    """The claims of a verified assertion, checked one by one (RFC 7523, SMART Backend)."""
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        return Refusal("iss_sub_mismatch", "iss与sub须均等于client_id")
    aud = claims.get("aud")
    if not (aud == audience or aud == [audience]):
        return Refusal("aud_invalid", f"aud须为令牌端点地址 {audience}")
    exp = claims.get("exp")
    if not _number(exp):
        return Refusal("exp_missing", "client_assertion缺少exp")
    if exp <= now:
        return Refusal("assertion_expired", "client_assertion已过期")
    if exp > now + ASSERTION_MAX_SECONDS:
        return Refusal("exp_too_far", "exp不能晚于当前时间5分钟以上")
    iat = claims.get("iat")
    if iat is not None:
        if not _number(iat) or iat > now + CLOCK_SKEW_SECONDS:
            return Refusal("iat_invalid", "iat无效或晚于当前时间")
        if exp - iat > ASSERTION_MAX_SECONDS:
            return Refusal("exp_too_far", "exp不能晚于iat 5分钟以上")
    nbf = claims.get("nbf")
    if nbf is not None and (not _number(nbf) or nbf > now + CLOCK_SKEW_SECONDS):
        return Refusal("assertion_not_yet_valid", "client_assertion尚未生效")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 255:
        return Refusal("jti_missing", "client_assertion缺少jti（最多255个字符）")
    return None


def granted_scopes(requested: list[str], approved: list[str]) -> tuple[list[str], Refusal | None]:
    """No scope asked: all approved ones. Asking for an unapproved one is refused."""
    if not requested:
        return sorted(approved), None
    missing = [s for s in requested if s not in approved]
    if missing:
        return [], Refusal("scope_not_granted", f"未获批准的权限范围：{' '.join(missing)}")
    return sorted(requested), None


# ---------------------------------------------------------------- per request


@lru_cache(maxsize=1024)
def _networks(ranges: tuple[str, ...]):
    return tuple(ipaddress.ip_network(r) for r in ranges)


def ip_allowed(ip: str, ranges: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in net for net in _networks(tuple(ranges)))


def token_hash(token: str) -> str:
    # A random 256-bit token needs no slow hash: SHA-256 is one-way and cheap per request.
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
