"""Access use cases: check_* validates and checks permission, do_* writes in one transaction.

Every state change writes an AccessEvent row and an audit event in the same transaction.
A refusal that matters for security (four eyes, a token refused) is audited after the
refused work rolled back, so the refusal is on record while nothing else changed.
"""

import datetime
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from huimin.access import conf, rules
from huimin.access.models import (
    AccessApplication,
    AccessEvent,
    AccessStatus,
    ApplicationKind,
    ApplicationStatus,
    ClientCredential,
    ClientKey,
    CredentialStatus,
    InstitutionAccess,
    Terminal,
    TerminalStatus,
)
from huimin.audit.services import record
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.policy import has_perm
from huimin.registry.models import Institution

EXPIRY_WARNING_DAYS = 30


def audit(**kwargs):
    return record(**kwargs)


def now() -> datetime.datetime:
    return timezone.now()


# ---------------------------------------------------------------- permissions


def can_review(user) -> bool:
    return has_perm(user, "access.review")


def can_approve(user) -> bool:
    return has_perm(user, "access.approve")


def can_view(user) -> bool:
    return can_review(user) or can_approve(user)


def check_can_view(user) -> None:
    if not can_view(user):
        raise PermissionDenied("无权查看接入管理")


def _refuse(refusal: rules.Refusal):
    raise PermissionDenied(refusal.message, code=refusal.code)


def _recorded_refusal(user, request, action: str, object_type: str, object_id, fn):
    """Run fn (which opens its own transaction); a PermissionDenied it raises is audited
    after the rollback as a denied attempt, then re-raised."""
    try:
        return fn()
    except PermissionDenied as exc:
        audit(
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            outcome="denied",
            reason=exc.code,
            actor=user,
            request=request,
        )
        raise


def _event(institution_id, action, from_status, to_status, actor, reason="", **links):
    return AccessEvent.objects.create(
        institution_id=institution_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        actor=actor,
        **links,
    )


# ---------------------------------------------------------------- reading


def applications_for(user):
    check_can_view(user)
    return AccessApplication.objects.visible_to(user)


def get_application(user, application_id: int, *, for_update=False) -> AccessApplication:
    qs = applications_for(user).select_related("institution__region")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=application_id)
    except AccessApplication.DoesNotExist:
        raise NotFound("接入申请") from None


def get_institution(user, institution_id: int) -> Institution:
    check_can_view(user)
    try:
        return Institution.objects.visible_to(user).select_related("region").get(pk=institution_id)
    except Institution.DoesNotExist:
        raise NotFound("医疗机构") from None


def get_access(user, institution_id: int, *, for_update=False) -> InstitutionAccess:
    institution = get_institution(user, institution_id)
    qs = InstitutionAccess.objects.filter(institution=institution)
    if for_update:
        # No key update: tokens being issued reference this row (KEY SHARE at their
        # COMMIT) and, like us, append to the audit chain; FOR UPDATE could deadlock.
        qs = qs.select_for_update(no_key=True)
    access = qs.first()
    if access is None:
        raise NotFound("机构接入")
    access.institution = institution
    return access


def get_credential(user, credential_id: int, *, for_update=False) -> ClientCredential:
    check_can_view(user)
    qs = ClientCredential.objects.visible_to(user).select_related("institution")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=credential_id)
    except ClientCredential.DoesNotExist:
        raise NotFound("客户端凭证") from None


def expiring(user, days: int = EXPIRY_WARNING_DAYS):
    """Active credentials and keys that expire within `days` (already expired ones too)."""
    check_can_view(user)
    horizon = now() + datetime.timedelta(days=days)
    credentials = (
        ClientCredential.objects.visible_to(user)
        .filter(status=CredentialStatus.ACTIVE, expires_at__lte=horizon)
        .select_related("institution")
        .order_by("expires_at", "id")
    )
    keys = (
        ClientKey.objects.filter(
            credential__in=ClientCredential.objects.visible_to(user).filter(
                status=CredentialStatus.ACTIVE
            ),
            not_after__lte=horizon,
        )
        .select_related("credential__institution")
        .order_by("not_after", "id")
    )
    return credentials, keys


# ---------------------------------------------------------------- applications


@dataclass
class ApplicationData:
    institution_id: int
    kind: str
    contact_name: str
    contact_phone: str
    details: str = ""
    ip_ranges: list[str] = field(default_factory=list)
    terminals: list[tuple[str, str]] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)


def check_submit(user, data: ApplicationData) -> tuple[Institution, dict]:
    if not can_review(user):
        raise PermissionDenied("无权录入接入申请")
    clean, errors = rules.check_application(
        kind=data.kind,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
        details=data.details,
        ip_ranges=data.ip_ranges,
        terminals=data.terminals,
        scopes=data.scopes,
    )
    institution = Institution.objects.visible_to(user).filter(pk=data.institution_id).first()
    if institution is None:
        errors["institution"] = "医疗机构不存在或不在您的辖区内"
    else:
        access = InstitutionAccess.objects.filter(institution=institution).first()
        live = access is not None and access.status != AccessStatus.REVOKED
        if data.kind == ApplicationKind.INSTITUTION and live:
            errors["kind"] = "该机构已接入，新增终端请选择“新增终端”"
        if data.kind == ApplicationKind.TERMINAL and not live:
            errors["kind"] = "该机构尚未接入，请先提交机构接入申请"
    if "terminals" not in errors:
        taken = _taken_device_ids([t["device_id"] for t in clean["terminals"]])
        if taken:
            errors["terminals"] = f"终端标识已登记：{'、'.join(taken)}"
    if errors:
        raise ValidationFailed(errors)
    return institution, clean


def _taken_device_ids(device_ids: list[str]) -> list[str]:
    return sorted(
        Terminal.objects.filter(device_id__in=device_ids).values_list("device_id", flat=True)
    )


def do_submit_application(user, data: ApplicationData, *, request=None) -> AccessApplication:
    institution, clean = check_submit(user, data)
    with transaction.atomic():
        app = AccessApplication.objects.create(institution=institution, submitted_by=user, **clean)
        _event(institution.pk, "submit", "", app.status, user, application=app)
        audit(
            action="create",
            object_type="access.application",
            object_id=str(app.pk),
            region_code=institution.region_id,
            fields=sorted(clean),
            changes={"status": [None, app.status]},
            actor=user,
            request=request,
            institution_id=institution.pk,
        )
    return app


def _transition_application(user, application_id, action, permission_ok, request, apply):
    """Lock the application, check permission, state and four eyes, then `apply`."""

    def work():
        with transaction.atomic():
            app = get_application(user, application_id, for_update=True)
            if not permission_ok(app):
                raise PermissionDenied("无权执行此审批操作")
            to, refusal = rules.next_status(rules.APPLICATION_TRANSITIONS, action, app.status)
            if refusal:
                raise Conflict(refusal.code, refusal.message)
            refusal = rules.four_eyes(
                action,
                submitted_by=app.submitted_by_id,
                reviewed_by=app.reviewed_by_id,
                actor=user.pk,
            )
            if refusal:
                _refuse(refusal)
            before = app.status
            apply(app, to)
            app.status = to
            app.save()
            _event(
                app.institution_id,
                action,
                before,
                to,
                user,
                reason=app.reject_reason if action == "reject" else "",
                application=app,
            )
            audit(
                action="reject" if action == "reject" else "approve",
                object_type="access.application",
                object_id=str(app.pk),
                region_code=app.institution.region_id,
                changes={"status": [before, to]},
                purpose=f"access.{action}",
                reason=app.reject_reason if action == "reject" else "",
                actor=user,
                request=request,
                institution_id=app.institution_id,
            )
            return app

    audit_action = "reject" if action == "reject" else "approve"
    return _recorded_refusal(
        user, request, audit_action, "access.application", application_id, work
    )


def do_review(user, application_id: int, *, request=None) -> AccessApplication:
    def apply(app, to):
        app.reviewed_by = user
        app.reviewed_at = now()

    return _transition_application(
        user, application_id, "review", lambda app: can_review(user), request, apply
    )


def do_reject(user, application_id: int, reason: str, *, request=None) -> AccessApplication:
    errors = rules.check_reason(reason)
    if errors:
        raise ValidationFailed(errors)

    def permitted(app):
        # A submitted application may be turned down at review; a reviewed one only by
        # someone who may approve.
        if app.status == ApplicationStatus.SUBMITTED:
            return can_review(user) or can_approve(user)
        return can_approve(user)

    def apply(app, to):
        app.decided_by = user
        app.decided_at = now()
        app.reject_reason = reason.strip()

    return _transition_application(user, application_id, "reject", permitted, request, apply)


def do_approve(user, application_id: int, *, request=None) -> AccessApplication:
    def apply(app, to):
        _grant(user, app, request)
        app.decided_by = user
        app.decided_at = now()

    return _transition_application(
        user, application_id, "approve", lambda app: can_approve(user), request, apply
    )


def _grant(user, app: AccessApplication, request) -> InstitutionAccess:
    """Create or widen the institution's access and register the terminals."""
    access = (
        InstitutionAccess.objects.select_for_update(no_key=True)
        .filter(institution=app.institution)
        .first()
    )
    before = access.status if access else ""
    if app.kind == ApplicationKind.INSTITUTION:
        if access is not None and access.status != AccessStatus.REVOKED:
            raise Conflict("access_exists", "该机构已接入，本申请不能再批准")
        if access is None:
            access = InstitutionAccess(institution=app.institution)
        access.status = AccessStatus.ACTIVE
        access.scopes = list(app.scopes)
        access.ip_ranges = list(app.ip_ranges)
    else:
        if access is None or access.status == AccessStatus.REVOKED:
            raise Conflict("access_missing", "该机构的接入已撤销或不存在，不能新增终端")
        access.scopes = sorted(set(access.scopes) | set(app.scopes))
        access.ip_ranges = rules.merge_unique(access.ip_ranges, app.ip_ranges)
    access.status_reason = f"接入申请#{app.pk}批准"
    access.status_changed_at = now()
    access.save()
    taken = _taken_device_ids([t["device_id"] for t in app.terminals])
    if taken:
        raise Conflict(
            "terminal_exists",
            f"终端标识已被登记：{'、'.join(taken)}",
        )
    try:
        with transaction.atomic():
            Terminal.objects.bulk_create(
                Terminal(
                    institution=app.institution,
                    device_id=t["device_id"],
                    description=t["description"],
                    application=app,
                )
                for t in app.terminals
            )
    except IntegrityError:
        # Another approval registered one of these identifiers a moment ago.
        raise Conflict("terminal_exists", "终端标识已被登记，请刷新后重试") from None
    if before != access.status:
        _event(
            app.institution_id,
            "grant",
            before,
            access.status,
            user,
            reason=f"接入申请#{app.pk}",
            application=app,
        )
    audit(
        action="update" if before else "create",
        object_type="access.institution",
        object_id=str(app.institution_id),
        region_code=app.institution.region_id,
        fields=["status", "scopes", "ip_ranges", "terminals"],
        changes={"status": [before or None, access.status]},
        purpose=f"application:{app.pk}",
        actor=user,
        request=request,
        institution_id=app.institution_id,
    )
    return access


# ---------------------------------------------------------------- access status


def do_change_access(
    user, institution_id: int, action: str, reason: str, *, request=None
) -> InstitutionAccess:
    """Suspend, resume or revoke; takes effect on the next API request (checked per call)."""
    if action not in rules.ACCESS_TRANSITIONS:
        raise ValidationFailed({"action": "操作只能是暂停、恢复或撤销"})
    errors = rules.check_reason(reason)
    if errors:
        raise ValidationFailed(errors)
    reason = reason.strip()

    def work():
        with transaction.atomic():
            if not can_approve(user):
                raise PermissionDenied("无权暂停、恢复或撤销机构接入")
            access = get_access(user, institution_id, for_update=True)
            to, refusal = rules.next_status(rules.ACCESS_TRANSITIONS, action, access.status)
            if refusal:
                raise Conflict(refusal.code, refusal.message)
            before = access.status
            access.status = to
            access.status_reason = reason
            access.status_changed_at = now()
            access.save(
                update_fields=["status", "status_reason", "status_changed_at", "updated_at"]
            )
            _event(access.institution_id, action, before, to, user, reason=reason)
            if to == AccessStatus.REVOKED:
                _revoke_all_credentials(user, access.institution_id, reason)
            audit(
                action=action,
                object_type="access.institution",
                object_id=str(access.institution_id),
                region_code=access.institution.region_id,
                changes={"status": [before, to]},
                reason=reason,
                actor=user,
                request=request,
                institution_id=access.institution_id,
            )
            return access

    return _recorded_refusal(user, request, action, "access.institution", institution_id, work)


def _revoke_all_credentials(user, institution_id: int, reason: str) -> None:
    # A revoked institution starts again from a new application; its old credentials
    # must not come back to life if access is ever granted again.
    live = ClientCredential.objects.select_for_update(no_key=True).filter(
        institution_id=institution_id, status=CredentialStatus.ACTIVE
    )
    for credential in live:
        credential.status = CredentialStatus.REVOKED
        credential.revoked_at = now()
        credential.revoke_reason = f"机构接入撤销：{reason}"[:500]
        credential.save(update_fields=["status", "revoked_at", "revoke_reason"])
        _event(
            institution_id,
            "revoke_credential",
            CredentialStatus.ACTIVE,
            CredentialStatus.REVOKED,
            user,
            reason=credential.revoke_reason,
            credential=credential,
        )


# ---------------------------------------------------------------- credentials and keys


def do_issue_credential(
    user, institution_id: int, *, rotated_from_id: int | None = None, request=None
) -> ClientCredential:
    """A new client_id; when it rotates an old one, the old one stays valid until it
    expires or is revoked, so the institution can switch over without downtime."""

    def work():
        with transaction.atomic():
            if not can_approve(user):
                raise PermissionDenied("无权签发客户端凭证")
            access = get_access(user, institution_id, for_update=True)
            if access.status != AccessStatus.ACTIVE:
                raise Conflict("access_not_active", "机构接入不是正常状态，不能签发凭证")
            previous = None
            if rotated_from_id is not None:
                previous = ClientCredential.objects.filter(
                    pk=rotated_from_id, institution_id=institution_id
                ).first()
                if previous is None:
                    raise ValidationFailed({"rotated_from": "被轮换的凭证不存在或不属于该机构"})
            issued = now()
            credential = ClientCredential.objects.create(
                client_id=f"hm-{secrets.token_hex(10)}",
                institution_id=institution_id,
                created_by=user,
                expires_at=issued + datetime.timedelta(days=conf.credential_days()),
                rotated_from=previous,
            )
            _event(
                institution_id,
                "issue_credential",
                "",
                credential.status,
                user,
                reason=f"轮换 {previous.client_id}" if previous else "",
                credential=credential,
            )
            audit(
                action="issue_credential",
                object_type="access.credential",
                object_id=str(credential.pk),
                region_code=access.institution.region_id,
                fields=["client_id", "expires_at"],
                changes={"client_id": [None, credential.client_id]},
                purpose=f"rotate:{previous.pk}" if previous else "",
                actor=user,
                request=request,
                institution_id=institution_id,
            )
            return credential

    return _recorded_refusal(
        user, request, "issue_credential", "access.institution", institution_id, work
    )


def do_revoke_credential(user, credential_id: int, reason: str, *, request=None):
    errors = rules.check_reason(reason)
    if errors:
        raise ValidationFailed(errors)

    def work():
        with transaction.atomic():
            if not can_approve(user):
                raise PermissionDenied("无权吊销客户端凭证")
            credential = get_credential(user, credential_id, for_update=True)
            if credential.status != CredentialStatus.ACTIVE:
                raise Conflict("invalid_state", "该凭证已吊销")
            credential.status = CredentialStatus.REVOKED
            credential.revoked_at = now()
            credential.revoke_reason = reason.strip()
            credential.save(update_fields=["status", "revoked_at", "revoke_reason"])
            _event(
                credential.institution_id,
                "revoke_credential",
                CredentialStatus.ACTIVE,
                CredentialStatus.REVOKED,
                user,
                reason=credential.revoke_reason,
                credential=credential,
            )
            audit(
                action="revoke",
                object_type="access.credential",
                object_id=str(credential.pk),
                region_code=credential.institution.region_id,
                changes={"status": [CredentialStatus.ACTIVE, CredentialStatus.REVOKED]},
                reason=credential.revoke_reason,
                actor=user,
                request=request,
                institution_id=credential.institution_id,
            )
            return credential

    return _recorded_refusal(user, request, "revoke", "access.credential", credential_id, work)


def do_register_keys(
    user,
    credential_id: int,
    jwks_text: str,
    *,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
    request=None,
) -> list[ClientKey]:
    """Register the public keys of a JWK Set the institution uploaded."""
    keys, problem = rules.check_jwks(jwks_text or "")
    if problem:
        raise ValidationFailed({"jwks": problem})

    def work():
        with transaction.atomic():
            if not can_approve(user):
                raise PermissionDenied("无权登记公钥")
            credential = get_credential(user, credential_id, for_update=True)
            if credential.status != CredentialStatus.ACTIVE:
                raise Conflict("credential_revoked", "该凭证已吊销，不能登记公钥")
            start = not_before or now()
            end = not_after or credential.expires_at
            errors = {}
            if end <= start:
                errors["not_after"] = "失效时间须晚于生效时间"
            elif end > credential.expires_at:
                errors["not_after"] = "失效时间不能晚于凭证到期时间"
            existing = set(
                ClientKey.objects.filter(
                    credential=credential, kid__in=[k["kid"] for k in keys]
                ).values_list("kid", flat=True)
            )
            if existing:
                errors["jwks"] = f"密钥标识已登记：{'、'.join(sorted(existing))}"
            if errors:
                raise ValidationFailed(errors)
            created = ClientKey.objects.bulk_create(
                ClientKey(
                    credential=credential,
                    kid=k["kid"],
                    alg=k["alg"],
                    jwk=k["jwk"],
                    thumbprint=k["thumbprint"],
                    not_before=start,
                    not_after=end,
                    created_by=user,
                )
                for k in keys
            )
            kids = ", ".join(k["kid"] for k in keys)
            _event(
                credential.institution_id,
                "register_keys",
                "",
                "",
                user,
                reason=f"kid: {kids}"[:500],
                credential=credential,
            )
            audit(
                action="update",
                object_type="access.credential",
                object_id=str(credential.pk),
                region_code=credential.institution.region_id,
                fields=["keys"],
                changes={"keys": [None, [k["kid"] for k in keys]]},
                actor=user,
                request=request,
                institution_id=credential.institution_id,
            )
            return created

    return _recorded_refusal(user, request, "update", "access.credential", credential_id, work)


# ---------------------------------------------------------------- terminals

TERMINAL_ACTIONS = {
    "disable": (TerminalStatus.ACTIVE, TerminalStatus.DISABLED, "suspend"),
    "enable": (TerminalStatus.DISABLED, TerminalStatus.ACTIVE, "resume"),
}


def do_set_terminal_status(
    user, terminal_id: int, action: str, reason: str, *, request=None
) -> Terminal:
    """Disable a lost or retired device (its tokens stop at the next request) or enable
    it again; the rest of the institution keeps working."""
    if action not in TERMINAL_ACTIONS:
        raise ValidationFailed({"action": "操作只能是停用或启用"})
    errors = rules.check_reason(reason)
    if errors:
        raise ValidationFailed(errors)
    before, after, audit_action = TERMINAL_ACTIONS[action]

    def work():
        with transaction.atomic():
            if not can_approve(user):
                raise PermissionDenied("无权停用或启用终端")
            check_can_view(user)
            terminal = (
                Terminal.objects.select_for_update(of=("self",))
                .select_related("institution")
                .filter(pk=terminal_id, institution__in=Institution.objects.visible_to(user))
                .first()
            )
            if terminal is None:
                raise NotFound("终端")
            if terminal.status != before:
                raise Conflict("invalid_state", f"该终端已是“{terminal.get_status_display()}”状态")
            terminal.status = after
            terminal.save(update_fields=["status"])
            _event(
                terminal.institution_id,
                f"{action}_terminal",
                before,
                after,
                user,
                reason=f"{terminal.device_id}：{reason.strip()}"[:500],
            )
            audit(
                action=audit_action,
                object_type="access.terminal",
                object_id=terminal.device_id,
                region_code=terminal.institution.region_id,
                changes={"status": [before, after]},
                reason=reason.strip(),
                actor=user,
                request=request,
                institution_id=terminal.institution_id,
            )
            return terminal

    return _recorded_refusal(user, request, audit_action, "access.terminal", terminal_id, work)


# ---------------------------------------------------------------- for the pages


def access_overview(user, institution_id: int) -> dict:
    """Everything the institution access page shows, in a fixed number of queries."""
    institution = get_institution(user, institution_id)
    access = InstitutionAccess.objects.filter(institution=institution).first()
    credentials = list(
        ClientCredential.objects.filter(institution=institution)
        .select_related("rotated_from")
        .prefetch_related("keys")
        .order_by("-created_at", "-id")
    )
    return {
        "institution": institution,
        "access": access,
        "terminals": list(Terminal.objects.filter(institution=institution)),
        "credentials": credentials,
        "events": list(
            AccessEvent.objects.filter(institution=institution)
            .select_related("actor", "credential", "application")
            .order_by("-at", "-id")[:200]
        ),
        "applications": list(
            AccessApplication.objects.filter(institution=institution).order_by("-submitted_at")[:50]
        ),
    }
