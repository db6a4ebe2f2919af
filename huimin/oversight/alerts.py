"""Security-alert use cases: evaluate the rules over the audit log, raise alerts once,
and let the security administrator acknowledge, close and tune them.

The rules themselves are pure (rules.py); this module pulls their rows from the log,
reads thresholds from the AlertRule table and writes alerts with their audit records.
"""

import dataclasses
import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from huimin.accounts import rules as account_rules
from huimin.audit.models import (
    AlertRule,
    AlertSeverity,
    AlertStatus,
    AuditEvent,
    SecurityAlert,
)
from huimin.audit.services import record
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.oversight import rules
from huimin.policy import has_perm
from huimin.policy.permissions import PERMISSIONS, role_permissions
from huimin.registry.models import Staff

MANAGE = "alerts.manage"
# How far back `run-alerts` looks by default: a day, so a missed run is caught up.
DEFAULT_SCAN_MINUTES = 24 * 60

# Defaults for a rule missing from the table (e.g. after a test database flush); the
# data migration seeds the same values.
DEFAULT_RULES = {
    rules.FAILED_LOGIN_BURST: ("登录失败次数过多", "high", 5, 10, {}),
    rules.BULK_READS: ("批量查阅个人信息", "high", 5, 1440, {"floor": 200, "baseline_days": 30}),
    rules.OFF_HOURS_READS: (
        "非工作时间查阅个人信息",
        "medium",
        1,
        1440,
        {"work_start": "06:00", "work_end": "22:00"},
    ),
    rules.CREDENTIAL_NEW_IP: ("接入凭证从新的IP地址使用", "high", 1, 60, {"lookback_days": 90}),
    rules.SUSPENDED_INSTITUTION: ("已暂停或撤销的机构仍在尝试接入", "high", 1, 60, {}),
    rules.AUDIT_CHAIN_BROKEN: ("审计链校验失败", "critical", 1, 1440, {}),
    rules.STAFF_NEW_ADDRESS: ("工作人员从新的IP地址登录", "medium", 1, 60, {"lookback_days": 90}),
    rules.REFUSED_READ_BURST: ("短时间内多次越权访问被拒绝", "high", 10, 10, {}),
    rules.PRIVILEGED_ACCOUNT_CHANGE: ("新建或提升特权账号", "high", 1, 60, {}),
    rules.LISTING_HARVEST: ("经列表与查询批量获取个人信息", "high", 2000, 60, {}),
}


def ensure_rules() -> dict[str, AlertRule]:
    existing = {r.code: r for r in AlertRule.objects.all()}
    for code, (name, severity, threshold, window, params) in DEFAULT_RULES.items():
        if code not in existing:
            existing[code], _ = AlertRule.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "severity": severity,
                    "threshold": threshold,
                    "window_minutes": window,
                    "params": params,
                },
            )
    return existing


def config_of(rule: AlertRule) -> rules.RuleConfig:
    return rules.RuleConfig(rule.threshold, rule.window_minutes, dict(rule.params or {}))


# ---------------------------------------------------------------- raising


def raise_findings(
    findings: Iterable[rules.Finding], rule: AlertRule, *, audience: str = "", region_code: str = ""
) -> list[SecurityAlert]:
    """Create an alert per new finding; a finding already raised (same key) is skipped.
    `audience` and `region_code` are for business notices (notices.py)."""
    created = []
    for finding in findings:
        if SecurityAlert.objects.filter(dedupe_key=finding.dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                alert = SecurityAlert.objects.create(
                    rule=finding.rule,
                    severity=rule.severity,
                    subject=finding.subject[:200],
                    summary=finding.summary[:300],
                    details=finding.details,
                    dedupe_key=finding.dedupe_key[:200],
                    audience=audience,
                    region_code=region_code,
                )
                record(
                    action="alert",
                    object_type="audit.alert",
                    object_id=str(alert.pk),
                    purpose=finding.summary,
                    reason=finding.rule,
                )
        except IntegrityError:
            continue  # another run raised the same finding a moment ago
        created.append(alert)
    return created


def raise_chain_alert(problem) -> list[SecurityAlert]:
    """(f) verify-audit found the chain broken."""
    rule = ensure_rules()[rules.AUDIT_CHAIN_BROKEN]
    if not rule.enabled:
        return []
    finding = rules.chain_broken(
        problem.kind, problem.seq, problem.id, problem.at, problem.describe(), problem.chain
    )
    return raise_findings([finding], rule)


# ---------------------------------------------------------------- pulling rows

ROW_COLUMNS = (
    "at",
    "action",
    "actor_id",
    "actor_username",
    "object_type",
    "object_id",
    "source_ip",
    "outcome",
    "reason",
    "institution_id",
)


def _rows(qs) -> list[rules.Row]:
    return [rules.Row(**values) for values in qs.values(*ROW_COLUMNS).order_by("at", "id")]


def _failed_logins(rule, now, since):
    start = min(since, now - datetime.timedelta(minutes=rule.window_minutes))
    qs = AuditEvent.objects.filter(action="login_failed", at__gte=start, at__lte=now)
    rows = _rows(qs)
    # The login page records a failed login against the account's id (object_id of an
    # "auth.user"); the alert should name the account.
    ids = {
        int(r.object_id)
        for r in rows
        if r.object_type == "auth.user" and not r.actor_username and r.object_id.isdigit()
    }
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    rows = [
        dataclasses.replace(r, actor_username=names[int(r.object_id)])
        if r.object_type == "auth.user"
        and not r.actor_username
        and r.object_id.isdigit()
        and int(r.object_id) in names
        else r
        for r in rows
    ]
    return rules.failed_login_burst(rows, config_of(rule))


def _bulk_reads(rule, now, since):
    cfg = config_of(rule)
    floor = int(cfg.params.get("floor", 200))
    days = int(cfg.params.get("baseline_days", 30))
    today = timezone.localdate(now, rules.LOCAL_TZ)
    day_start = datetime.datetime.combine(today, datetime.time.min, tzinfo=rules.LOCAL_TZ)
    reads = AuditEvent.objects.filter(action__in=rules.READ_ACTIONS, actor__isnull=False)
    # Only accounts already above the floor today need their 30-day baseline.
    busy = list(
        reads.filter(at__gte=day_start, at__lte=now)
        .values("actor_id")
        .annotate(n=Count("id"))
        .filter(n__gt=floor)
        .values_list("actor_id", flat=True)
    )
    if not busy:
        return []
    counts = (
        reads.filter(
            actor_id__in=busy,
            at__gte=day_start - datetime.timedelta(days=days),
            at__lte=now,
        )
        .annotate(day=TruncDate("at", tzinfo=rules.LOCAL_TZ))
        .values("actor_id", "actor_username", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    daily = [rules.DailyCount(c["actor_id"], c["actor_username"], c["day"], c["n"]) for c in counts]
    return rules.bulk_reads(daily, today, cfg)


def _off_hours(rule, now, since):
    cfg = config_of(rule)
    start = rules.parse_hhmm(cfg.params.get("work_start", "06:00"))
    end = rules.parse_hhmm(cfg.params.get("work_end", "22:00"))
    # Narrow in the database by local hour; the rule decides to the minute.
    hours = [h for h in range(24) if not _whole_hour_working(h, start, end)]
    qs = (
        AuditEvent.objects.filter(
            action__in=rules.READ_ACTIONS, actor__isnull=False, at__gte=since, at__lte=now
        )
        .annotate(local_hour=ExtractHour("at", tzinfo=rules.LOCAL_TZ))
        .filter(local_hour__in=hours)
    )
    return rules.off_hours_reads(_rows(qs), cfg)


def _whole_hour_working(hour: int, start: datetime.time, end: datetime.time) -> bool:
    return all(
        rules.is_working_time(datetime.time(hour, m), start, end) for m in (0, 59)
    ) and rules.is_working_time(datetime.time(hour, 30), start, end)


def _new_ips(rule, now, since):
    cfg = config_of(rule)
    lookback = now - datetime.timedelta(days=int(cfg.params.get("lookback_days", 90)))
    since = min(since, now - datetime.timedelta(minutes=rule.window_minutes))
    seen = (
        AuditEvent.objects.filter(
            action="token",
            object_type="access.credential",
            outcome="success",
            at__gte=lookback,
            at__lte=now,
        )
        .exclude(source_ip="")
        .values("object_id", "source_ip")
        .annotate(first=Min("at"))
        .order_by()
    )
    rows = [rules.IpFirstSeen(s["object_id"], s["source_ip"], s["first"]) for s in seen]
    return rules.credential_new_ip(rows, since, cfg)


def _suspended(rule, now, since):
    start = min(since, now - datetime.timedelta(minutes=rule.window_minutes))
    qs = AuditEvent.objects.filter(
        action__in=["token_refused", "api_refused"],
        reason__in=sorted(rules.REFUSED_INSTITUTION_REASONS),
        at__gte=start,
        at__lte=now,
    )
    return rules.suspended_institution(_rows(qs), config_of(rule))


def _staff_new_addresses(rule, now, since):
    cfg = config_of(rule)
    lookback = now - datetime.timedelta(days=int(cfg.params.get("lookback_days", 90)))
    since = min(since, now - datetime.timedelta(minutes=rule.window_minutes))
    seen = (
        AuditEvent.objects.filter(
            action="login", outcome="success", actor__isnull=False, at__gte=lookback, at__lte=now
        )
        .exclude(source_ip="")
        .values("actor_id", "source_ip")
        .annotate(first=Min("at"))
        .order_by()
    )
    seen = list(seen)
    names = dict(
        get_user_model()
        .objects.filter(pk__in={s["actor_id"] for s in seen})
        .values_list("pk", "username")
    )
    rows = [
        rules.LoginFirstSeen(
            s["actor_id"], names.get(s["actor_id"], ""), s["source_ip"], s["first"]
        )
        for s in seen
    ]
    return rules.staff_new_address(rows, since, cfg)


def _refused_reads(rule, now, since):
    start = min(since, now - datetime.timedelta(minutes=rule.window_minutes))
    qs = AuditEvent.objects.filter(
        outcome="denied", actor__isnull=False, at__gte=start, at__lte=now
    )
    return rules.refused_read_burst(_rows(qs), config_of(rule))


def _listing_harvest(rule, now, since):
    start = min(since, now - datetime.timedelta(minutes=rule.window_minutes))
    # One event per list page or API page (policy/reads.audit_listing), its row count in
    # changes["count"]: bounded by the window, a few thousand rows a county-hour.
    events = AuditEvent.objects.filter(
        action="search", outcome="success", at__gte=start, at__lte=now
    ).values_list("at", "changes", "actor_id", "actor_username", "institution_id")
    listings = [
        rules.Listing(at, int((changes or {}).get("count") or 0), actor, name or "", inst)
        for at, changes, actor, name, inst in events.iterator(chunk_size=2000)
    ]
    return rules.listing_harvest(listings, config_of(rule))


def _privileged_accounts(rule, now, since):
    start = min(since, now - datetime.timedelta(minutes=rule.window_minutes))
    events = (
        AuditEvent.objects.filter(outcome="success", at__gte=start, at__lte=now)
        .filter(
            (
                Q(object_type__in=rules.ACCOUNT_OBJECT_TYPES)
                | Q(object_type__startswith=rules.ACCOUNT_OBJECT_PREFIXES[1])
            )
            & Q(changes__has_any_keys=[*rules.PLACE_FIELDS, "is_active"])
            | Q(object_type="registry.role", action="config")
        )
        .values("id", "at", "action", "actor_username", "object_type", "object_id", "changes")
        .order_by("at", "id")
    )
    rows = [
        rules.AccountChange(
            e["id"],
            e["at"],
            e["action"],
            e["actor_username"],
            e["object_type"],
            e["object_id"],
            e["changes"] or {},
        )
        for e in events
    ]
    if not rows:
        return []
    ids = {int(r.object_id) for r in rows if r.object_id.isdigit()}
    current = {
        str(user_id): (role, place)
        for user_id, role, place in Staff.objects.filter(user_id__in=ids).values_list(
            "user_id", "role", "jurisdiction"
        )
    }

    def is_privileged(role, jurisdiction):
        # The same rule that asks these accounts for a second factor (wider than the
        # four-eyes circle), over the role's permissions as they are now.
        return account_rules.needs_second_factor(role, role_permissions(role), False, jurisdiction)

    # Granting a role any of these elevates everyone holding it.
    privileged_permissions = frozenset(
        p
        for p in PERMISSIONS
        if p in account_rules.PERSONAL_DATA_PERMISSIONS
        or p in account_rules.ADMIN_PERMISSION_OWNERS
        or p in {"alerts.manage", "access.approve"}
    )
    return rules.privileged_account_change(
        rows, is_privileged, current, privileged_permissions, config_of(rule)
    )


EVALUATORS = {
    rules.FAILED_LOGIN_BURST: _failed_logins,
    rules.BULK_READS: _bulk_reads,
    rules.OFF_HOURS_READS: _off_hours,
    rules.CREDENTIAL_NEW_IP: _new_ips,
    rules.SUSPENDED_INSTITUTION: _suspended,
    rules.STAFF_NEW_ADDRESS: _staff_new_addresses,
    rules.REFUSED_READ_BURST: _refused_reads,
    rules.PRIVILEGED_ACCOUNT_CHANGE: _privileged_accounts,
    rules.LISTING_HARVEST: _listing_harvest,
}


def evaluate(
    now: datetime.datetime | None = None, scan_minutes: int = DEFAULT_SCAN_MINUTES
) -> list[SecurityAlert]:
    """Run every enabled rule over the recent log; return the alerts newly raised."""
    now = now or timezone.now()
    since = now - datetime.timedelta(minutes=scan_minutes)
    created = []
    for code, rule in sorted(ensure_rules().items()):
        evaluator = EVALUATORS.get(code)
        if evaluator is None or not rule.enabled:
            continue
        created += raise_findings(evaluator(rule, now, since), rule)
    return created


# ---------------------------------------------------------------- handling


def check_manage(user) -> None:
    if not has_perm(user, MANAGE):
        raise PermissionDenied("无权处理安全告警")


def visible_alerts(user):
    check_manage(user)
    return SecurityAlert.objects.select_related("handled_by")


MAX_ID = 2**63 - 1  # a bigger number in a URL would overflow the database's integer


def get_alert(user, alert_id: int) -> SecurityAlert:
    qs = visible_alerts(user)
    try:
        if not 0 < alert_id <= MAX_ID:
            raise SecurityAlert.DoesNotExist
        return qs.get(pk=alert_id)
    except SecurityAlert.DoesNotExist:
        raise NotFound("告警") from None


def _transition(user, alert_id: int, to: str, note: str, request) -> SecurityAlert:
    check_manage(user)
    with transaction.atomic():
        try:
            if not 0 < alert_id <= MAX_ID:
                raise SecurityAlert.DoesNotExist
            alert = SecurityAlert.objects.select_for_update().get(pk=alert_id)
        except SecurityAlert.DoesNotExist:
            raise NotFound("告警") from None
        allowed = {
            AlertStatus.ACKNOWLEDGED: {AlertStatus.NEW},
            AlertStatus.CLOSED: {AlertStatus.NEW, AlertStatus.ACKNOWLEDGED},
        }[to]
        if alert.status not in allowed:
            raise Conflict(
                "alert_status",
                f"告警当前状态为“{alert.get_status_display()}”，不能执行此操作",
            )
        old = alert.status
        alert.status = to
        alert.handled_by = user
        alert.handled_at = timezone.now()
        if note:
            alert.note = note
        alert.save(update_fields=["status", "handled_by", "handled_at", "note"])
        record(
            action="update",
            object_type="audit.alert",
            object_id=str(alert.pk),
            fields=["status", "note"] if note else ["status"],
            changes={"status": [old, to]},
            purpose=note[:500],
            actor=user,
            request=request,
        )
    return alert


MAX_NOTE = 2000


def do_acknowledge(user, alert_id: int, note: str = "", request=None) -> SecurityAlert:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed({"note": f"处理说明不能超过{MAX_NOTE}个字"})
    return _transition(user, alert_id, AlertStatus.ACKNOWLEDGED, note, request)


def do_close(user, alert_id: int, note: str, request=None) -> SecurityAlert:
    note = (note or "").strip()
    if not note:
        raise ValidationFailed({"note": "关闭告警须填写处理说明"})
    if len(note) > MAX_NOTE:
        raise ValidationFailed({"note": f"处理说明不能超过{MAX_NOTE}个字"})
    return _transition(user, alert_id, AlertStatus.CLOSED, note, request)


def check_rule_update(code: str, severity, enabled, threshold, window_minutes, params) -> None:
    errors = rules.check_rule_config(code, threshold, window_minutes, params)
    if severity not in AlertSeverity.values:
        errors["severity"] = "级别不在允许范围内"
    if not isinstance(enabled, bool):
        errors["enabled"] = "应为是或否"
    if errors:
        raise ValidationFailed(errors)


def do_update_rule(
    user, code: str, *, severity, enabled, threshold, window_minutes, params, request=None
) -> AlertRule:
    check_manage(user)
    ensure_rules()
    check_rule_update(code, severity, enabled, threshold, window_minutes, params)
    with transaction.atomic():
        try:
            rule = AlertRule.objects.select_for_update().get(code=code)
        except AlertRule.DoesNotExist:
            raise NotFound("告警规则") from None
        new = {
            "severity": severity,
            "enabled": enabled,
            "threshold": threshold,
            "window_minutes": window_minutes,
            "params": params,
        }
        changes = {k: [getattr(rule, k), v] for k, v in new.items() if getattr(rule, k) != v}
        if not changes:
            return rule
        for key, value in new.items():
            setattr(rule, key, value)
        rule.save()
        record(
            action="config",
            object_type="audit.alert_rule",
            object_id=code,
            fields=sorted(changes),
            changes=changes,
            actor=user,
            request=request,
        )
    return rule
