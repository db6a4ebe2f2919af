"""Security-alert rules (入侵防范): pure functions over plain rows from the audit log.

Each rule takes rows (or per-day counts) and a RuleConfig (threshold, window and params
from the AlertRule table, so a security administrator tunes them without code) and
returns Findings. A Finding's dedupe_key names the finding and its window, so running
the rules again over overlapping rows raises nothing new.
"""

import datetime
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

FAILED_LOGIN_BURST = "failed_login_burst"
BULK_READS = "bulk_reads"
OFF_HOURS_READS = "off_hours_reads"
CREDENTIAL_NEW_IP = "credential_new_ip"
SUSPENDED_INSTITUTION = "suspended_institution"
AUDIT_CHAIN_BROKEN = "audit_chain_broken"
STAFF_NEW_ADDRESS = "staff_new_address"
REFUSED_READ_BURST = "refused_read_burst"
PRIVILEGED_ACCOUNT_CHANGE = "privileged_account_change"
LISTING_HARVEST = "listing_harvest"

# The audit actions that read personal data.
READ_ACTIONS = ("read", "unmask", "export")
REFUSED_INSTITUTION_REASONS = frozenset({"institution_suspended", "institution_revoked"})

# What threshold and window mean for each rule, shown on the configuration page.
RULE_HELP = {
    FAILED_LOGIN_BURST: "同一账号或同一IP在时间窗内登录失败次数达到阈值",
    BULK_READS: "账号当日查阅次数超过其近N天日查阅中位数的阈值倍，且超过下限 floor",
    OFF_HOURS_READS: "工作时间（work_start 至 work_end，北京时间）以外的查阅次数达到阈值",
    CREDENTIAL_NEW_IP: "接入凭证从近 lookback_days 天内未出现过的IP获取令牌",
    SUSPENDED_INSTITUTION: "已暂停或撤销的机构在时间窗内被拒绝的接入尝试达到阈值",
    AUDIT_CHAIN_BROKEN: "verify-audit 发现审计链被破坏",
    STAFF_NEW_ADDRESS: "工作人员从近 lookback_days 天内该账号未用过的IP登录成功",
    REFUSED_READ_BURST: "同一账号在时间窗内被拒绝的访问（越权查阅等）达到阈值",
    LISTING_HARVEST: (
        "同一账号或同一机构在时间窗内经列表、查询返回的记录数达到阈值（批量获取个人信息）"
    ),
    PRIVILEGED_ACCOUNT_CHANGE: (
        "新建或提升特权账号：管理员角色，或可查阅一个村以上个人信息的角色与辖区；"
        "含重新启用此类账号、给角色授予个人信息或管理权限"
    ),
}


@dataclass(frozen=True)
class RuleConfig:
    threshold: int
    window_minutes: int
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One audit event as the rules see it."""

    at: datetime.datetime
    action: str
    actor_id: int | None = None
    actor_username: str = ""
    object_type: str = ""
    object_id: str = ""
    source_ip: str = ""
    outcome: str = "success"
    reason: str = ""
    institution_id: int | None = None


@dataclass(frozen=True)
class DailyCount:
    actor_id: int
    actor_username: str
    day: datetime.date
    count: int


@dataclass(frozen=True)
class IpFirstSeen:
    """When a credential was first seen fetching a token from an address."""

    credential: str
    ip: str
    first_seen: datetime.datetime


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str
    summary: str
    dedupe_key: str
    details: dict = field(default_factory=dict)


def _fmt(at: datetime.datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


def bursts(times: list[datetime.datetime], threshold: int, window_minutes: int) -> list[dict]:
    """Windows of `window_minutes` holding at least `threshold` of `times`.

    At most one per fixed window bucket (the bucket of the event that reached the
    threshold), so a long burst is reported once per window, not once per event.
    """
    times = sorted(times)
    width = datetime.timedelta(minutes=window_minutes)
    seconds = window_minutes * 60
    found, buckets, start = [], set(), 0
    for end, at in enumerate(times):
        while times[start] < at - width:
            start += 1
        count = end - start + 1
        if count < threshold:
            continue
        bucket = int(at.timestamp()) // seconds
        if bucket in buckets:
            found[-1]["count"] = max(found[-1]["count"], count)
            found[-1]["last"] = at
            continue
        buckets.add(bucket)
        found.append({"bucket": bucket, "count": count, "first": times[start], "last": at})
    return found


# ---------------------------------------------------------------- (a) failed logins


def failed_login_burst(rows: Iterable[Row], cfg: RuleConfig) -> list[Finding]:
    """≥ threshold `login_failed` for one username, or from one IP, within the window."""
    by_key: dict[tuple[str, str], list[datetime.datetime]] = defaultdict(list)
    for row in rows:
        if row.action != "login_failed":
            continue
        # The account tried: the actor when known, else the name typed (object_id).
        username = row.actor_username or row.object_id
        if username:
            by_key[("user", username)].append(row.at)
        if row.source_ip:
            by_key[("ip", row.source_ip)].append(row.at)
    findings = []
    for (kind, value), times in sorted(by_key.items()):
        for burst in bursts(times, cfg.threshold, cfg.window_minutes):
            label = "账号" if kind == "user" else "IP"
            findings.append(
                Finding(
                    rule=FAILED_LOGIN_BURST,
                    subject=f"{kind}:{value}",
                    summary=(
                        f"{label} {value} 在 {cfg.window_minutes} 分钟内登录失败 "
                        f"{burst['count']} 次"
                    ),
                    dedupe_key=f"{FAILED_LOGIN_BURST}:{kind}:{value}:{burst['bucket']}",
                    details={
                        kind: value,
                        "count": burst["count"],
                        "first": _fmt(burst["first"]),
                        "last": _fmt(burst["last"]),
                    },
                )
            )
    return findings


# ---------------------------------------------------------------- (b) bulk reads


def bulk_reads(counts: Iterable[DailyCount], today: datetime.date, cfg: RuleConfig):
    """An account's reads today > threshold × its median daily reads and > the floor.

    The median is over the `baseline_days` before today, days without reads counting
    as zero, so a new account is judged by the floor alone.
    """
    floor = int(cfg.params.get("floor", 200))
    days = int(cfg.params.get("baseline_days", 30))
    per_actor: dict[int, dict[datetime.date, int]] = defaultdict(dict)
    names: dict[int, str] = {}
    for c in counts:
        per_actor[c.actor_id][c.day] = per_actor[c.actor_id].get(c.day, 0) + c.count
        names[c.actor_id] = c.actor_username
    findings = []
    for actor_id in sorted(per_actor):
        daily = per_actor[actor_id]
        today_count = daily.get(today, 0)
        baseline = [daily.get(today - datetime.timedelta(days=i), 0) for i in range(1, days + 1)]
        median = statistics.median(baseline) if baseline else 0
        if today_count > floor and today_count > cfg.threshold * median:
            name = names[actor_id]
            findings.append(
                Finding(
                    rule=BULK_READS,
                    subject=f"user:{name}",
                    summary=(
                        f"账号 {name} 今日查阅 {today_count} 次，近{days}天日中位数 {median:g} 次"
                    ),
                    dedupe_key=f"{BULK_READS}:{actor_id}:{today.isoformat()}",
                    details={
                        "user": name,
                        "actor_id": actor_id,
                        "today": today_count,
                        "median": f"{median:g}",
                        "floor": floor,
                        "multiplier": cfg.threshold,
                    },
                )
            )
    return findings


# ---------------------------------------------------------------- (c) off-hours reads

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value: str) -> datetime.time:
    match = _HHMM.match(str(value))
    if not match:
        raise ValueError(value)
    return datetime.time(int(match.group(1)), int(match.group(2)))


def is_working_time(local: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    if start < end:
        return start <= local < end
    return local >= start or local < end  # a working day across midnight


def off_hours_reads(rows: Iterable[Row], cfg: RuleConfig) -> list[Finding]:
    """≥ threshold reads by one account outside working hours (local time) in one night."""
    start = parse_hhmm(cfg.params.get("work_start", "06:00"))
    end = parse_hhmm(cfg.params.get("work_end", "22:00"))
    # A night runs from work_end to the next work_start; label it by the evening's date.
    shift = datetime.timedelta(hours=end.hour, minutes=end.minute)
    nights: dict[tuple[int, datetime.date], list[Row]] = defaultdict(list)
    for row in rows:
        if row.action not in READ_ACTIONS or row.actor_id is None:
            continue
        local = row.at.astimezone(LOCAL_TZ)
        if is_working_time(local.time(), start, end):
            continue
        nights[(row.actor_id, (local - shift).date())].append(row)
    findings = []
    for (actor_id, night), hits in sorted(nights.items()):
        if len(hits) < cfg.threshold:
            continue
        name = hits[0].actor_username
        findings.append(
            Finding(
                rule=OFF_HOURS_READS,
                subject=f"user:{name}",
                summary=f"账号 {name} 在非工作时间查阅个人信息 {len(hits)} 次（{night} 夜间）",
                dedupe_key=f"{OFF_HOURS_READS}:{actor_id}:{night.isoformat()}",
                details={
                    "user": name,
                    "actor_id": actor_id,
                    "count": len(hits),
                    "first": _fmt(min(h.at for h in hits)),
                    "last": _fmt(max(h.at for h in hits)),
                    "objects": sorted({f"{h.object_type}:{h.object_id}" for h in hits})[:20],
                },
            )
        )
    return findings


# ---------------------------------------------------------------- (d) new IP for a credential


def credential_new_ip(
    seen: Iterable[IpFirstSeen], since: datetime.datetime, cfg: RuleConfig
) -> list[Finding]:
    """A credential fetched a token from an address first seen at or after `since`.

    The address a credential is first ever used from is its baseline, not a finding.
    """
    return [
        Finding(
            rule=CREDENTIAL_NEW_IP,
            subject=f"credential:{cred}",
            summary=f"接入凭证 {cred} 从新的IP {s.ip} 获取令牌",
            dedupe_key=f"{CREDENTIAL_NEW_IP}:{cred}:{s.ip}",
            details={"credential": cred, "ip": s.ip, "at": _fmt(s.first_seen), "known_ips": known},
        )
        for cred, s, known in _new_addresses(seen, lambda s: s.credential, since)
    ]


def _new_addresses(seen, owner, since: datetime.datetime):
    """(owner, first sighting, addresses known before it) for each address an owner (a
    credential, an account) was first seen at on or after `since`; an owner's first
    address is its baseline, not new."""
    per_owner: dict = defaultdict(list)
    for s in seen:
        if s.ip:
            per_owner[owner(s)].append(s)
    for key in sorted(per_owner):
        ordered = sorted(per_owner[key], key=lambda s: (s.first_seen, s.ip))
        for s in ordered[1:]:
            if s.first_seen >= since:
                known = sorted(o.ip for o in ordered if o.first_seen < s.first_seen)
                yield key, s, known[:20]


# ---------------------------------------------------------------- (e) suspended institution


def suspended_institution(rows: Iterable[Row], cfg: RuleConfig) -> list[Finding]:
    """A suspended or revoked institution still trying: refused tokens or API calls."""
    by_inst: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.action not in ("token_refused", "api_refused"):
            continue
        if row.reason not in REFUSED_INSTITUTION_REASONS:
            continue
        if row.institution_id is not None:
            key = f"institution:{row.institution_id}"
        elif row.object_id:
            key = f"{row.object_type or 'object'}:{row.object_id}"
        else:
            key = f"ip:{row.source_ip}"
        by_inst[key].append(row)
    findings = []
    for key, hits in sorted(by_inst.items()):
        for burst in bursts([h.at for h in hits], cfg.threshold, cfg.window_minutes):
            in_burst = [h for h in hits if burst["first"] <= h.at <= burst["last"]]
            findings.append(
                Finding(
                    rule=SUSPENDED_INSTITUTION,
                    subject=key,
                    summary=(
                        f"已暂停或撤销的 {key} 在 {cfg.window_minutes} 分钟内"
                        f"仍尝试接入 {burst['count']} 次"
                    ),
                    dedupe_key=f"{SUSPENDED_INSTITUTION}:{key}:{burst['bucket']}",
                    details={
                        "subject": key,
                        "count": burst["count"],
                        "reasons": sorted({h.reason for h in in_burst}),
                        "ips": sorted({h.source_ip for h in in_burst if h.source_ip})[:20],
                        "first": _fmt(burst["first"]),
                        "last": _fmt(burst["last"]),
                    },
                )
            )
    return findings


# ---------------------------------------------------------------- (f) verify-audit failure


def chain_broken(kind: str, seq: int, record_id, at, description: str, chain: int = 1) -> Finding:
    return Finding(
        rule=AUDIT_CHAIN_BROKEN,
        subject="audit:chain",
        summary=f"审计链校验失败：{description}"[:300],
        dedupe_key=f"{AUDIT_CHAIN_BROKEN}:{kind}:{chain}:{seq}",
        details={
            "kind": kind,
            "chain": chain,
            "seq": seq,
            "id": record_id,
            "at": _fmt(at) if at else None,
            "description": description,
        },
    )


# ---------------------------------------------------------------- (g) staff from a new address


@dataclass(frozen=True)
class LoginFirstSeen:
    """When an account first logged in successfully from an address (in the lookback)."""

    actor_id: int
    username: str
    ip: str
    first_seen: datetime.datetime


def staff_new_address(
    seen: Iterable[LoginFirstSeen], since: datetime.datetime, cfg: RuleConfig
) -> list[Finding]:
    """A staff login from an address the account has not used within the lookback.

    An account's first address in the lookback is its baseline, not a finding.
    """
    return [
        Finding(
            rule=STAFF_NEW_ADDRESS,
            subject=f"user:{s.username}",
            summary=f"账号 {s.username} 从新的IP {s.ip} 登录",
            dedupe_key=f"{STAFF_NEW_ADDRESS}:{actor_id}:{s.ip}",
            details={
                "user": s.username,
                "actor_id": actor_id,
                "ip": s.ip,
                "at": _fmt(s.first_seen),
                "known_ips": known,
            },
        )
        for actor_id, s, known in _new_addresses(seen, lambda s: s.actor_id, since)
    ]


# ---------------------------------------------------------------- (h) refused reads


def refused_read_burst(rows: Iterable[Row], cfg: RuleConfig) -> list[Finding]:
    """≥ threshold refused (denied) requests by one account within the window: someone
    probing for records outside their scope."""
    by_actor: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row.outcome == "denied" and row.actor_id is not None:
            by_actor[row.actor_id].append(row)
    findings = []
    for actor_id, hits in sorted(by_actor.items()):
        name = hits[0].actor_username
        for burst in bursts([h.at for h in hits], cfg.threshold, cfg.window_minutes):
            in_burst = [h for h in hits if burst["first"] <= h.at <= burst["last"]]
            findings.append(
                Finding(
                    rule=REFUSED_READ_BURST,
                    subject=f"user:{name}",
                    summary=(
                        f"账号 {name} 在 {cfg.window_minutes} 分钟内被拒绝访问 {burst['count']} 次"
                    ),
                    dedupe_key=f"{REFUSED_READ_BURST}:{actor_id}:{burst['bucket']}",
                    details={
                        "user": name,
                        "actor_id": actor_id,
                        "count": burst["count"],
                        "reasons": sorted({h.reason for h in in_burst if h.reason}),
                        "objects": sorted({f"{h.object_type}:{h.object_id}" for h in in_burst})[
                            :20
                        ],
                        "first": _fmt(burst["first"]),
                        "last": _fmt(burst["last"]),
                    },
                )
            )
    return findings


@dataclass(frozen=True)
class Listing:
    """One list, search or API page as the rules see it: who, when and how many rows."""

    at: datetime.datetime
    rows: int
    actor_id: int | None = None
    actor_username: str = ""
    institution_id: int | None = None


def listing_harvest(listings: Iterable[Listing], cfg: RuleConfig) -> list[Finding]:
    """≥ threshold rows returned by lists and searches to one account (or one
    institution's systems) within a window: someone paging through the registry. The
    read-count rules see one event per page; this one sees the rows on it."""
    by_subject: dict[str, list[Listing]] = defaultdict(list)
    for listing in listings:
        if listing.actor_id is not None:
            by_subject[f"user:{listing.actor_username}"].append(listing)
        elif listing.institution_id is not None:
            by_subject[f"institution:{listing.institution_id}"].append(listing)
    findings = []
    window = datetime.timedelta(minutes=cfg.window_minutes)
    for subject, pages in sorted(by_subject.items()):
        pages.sort(key=lambda p: p.at)
        start, total, bucket = 0, 0, None
        for end, page in enumerate(pages):
            total += page.rows
            while pages[start].at < page.at - window:
                total -= pages[start].rows
                start += 1
            if total >= cfg.threshold and bucket is None:
                bucket = int(pages[start].at.timestamp()) // (cfg.window_minutes * 60)
                findings.append(
                    Finding(
                        rule=LISTING_HARVEST,
                        subject=subject,
                        summary=(
                            f"{subject} 在 {cfg.window_minutes} 分钟内经列表与查询获取 "
                            f"{total} 条记录（{end - start + 1} 次）"
                        ),
                        dedupe_key=f"{LISTING_HARVEST}:{subject}:{bucket}",
                        details={
                            "rows": total,
                            "pages": end - start + 1,
                            "first": _fmt(pages[start].at),
                            "last": _fmt(page.at),
                        },
                    )
                )
    return findings


# ---------------------------------------------------------------- (i) privileged accounts


@dataclass(frozen=True)
class AccountChange:
    """An audit event that may create or change an account or a role's permissions."""

    event_id: int
    at: datetime.datetime
    action: str
    actor_username: str
    object_type: str
    object_id: str
    changes: dict


# Which events describe accounts: data, not a list of action names, so a new flow (a
# four-eyes account request, say) is caught as long as it records the role or
# jurisdiction it gives as changes {"role": [old, new], ...} on an account object.
ACCOUNT_OBJECT_TYPES = ("auth.user",)
ACCOUNT_OBJECT_PREFIXES = ("accounts.", "account")
PLACE_FIELDS = ("role", "jurisdiction")


# A four-eyes request records what is asked; the account changes (and is alerted on) when
# the approver carries it out, as an auth.user event.
ACCOUNT_REQUEST_TYPES = ("accounts.request",)


def _is_account_object(object_type: str) -> bool:
    if object_type in ACCOUNT_REQUEST_TYPES:
        return False
    return object_type in ACCOUNT_OBJECT_TYPES or object_type.startswith(ACCOUNT_OBJECT_PREFIXES)


def _pair(changes: dict, name: str):
    value = changes.get(name)
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return None


def privileged_account_change(
    rows: Iterable[AccountChange],
    is_privileged,
    current: dict[str, tuple[str | None, str | None]],
    privileged_permissions: frozenset[str],
    cfg: RuleConfig,
) -> list[Finding]:
    """Creation or elevation of a privileged account (DESIGN §6).

    `is_privileged(role, jurisdiction)` says whether an account so placed is privileged
    (an administrator, or a reader of personal data beyond one village); `current` maps
    an account's id to its (role, jurisdiction) now, for events that changed only one of
    the two. A role granted a permission in `privileged_permissions` elevates everyone
    holding it.
    """
    findings = []
    for row in rows:
        finding = _account_finding(row, is_privileged, current, privileged_permissions)
        if finding is not None:
            findings.append(finding)
    return findings


def _account_finding(row, is_privileged, current, privileged_permissions) -> Finding | None:
    changes = row.changes if isinstance(row.changes, dict) else {}
    if row.object_type == "registry.role":
        granted = sorted(
            p for p in changes if p in privileged_permissions and _pair(changes, p) == (False, True)
        )
        if not granted:
            return None
        summary = f"角色 {row.object_id} 被授予特权权限：{'、'.join(granted)}"
        return _privileged_finding(row, f"role:{row.object_id}", summary, {"granted": granted})
    if not _is_account_object(row.object_type):
        return None
    now_role, now_place = current.get(row.object_id, (None, None))
    role, place = _pair(changes, "role"), _pair(changes, "jurisdiction")
    activated = _pair(changes, "is_active") == (False, True)
    if role is None and place is None and not activated:
        return None
    old_role, new_role = role if role else (now_role, now_role)
    old_place, new_place = place if place else (now_place, now_place)
    if new_role is None or not is_privileged(new_role, new_place):
        return None
    created = role is not None and old_role is None
    if created:
        kind, label = "created", "新建特权账号"
    elif activated:
        kind, label = "reactivated", "重新启用特权账号"
    elif old_role is None or not is_privileged(old_role, old_place):
        kind, label = "elevated", "账号提升为特权账号"
    elif role is not None and old_role != new_role:
        kind, label = "role_changed", "特权账号更换角色"
    elif place is not None and len(new_place or "") < len(old_place or ""):
        kind, label = "widened", "特权账号扩大辖区"
    else:
        return None
    subject = f"account:{row.object_id}"
    summary = f"{label}：账号#{row.object_id}（{new_role}，辖区 {new_place or '全部'}）"
    details = {
        "kind": kind,
        "account_id": row.object_id,
        "role": [old_role, new_role],
        "jurisdiction": [old_place, new_place],
    }
    return _privileged_finding(row, subject, summary, details)


def _privileged_finding(row, subject: str, summary: str, details: dict) -> Finding:
    return Finding(
        rule=PRIVILEGED_ACCOUNT_CHANGE,
        subject=subject,
        summary=f"{summary}，操作人 {row.actor_username or '系统'}",
        dedupe_key=f"{PRIVILEGED_ACCOUNT_CHANGE}:{row.event_id}",
        details={
            **details,
            "by": row.actor_username,
            "action": row.action,
            "event_id": row.event_id,
            "at": _fmt(row.at),
        },
    )


# ---------------------------------------------------------------- configuration

# Extra parameters each rule accepts: name → (checker, Chinese reason when wrong).
_INT_RANGE = {
    BULK_READS: {"floor": (0, 1_000_000), "baseline_days": (1, 365)},
    CREDENTIAL_NEW_IP: {"lookback_days": (1, 3650)},
    STAFF_NEW_ADDRESS: {"lookback_days": (1, 3650)},
}
_TIMES = {OFF_HOURS_READS: ("work_start", "work_end")}
MAX_WINDOW_MINUTES = 30 * 24 * 60
MAX_THRESHOLD = 1_000_000


def check_rule_config(code: str, threshold, window_minutes, params) -> dict[str, str]:
    """Field → Chinese reason for each thing wrong with a rule's configuration."""
    errors: dict[str, str] = {}
    if not isinstance(threshold, int) or isinstance(threshold, bool):
        errors["threshold"] = "阈值应为整数"
    elif not 1 <= threshold <= MAX_THRESHOLD:
        errors["threshold"] = f"阈值应在1至{MAX_THRESHOLD}之间"
    if not isinstance(window_minutes, int) or isinstance(window_minutes, bool):
        errors["window_minutes"] = "时间窗应为整数分钟"
    elif not 1 <= window_minutes <= MAX_WINDOW_MINUTES:
        errors["window_minutes"] = f"时间窗应在1至{MAX_WINDOW_MINUTES}分钟之间"
    if not isinstance(params, dict):
        errors["params"] = "其他参数应为JSON对象"
        return errors
    allowed = set(_INT_RANGE.get(code, {})) | set(_TIMES.get(code, ()))
    unknown = sorted(set(params) - allowed)
    if unknown:
        errors["params"] = "不认识的参数：" + "、".join(unknown)
        return errors
    for name, (low, high) in _INT_RANGE.get(code, {}).items():
        value = params.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors["params"] = f"{name} 应为{low}至{high}之间的整数"
    names = _TIMES.get(code, ())
    for name in names:
        value = params.get(name)
        if value is None:
            continue
        try:
            parse_hhmm(value)
        except ValueError:
            errors["params"] = f"{name} 应为 HH:MM 格式的时间"
    if names and "params" not in errors:
        start, end = (params.get(n) for n in names)
        if start is not None and start == end:
            errors["params"] = "工作时间的开始与结束不能相同"
    return errors
