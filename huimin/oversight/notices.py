"""Business notices: alerts raised by the apps' own rules (a claim's risk colour changed,
a mediation step is overdue), through the security-alert machinery.

A notice is a SecurityAlert of its own rule code: once per dedupe key, with its audit
record (alerts.raise_findings), listed on the security administrator's alert pages
(`alerts.manage`) like any other. Its rule row is created on first use with the given
name and severity; from then on the security administrator's settings win (a disabled
rule raises nothing; its severity is the rule's).

Security alerts are the security administrator's; the people who act on a business
notice are not. So a notice names its audience, a permission ("mediation.manage"), and
the region it concerns: the business-alert page (/audit/alerts/business/) lists the
notices whose audience the user holds, within their jurisdiction. Notices name cases
and claims by number only, never a resident: the security administrator reads no
personal data.

The audience acknowledges a notice there (`do_acknowledge_notice`, with a note,
audited like the security administrator's acknowledgement); closing stays the
security administrator's, on the alert pages.
"""

import re

from django.db import transaction
from django.utils import timezone

from huimin.audit.models import AlertRule, AlertSeverity, AlertStatus, SecurityAlert
from huimin.audit.services import record
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.oversight import rules
from huimin.oversight.alerts import MAX_ID, MAX_NOTE, raise_findings
from huimin.policy import check_jurisdiction, has_perm

_CODE = re.compile(r"[a-z][a-z0-9_.]{1,39}")

# Who acts on business notices, by permission: the page and the menu entry are theirs,
# and a notice names one of them. One table, like the permissions themselves, so the
# page can declare its policy (a new kind of notice adds its audience here).
AUDIENCES: frozenset[str] = frozenset({"review.read", "mediation.manage"})


def ensure_rule(code: str, name: str, severity: str) -> AlertRule:
    rule, _ = AlertRule.objects.get_or_create(
        code=code,
        defaults={
            "name": name[:100],
            "severity": severity,
            "threshold": 1,
            "window_minutes": 1440,
            "params": {},
        },
    )
    return rule


def raise_notice(
    code: str,
    name: str,
    severity: str,
    subject: str,
    detail: dict,
    *,
    dedupe_key: str,
    audience: str = "",
    region_code: str = "",
) -> SecurityAlert | None:
    """Raise one business alert for `dedupe_key`: the new alert, or None when it was
    raised before or its rule is disabled. Call it inside or outside a transaction."""
    if not _CODE.fullmatch(code):
        raise ValueError(f"notice code {code!r}: lower-case letters, digits, '_' and '.'")
    if severity not in AlertSeverity.values:
        raise ValueError(f"notice severity {severity!r} is not one of {AlertSeverity.values}")
    if audience and audience not in AUDIENCES:
        raise ValueError(f"notice audience {audience!r} is not one of {sorted(AUDIENCES)}")
    if not dedupe_key:
        raise ValueError("a notice needs a dedupe key")
    rule = ensure_rule(code, name, severity)
    if not rule.enabled:
        return None
    # Namespaced by the code, so two apps' keys never collide with each other or with
    # the security rules' keys.
    key = f"notice:{code}:{dedupe_key}"
    finding = rules.Finding(
        rule=code, subject=subject, summary=f"{name}：{subject}", dedupe_key=key, details=detail
    )
    created = raise_findings([finding], rule, audience=audience, region_code=region_code[:12])
    return created[0] if created else None


def audiences_of(user) -> list[str]:
    """The audiences (permissions) the user belongs to."""
    return sorted(p for p in AUDIENCES if has_perm(user, p))


def visible_notices(user):
    """Business notices for the user's audiences within their jurisdiction; 403 for one
    in no audience or with no jurisdiction."""
    held = audiences_of(user)
    if not held:
        raise PermissionDenied("无权查看业务提醒")
    prefix = check_jurisdiction(user)
    qs = SecurityAlert.objects.filter(audience__in=held)
    return qs.filter(region_code__startswith=prefix) if prefix else qs


def do_acknowledge_notice(user, alert_id: int, note: str = "", *, request=None) -> SecurityAlert:
    """A member of the notice's audience acknowledges it (已确认), with an optional note:
    it stays on the list as acknowledged, and the audit log says who and why. A notice
    outside the user's audiences or jurisdiction is not found (404); one already
    acknowledged or closed is a 409."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed({"note": f"处理说明不能超过{MAX_NOTE}个字"})
    with transaction.atomic():
        alert = None
        if 0 < alert_id <= MAX_ID:
            alert = visible_notices(user).select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise NotFound("业务提醒")
        if alert.status != AlertStatus.NEW:
            raise Conflict(
                "alert_status", f"该提醒当前状态为“{alert.get_status_display()}”，不能再确认"
            )
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.handled_by = user
        alert.handled_at = timezone.now()
        if note:
            alert.note = note
        alert.save(update_fields=["status", "handled_by", "handled_at", "note"])
        record(
            action="update",
            object_type="audit.alert",
            object_id=str(alert.pk),
            region_code=alert.region_code,
            fields=["status", "note"] if note else ["status"],
            changes={"status": [AlertStatus.NEW, AlertStatus.ACKNOWLEDGED]},
            purpose=(f"业务提醒确认（{alert.audience}）" + (f"：{note}" if note else ""))[:500],
            actor=user,
            request=request,
        )
    return alert
