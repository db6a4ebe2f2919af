"""Accounts tables: password state and history, login history, record loans (借阅).

Tables and constraints only; rules live in rules.py, use cases in services.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from huimin.registry.models import Role


class AccountState(models.Model):
    """When the password was last set, and whether it must be changed at next login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="account_state",
    )
    password_changed_at = models.DateTimeField("密码修改时间")
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    class Meta:
        verbose_name = "账号状态"

    def __str__(self):
        return f"{self.user_id} {self.password_changed_at:%Y-%m-%d}"


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords (the current one included), newest first."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="pwhistory_user_idx")]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class LoginOutcome(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "用户名或密码错误"
    LOCKED = "locked", "已锁定"
    SECOND_FACTOR_FAILED = "second_factor_failed", "动态口令错误"


class LoginEvent(models.Model):
    """Every login attempt, successful or not. `user` is null when the name matched no one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="login_events",
    )
    username = models.CharField("登录用户名", max_length=150)
    at = models.DateTimeField("时间", default=timezone.now)
    source_ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=24, choices=LoginOutcome.choices)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"], name="loginevent_user_idx"),
            models.Index(fields=["username", "-at"], name="loginevent_username_idx"),
            models.Index(fields=["outcome", "-at"], name="loginevent_outcome_idx"),
            models.Index(fields=["source_ip", "-at"], name="loginevent_ip_idx"),
        ]

    def __str__(self):
        return f"{self.username} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class LoanStatus(models.TextChoices):
    REQUESTED = "requested", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    ENDED = "ended", "已结束"
    EXPIRED = "expired", "已过期"


class RecordLoan(models.Model):
    """借阅: time-limited, approved reading of one person's record outside one's scope.

    `person` is null when the number asked for matched nobody; the request then waits
    like any other and expires, so a request never tells whether someone is registered.
    """

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="record_loans"
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
    )
    # The number as the requester typed it, masked: theirs to see, telling nothing new.
    id_number_masked = models.CharField("身份证号", max_length=18)
    reason = models.CharField("借阅事由", max_length=500)
    days = models.PositiveSmallIntegerField("申请期限（天）")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    status = models.CharField(
        "状态", max_length=10, choices=LoanStatus.choices, default=LoanStatus.REQUESTED
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans_decided",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)
    valid_from = models.DateTimeField("生效时间", null=True, blank=True)
    valid_until = models.DateTimeField("到期时间", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans_ended",
    )
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    end_note = models.CharField("结束说明", max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            # The scope extension: my approved loans still in force.
            models.Index(fields=["requester", "status", "valid_until"], name="loan_active_idx"),
            models.Index(fields=["requester", "-requested_at"], name="loan_requester_idx"),
            models.Index(fields=["status", "requested_at"], name="loan_status_idx"),
            models.Index(fields=["person", "status"], name="loan_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(approver__isnull=True) | ~Q(approver=F("requester")),
                name="loan_not_self_approved",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(
                    approver__isnull=False,
                    valid_from__isnull=False,
                    valid_until__gt=F("valid_from"),
                ),
                name="loan_approved_has_window",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="loan_has_reason"),
        ]

    def __str__(self):
        return f"借阅#{self.pk} {self.get_status_display()}"


class RequestKind(models.TextChoices):
    CREATE = "create", "新建账号"
    CHANGE = "change", "变更角色、辖区或机构"
    PASSWORD = "password", "重置密码"
    SECOND_FACTOR = "second_factor", "重置动态口令"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准并执行"
    REJECTED = "rejected", "已驳回"
    WITHDRAWN = "withdrawn", "已撤回"


class AccountRequest(models.Model):
    """A change to a privileged account (an administrator, or a county-wide reader of
    personal data): asked by one administrator, decided and carried out by another.

    For create and change the account's new place is kept here; `region_code` is the
    jurisdiction the account has or will have, which scopes who sees the request.
    """

    kind = models.CharField("申请类型", max_length=16, choices=RequestKind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="账号",
    )
    username = models.CharField("用户名", max_length=30, blank=True)
    name = models.CharField("姓名", max_length=30, blank=True)
    role = models.CharField("角色", max_length=30, choices=Role.choices, blank=True)
    jurisdiction = models.CharField("辖区（区划前缀）", max_length=12, blank=True)
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="医疗机构",
    )
    region_code = models.CharField("所属辖区", max_length=12)
    reason = models.CharField("申请事由", max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["status", "region_code"], name="acctreq_status_idx"),
        ]
        constraints = [
            # Four eyes, also in the database: nobody decides on their own request or on
            # a request about their own account, and nobody asks about their own account.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="acctreq_not_self_decided",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | Q(target__isnull=True)
                | ~Q(decided_by=F("target")),
                name="acctreq_target_not_decider",
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | ~Q(target=F("requested_by")),
                name="acctreq_not_about_self",
            ),
            models.CheckConstraint(
                condition=Q(kind="create", target__isnull=True, username__gt="")
                | (~Q(kind="create") & Q(target__isnull=False)),
                name="acctreq_target_by_kind",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="acctreq_decided_has_time",
            ),
            # One open request per account and kind, and per new username.
            models.UniqueConstraint(
                fields=["target", "kind"],
                condition=Q(status="pending", target__isnull=False),
                name="acctreq_one_pending_per_target",
            ),
            models.UniqueConstraint(
                fields=["username"],
                condition=Q(status="pending", kind="create"),
                name="acctreq_one_pending_per_username",
            ),
        ]

    def __str__(self):
        return f"账号申请#{self.pk} {self.get_kind_display()} {self.get_status_display()}"


class IncidentStatus(models.TextChoices):
    REQUESTED = "requested", "待批准"
    EXECUTED = "executed", "已执行"
    REJECTED = "rejected", "已驳回"


class IncidentOrder(models.Model):
    """应急处置: end sessions and void passwords of all or selected accounts, and suspend
    selected institutions' API access; requested by a security administrator, carried
    out only when a second administrator approves (huimin/accounts/incident.py)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incidents_requested"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    reason = models.CharField("处置事由", max_length=500)
    all_accounts = models.BooleanField("全部账号", default=False)
    # Ids, not foreign keys: the order records what was asked even if an account goes.
    account_ids = models.JSONField("选定账号", default=list, blank=True)
    institution_ids = models.JSONField("暂停接入的机构", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents_decided",
    )
    decided_at = models.DateTimeField("批准/驳回时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)
    result = models.JSONField("执行结果", default=dict, blank=True)

    class Meta:
        verbose_name = "应急处置"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="incident_not_self_approved",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="incident_has_reason"),
        ]

    def __str__(self):
        return f"应急处置#{self.pk} {self.get_status_display()}"
