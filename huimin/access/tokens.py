"""Machine authentication: the token endpoint's use case and per-request token checks.

Tokens are opaque random strings; the database keeps only their SHA-256. Checking one is
a single indexed query joining the token to its credential, terminal and the
institution's access row, so a suspension or revocation is seen on the very next
request without any cache to invalidate. Every refusal is audited (after the refused
work rolled back) with its machine code as the reason.
"""

import datetime
import secrets
import time
from dataclasses import dataclass
from typing import NoReturn

from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import import_key

from huimin.access import conf, rules
from huimin.access.models import (
    AccessStatus,
    AccessToken,
    ClientCredential,
    ClientKey,
    CredentialStatus,
    InstitutionAccess,
    Terminal,
    TerminalStatus,
    UsedAssertion,
)
from huimin.audit.services import record
from huimin.core import ratelimit
from huimin.core.errors import DomainError
from huimin.core.net import client_ip
from huimin.core.statements import TEXT, Statement
from huimin.registry.models import Institution

TERMINAL_HEADER = "X-Huimin-Terminal"
PURGE_EVERY_SECONDS = 60

# Malformed requests are 400, failed client authentication 401, and an authenticated
# party that may not do this (suspended, wrong network, wrong terminal, scope) 403.
_BAD_REQUEST = {"unsupported_grant_type", "invalid_assertion_type", "assertion_missing"}
_BAD_REQUEST |= {"invalid_scope"}
_FORBIDDEN = {
    "access_missing",
    "institution_suspended",
    "institution_revoked",
    "ip_not_allowed",
    "terminal_missing",
    "terminal_unknown",
    "terminal_other_institution",
    "terminal_disabled",
    "terminal_mismatch",
    "scope_not_granted",
    "insufficient_scope",
}


class Refused(DomainError):
    def __init__(self, refusal: rules.Refusal):
        super().__init__(refusal.code, refusal.message)
        if refusal.code in _BAD_REQUEST:
            self.status = 400
        elif refusal.code in _FORBIDDEN:
            self.status = 403
        else:
            self.status = 401


def _refuse(code: str, message: str):
    raise Refused(rules.Refusal(code, message))


def _audit(**kwargs):
    return record(**kwargs)


# ---------------------------------------------------------------- token endpoint


def issue_token(request, params: dict) -> dict:
    """POST /api/v1/access/token: a signed client assertion in, a 5-minute token out."""
    ip = client_ip(request) or ""
    device = request.headers.get(TERMINAL_HEADER, "")
    ratelimit.hit("token", f"ip:{ip}")
    seen: dict = {}  # what was learnt before a refusal, for its audit record
    try:
        with transaction.atomic():
            result = _issue(request, params, ip, device, seen)
    except Refused as exc:
        _refused_unauthenticated(
            request,
            exc,
            action="token_refused",
            object_type="access.credential",
            object_id=str(seen.get("credential_id", "")),
            region_code=seen.get("region_code", ""),
            institution_id=seen.get("institution_id"),
            terminal=device[:64],
            source_ip=ip,
        )
    # Per credential too: one institution's runaway HIS cannot crowd out the others.
    ratelimit.hit("token", f"credential:{seen.get('credential_id')}")
    _maybe_purge()
    return result


def _refused_unauthenticated(request, exc: Refused, **audit) -> NoReturn:
    """Refuse a caller who could not authenticate. Failures are counted per address and
    audited at 1, 10, 100 … per minute (the count in the record), not one row each: a
    flood of bogus tokens must not become a flood of audit rows. Past the limit, 429."""
    count = ratelimit.auth_failure(request)
    if ratelimit.should_audit_failure(count):
        _audit(
            outcome="denied",
            reason=exc.code if count == 1 else f"{exc.code} (本分钟第{count}次)",
            request=request,
            **audit,
        )
    lim = ratelimit.limit("auth_failure")
    if count > lim.per_window:
        raise ratelimit.RateLimited(lim, ratelimit.retry_after(lim)) from exc
    raise exc


def _issue(request, params, ip, device, seen) -> dict:
    clean, refusal = rules.check_token_request(params)
    if refusal:
        raise Refused(refusal)
    header, unverified, refusal = rules.read_assertion(clean["assertion"])
    if refusal:
        raise Refused(refusal)
    moment = timezone.now()
    credential = (
        ClientCredential.objects.select_related("institution")
        .filter(client_id=unverified["iss"][:64])
        .first()
    )
    if credential is None:
        _refuse("client_unknown", "客户端标识（iss）未登记")
    seen.update(
        credential_id=credential.pk,
        institution_id=credential.institution_id,
        region_code=credential.institution.region_id,
    )
    if credential.status != CredentialStatus.ACTIVE:
        _refuse("credential_revoked", "客户端凭证已吊销")
    if credential.expires_at <= moment:
        _refuse("credential_expired", "客户端凭证已过期")
    key = (
        ClientKey.objects.filter(
            credential=credential,
            kid=header["kid"][:100],
            not_before__lte=moment,
            not_after__gt=moment,
        )
        .order_by("-not_before")
        .first()
    )
    if key is None:
        _refuse("key_unknown", "kid对应的公钥未登记或不在有效期内")
    if key.alg != header["alg"]:
        _refuse("alg_not_allowed", f"该公钥只接受{key.alg}签名")
    try:
        token = jwt.decode(clean["assertion"], import_key(key.jwk), algorithms=[key.alg])
    except (JoseError, ValueError, TypeError):
        _refuse("signature_invalid", "client_assertion签名验证失败")
    refusal = rules.check_assertion_claims(
        token.claims,
        client_id=credential.client_id,
        audience=conf.token_audience(),
        now=moment.timestamp(),
    )
    if refusal:
        raise Refused(refusal)

    access = InstitutionAccess.objects.filter(institution_id=credential.institution_id).first()
    _check_access(access)
    if not rules.ip_allowed(ip, access.ip_ranges):
        _refuse("ip_not_allowed", "来源地址不在该机构登记的网络地址段内")
    terminal = _terminal_for(device, credential.institution_id)
    scopes, refusal = rules.granted_scopes(clean["scopes"], access.scopes)
    if refusal:
        raise Refused(refusal)

    try:
        with transaction.atomic():
            UsedAssertion.objects.create(
                credential=credential,
                jti=token.claims["jti"],
                expires_at=datetime.datetime.fromtimestamp(token.claims["exp"], tz=datetime.UTC),
            )
    except IntegrityError:
        _refuse("jti_replayed", "该client_assertion已使用过（jti重复）")

    raw = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        token_hash=rules.token_hash(raw),
        credential=credential,
        access=access,
        terminal=terminal,
        scopes=scopes,
        issued_at=moment,
        expires_at=moment + datetime.timedelta(seconds=rules.TOKEN_SECONDS),
        source_ip=ip,
    )
    _audit(
        action="token",
        object_type="access.credential",
        object_id=str(credential.pk),
        region_code=credential.institution.region_id,
        fields=scopes,
        request=request,
        institution_id=credential.institution_id,
        terminal=terminal.device_id,
        source_ip=ip,
    )
    return {
        "access_token": raw,
        "token_type": "bearer",
        "expires_in": rules.TOKEN_SECONDS,
        "scope": " ".join(scopes),
    }


def _check_access(access: InstitutionAccess | None) -> None:
    if access is None:
        _refuse("access_missing", "该机构未获准接入")
    _check_status(access.status)


def _check_status(status: str) -> None:
    if status == AccessStatus.SUSPENDED:
        _refuse("institution_suspended", "该机构的接入已暂停")
    if status == AccessStatus.REVOKED:
        _refuse("institution_revoked", "该机构的接入已撤销")


def _terminal_for(device: str, institution_id: int) -> Terminal:
    if not device:
        _refuse("terminal_missing", f"请求须带{TERMINAL_HEADER}头，填写登记的终端标识")
    terminal = Terminal.objects.filter(device_id=device[:64]).first()
    if terminal is None or len(device) > 64:
        _refuse("terminal_unknown", "终端未登记")
    if terminal.institution_id != institution_id:
        _refuse("terminal_other_institution", "该终端不属于本机构")
    if terminal.status != TerminalStatus.ACTIVE:
        _refuse("terminal_disabled", "该终端已停用")
    return terminal


_last_purge = 0.0


def _maybe_purge() -> None:
    global _last_purge
    if time.monotonic() - _last_purge < PURGE_EVERY_SECONDS:
        return
    _last_purge = time.monotonic()
    purge_expired()


def purge_expired() -> tuple[int, int]:
    """Forget used jtis whose assertion expired (a replay would fail on exp anyway) and
    expired tokens, and rate-limit windows that have ended. Returns (assertions, tokens)
    deleted."""
    moment = timezone.now()
    assertions, _ = UsedAssertion.objects.filter(expires_at__lt=moment).delete()
    tokens, _ = AccessToken.objects.filter(expires_at__lt=moment).delete()
    ratelimit.purge_expired(moment)
    return assertions, tokens


# ---------------------------------------------------------------- per request


@dataclass(frozen=True)
class Authenticated:
    """What a checked token grants this request (also set as request.auth)."""

    token_id: int
    institution: Institution
    credential: ClientCredential
    terminal: str
    scopes: list[str]


def authenticate(request, raw_token: str, required_scopes: tuple[str, ...]) -> Authenticated:
    """Check a bearer token for one API request; sets request.auth_* on success."""
    seen: dict = {}
    try:
        granted = _authenticate(request, raw_token, required_scopes, seen)
    except Refused as exc:
        _refused_unauthenticated(
            request,
            exc,
            action="api_refused",
            object_type="access.institution",
            object_id=str(seen.get("institution_id", "")),
            region_code=seen.get("region_code", ""),
            purpose=f"{request.method} {request.path}"[:200],
            institution_id=seen.get("institution_id"),
            terminal=request.headers.get(TERMINAL_HEADER, "")[:64],
            source_ip=(client_ip(request) or ""),
        )
    request.auth_institution = granted.institution
    request.auth_terminal = granted.terminal
    request.auth_credential = granted.credential
    request.auth_scopes = granted.scopes
    return granted


# The one query per request: the token joined to its institution's access row,
# institution, terminal and credential. Compiling that select_related cost more than the
# database spends answering it (docs/BENCHMARKS.md, "Authentication"), so it is compiled
# once per process (core/statements.py) and only its value changes; on PostgreSQL
# psycopg also prepares it on each database session after its first calls (settings.py).
_TOKEN = Statement(
    lambda token_hash: (
        AccessToken.objects.filter(token_hash=token_hash)
        .select_related("access__institution", "terminal", "credential")
        .only(
            "expires_at",
            "scopes",
            "terminal_id",
            "access__status",
            "access__scopes",
            "access__ip_ranges",
            "access__institution__name",
            "access__institution__insurance_code",
            "access__institution__region_id",
            # What settlement checks on every registration (designation, level): loaded
            # here so the handed-over Institution has no deferred columns to fetch one
            # query at a time.
            "access__institution__level",
            "access__institution__designation_status",
            "access__institution__designated_from",
            "access__institution__designated_to",
            "terminal__device_id",
            "terminal__status",
            "credential__client_id",
            "credential__status",
            "credential__expires_at",
            "credential__institution_id",
        )
        .order_by()[:1]
    ),
    token_hash=TEXT,
)


def _authenticate(request, raw_token, required_scopes, seen) -> Authenticated:
    if not raw_token:
        _refuse("token_missing", "缺少访问令牌（Authorization: Bearer …）")
    token = _TOKEN.first(token_hash=rules.token_hash(raw_token))
    if token is None:
        _refuse("token_invalid", "访问令牌无效")
    access, terminal, credential = token.access, token.terminal, token.credential
    institution = access.institution
    seen.update(institution_id=institution.pk, region_code=institution.region_id)
    moment = timezone.now()
    if token.expires_at <= moment:
        _refuse("token_expired", "访问令牌已过期，请重新获取")
    _check_status(access.status)
    if credential.status != CredentialStatus.ACTIVE:
        _refuse("credential_revoked", "客户端凭证已吊销")
    if credential.expires_at <= moment:
        _refuse("credential_expired", "客户端凭证已过期")
    if not rules.ip_allowed((client_ip(request) or ""), access.ip_ranges):
        _refuse("ip_not_allowed", "来源地址不在该机构登记的网络地址段内")
    device = request.headers.get(TERMINAL_HEADER, "")
    if device != terminal.device_id:
        presented = _terminal_for(device, institution.pk)  # refuses with the precise reason
        if presented.pk != token.terminal_id:
            _refuse("terminal_mismatch", "终端与获取令牌时的终端不一致")
    if terminal.status != TerminalStatus.ACTIVE:
        _refuse("terminal_disabled", "该终端已停用")
    granted = [s for s in token.scopes if s in access.scopes]
    missing = [s for s in required_scopes if s not in granted]
    if missing:
        _refuse("insufficient_scope", f"访问令牌缺少权限范围：{' '.join(missing)}")
    return Authenticated(
        token_id=token.pk,
        institution=institution,
        credential=credential,
        terminal=terminal.device_id,
        scopes=granted,
    )
