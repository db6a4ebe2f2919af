"""Audit tables: the keyed hash-chained event log, its chain heads, cut-over seals and
archives; security alerts.

Tables and constraints only. The chain is computed in chain.py (pure) and appended in
services.py under a lock on one AuditChainHead row.
"""

from django.conf import settings
from django.db import models

from huimin.core.appendonly import AppendOnlyModel, AppendOnlyQuerySet


class AuditAction(models.TextChoices):
    READ = "read", "查看"
    SEARCH = "search", "查询"
    EXPORT = "export", "导出"
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    UNMASK = "unmask", "查看完整证件号"
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出登录"
    APPROVE = "approve", "批准"
    REJECT = "reject", "驳回"
    SUSPEND = "suspend", "暂停"
    RESUME = "resume", "恢复"
    REVOKE = "revoke", "撤销"
    ISSUE_CREDENTIAL = "issue_credential", "签发凭证"
    TOKEN = "token", "获取令牌"
    TOKEN_REFUSED = "token_refused", "拒绝令牌"
    API_REFUSED = "api_refused", "拒绝接口调用"
    LOAN_REQUEST = "loan_request", "申请借阅"
    LOAN_APPROVE = "loan_approve", "批准借阅"
    LOAN_END = "loan_end", "结束借阅"
    CONFIG = "config", "修改配置"
    BACKUP = "backup", "备份"
    RESTORE = "restore", "恢复数据"
    ALERT = "alert", "安全告警"
    SIGN = "sign", "签名"  # a health-record form signed by its doctor
    AMEND = "amend", "更正"  # a signed form replaced by an amendment


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "成功"
    DENIED = "denied", "拒绝"
    FAILED = "failed", "失败"


CHANGE_REFUSED = "审计记录只能追加，不能修改"
DELETE_REFUSED = "审计记录只能追加，不能删除（归档请用 huimin archive-audit）"


class AuditEventQuerySet(AppendOnlyQuerySet):
    # Bulk writes would bypass the chain; archiving deletes through its own SQL.
    change_refused = CHANGE_REFUSED
    delete_refused = DELETE_REFUSED


class AuditEvent(AppendOnlyModel):
    change_refused = CHANGE_REFUSED
    delete_refused = "审计记录只能追加，不能删除"

    """One audited act. `hash` = HMAC-SHA256(the key named by key_id, prev_hash +
    canonical content); rows from before the audit key have key_id "legacy" (chain.py).

    Events form a few parallel hash chains (`chain`, numbered from 1), each with its own
    head, so that concurrent appends need not queue behind one lock; within a chain `seq`
    has no gaps and every event links to the one before.
    """

    chain = models.PositiveSmallIntegerField("链", default=1)
    seq = models.BigIntegerField("链序号")
    at = models.DateTimeField("时间")
    # No database FK: deleting an account must neither fail nor touch its audit trail;
    # actor_username keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    actor_username = models.CharField("操作人账号", max_length=150, blank=True, default="")
    role = models.CharField("角色", max_length=30, blank=True, default="")
    institution_id = models.BigIntegerField("机构", null=True, blank=True)
    terminal = models.CharField("终端", max_length=100, blank=True, default="")
    # Text, not inet: PostgreSQL would rewrite some addresses and break the hash.
    source_ip = models.CharField("来源IP", max_length=45, blank=True, default="")
    action = models.CharField("动作", max_length=20, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=50, blank=True, default="")
    object_id = models.CharField("对象标识", max_length=100, blank=True, default="")
    region_code = models.CharField("区划", max_length=12, blank=True, default="")
    fields = models.JSONField("字段", default=list, blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    purpose = models.CharField("目的", max_length=500, blank=True, default="")
    loan_id = models.BigIntegerField("借阅单", null=True, blank=True)
    outcome = models.CharField(
        "结果", max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    reason = models.CharField("原因代码", max_length=100, blank=True, default="")
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)
    key_id = models.CharField("密钥编号", max_length=12)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        ordering = ["-at", "-id"]
        constraints = [
            # Also the index verification walks a chain by.
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq"),
        ]
        indexes = [
            models.Index(fields=["at"], name="audit_at_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_at_idx"),
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_at_idx"),
            models.Index(
                fields=["region_code", "at"],
                name="audit_region_at_idx",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["action", "at"], name="audit_action_at_idx"),
            models.Index(fields=["outcome", "at"], name="audit_outcome_at_idx"),
            # The security administrator's view of the auditors' own events.
            models.Index(fields=["role", "at"], name="audit_role_at_idx"),
        ]

    def __str__(self):
        return (
            f"#{self.chain}.{self.seq} {self.at:%Y-%m-%d %H:%M:%S} "
            f"{self.actor_username} {self.action}"
        )


class AuditEventPersonQuerySet(AppendOnlyQuerySet):
    change_refused = CHANGE_REFUSED
    delete_refused = DELETE_REFUSED


class AuditEventPerson(AppendOnlyModel):
    """Which residents an event concerned: the index behind "who read my record".

    One row per (event, person), written with the event by `record(person_ids=...)`.
    The hashed event carries the same ids (changes["person_ids"], as ranges), so this
    index can be checked against, or rebuilt from, the chain.
    """

    change_refused = CHANGE_REFUSED
    delete_refused = "审计记录只能追加，不能删除"

    # No database FK, like AuditEvent.actor: archiving removes both by its own SQL.
    event = models.ForeignKey(
        AuditEvent,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="people",
    )
    person_id = models.BigIntegerField("居民")

    objects = AuditEventPersonQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录涉及的居民"
        constraints = [
            models.UniqueConstraint(fields=["person_id", "event"], name="audit_person_event"),
        ]

    def __str__(self):
        return f"{self.event_id}:{self.person_id}"


class AuditChainHead(models.Model):
    """One row per chain (pk = the chain's number): its last sequence number and hash.

    An append locks one head until its commit; see services._locked_head for which.
    """

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链头"

    def __str__(self):
        return f"{self.last_seq}:{self.last_hash[:12]}"


class AuditArchive(models.Model):
    """A range of events moved to a gzip JSON-lines file before they were deleted."""

    chain = models.PositiveSmallIntegerField("链", default=1)
    first_seq = models.BigIntegerField("起始序号")
    last_seq = models.BigIntegerField("结束序号")
    first_at = models.DateTimeField("起始时间")
    last_at = models.DateTimeField("结束时间")
    before = models.DateField("归档截止日期")
    count = models.BigIntegerField("条数")
    first_prev_hash = models.CharField("起始前哈希", max_length=64)
    last_hash = models.CharField("结束哈希", max_length=64)
    file = models.CharField("归档文件", max_length=500)
    checksum = models.CharField("文件SHA-256", max_length=64)
    created_at = models.DateTimeField("归档时间", auto_now_add=True)
    created_by = models.CharField("操作人", max_length=150, blank=True, default="")
    # Signed under the audit key: a made-up archive record cannot stand in for rows
    # deleted from the start of a chain.
    key_id = models.CharField("密钥编号", max_length=12)
    mac = models.CharField("签名", max_length=64)

    class Meta:
        verbose_name = "审计归档"
        ordering = ["chain", "last_seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "last_seq"], name="audit_archive_chain_seq"),
        ]

    def __str__(self):
        return f"{self.chain}.{self.first_seq}–{self.last_seq} → {self.file}"


class AuditLegacyCutover(models.Model):
    """Where a chain's unkeyed rows end: the last row hashed before the audit key existed,
    signed under the key when the upgrade ran. Rows claiming the unkeyed scheme verify
    only up to it; a chain without one has none."""

    chain = models.PositiveSmallIntegerField("链", unique=True)
    last_seq = models.BigIntegerField("最后一条无密钥记录序号")
    last_hash = models.CharField("其哈希", max_length=64)
    key_id = models.CharField("密钥编号", max_length=12)
    mac = models.CharField("签名", max_length=64)
    created_at = models.DateTimeField("封签时间", auto_now_add=True)

    class Meta:
        verbose_name = "审计链密钥切换封签"
        ordering = ["chain"]

    def __str__(self):
        return f"{self.chain}: ≤{self.last_seq}"


class AlertSeverity(models.TextChoices):
    LOW = "low", "低"
    MEDIUM = "medium", "中"
    HIGH = "high", "高"
    CRITICAL = "critical", "严重"


class AlertStatus(models.TextChoices):
    NEW = "new", "新告警"
    ACKNOWLEDGED = "acknowledged", "已确认"
    CLOSED = "closed", "已关闭"


class AlertRule(models.Model):
    """A detection rule's configuration: thresholds are data the security admin edits."""

    code = models.CharField("规则代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    enabled = models.BooleanField("启用", default=True)
    severity = models.CharField("级别", max_length=10, choices=AlertSeverity.choices)
    threshold = models.PositiveIntegerField("阈值")
    window_minutes = models.PositiveIntegerField("时间窗（分钟）")
    params = models.JSONField("其他参数", default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "告警规则"
        ordering = ["code"]

    def __str__(self):
        return self.name


class SecurityAlert(models.Model):
    rule = models.CharField("规则", max_length=40)
    severity = models.CharField("级别", max_length=10, choices=AlertSeverity.choices)
    status = models.CharField(
        "状态", max_length=15, choices=AlertStatus.choices, default=AlertStatus.NEW
    )
    subject = models.CharField("对象", max_length=200)
    summary = models.CharField("摘要", max_length=300)
    details = models.JSONField("详情", default=dict, blank=True)
    # One alert per finding per window: the rule builds the key, the database keeps it once.
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    note = models.TextField("处理说明", blank=True, default="")
    # Business notices (oversight/notices.py) also reach the holders of this permission in
    # the region below, on the business-alert page; "" for security alerts.
    audience = models.CharField("提醒对象（权限）", max_length=40, blank=True, default="")
    region_code = models.CharField("区划", max_length=12, blank=True, default="")

    class Meta:
        verbose_name = "安全告警"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["audience", "region_code", "created_at"], name="alert_audience_idx"
            ),
            models.Index(fields=["status", "created_at"], name="alert_status_idx"),
            models.Index(fields=["severity", "created_at"], name="alert_severity_idx"),
            models.Index(fields=["created_at"], name="alert_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_severity_display()} {self.summary}"
