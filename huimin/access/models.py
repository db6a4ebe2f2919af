"""Institutions' managed network access: applications, access grants, terminals,
machine credentials with their public keys, issued tokens, and the event history.

Tables and constraints only; rules live in rules.py, use cases in services.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from huimin.policy.scope import ScopedQuerySet
from huimin.registry.models import Institution


class Scope(models.TextChoices):
    SETTLEMENT = "settlement", "医保结算"
    RECORDS_READ = "records.read", "健康档案查询"
    RECORDS_WRITE = "records.write", "健康档案写入"
    CATALOG_READ = "catalog.read", "目录查询"
    EXCHANGE = "exchange", "数据交换"


class ApplicationKind(models.TextChoices):
    INSTITUTION = "institution", "机构接入"
    TERMINAL = "terminal", "新增终端"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    REVIEWED = "reviewed", "已初审"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


class AccessStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已撤销"


class CredentialStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    REVOKED = "revoked", "已吊销"


class TerminalStatus(models.TextChoices):
    ACTIVE = "active", "启用"
    DISABLED = "disabled", "停用"


class ApplicationQuerySet(ScopedQuerySet):
    region_field = "institution__region__code"


class InstitutionAccessQuerySet(ScopedQuerySet):
    region_field = "institution__region__code"


class CredentialQuerySet(ScopedQuerySet):
    region_field = "institution__region__code"


class AccessApplication(models.Model):
    """接入申请: an institution's request for access, or for more terminals."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="access_applications"
    )
    kind = models.CharField("申请类型", max_length=12, choices=ApplicationKind.choices)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    details = models.TextField("申请说明", max_length=2000, blank=True)
    contact_name = models.CharField("负责人", max_length=50)
    contact_phone = models.CharField("负责人电话", max_length=20)
    ip_ranges = models.JSONField("网络地址段", default=list)
    # [{"device_id": "...", "description": "..."}]
    terminals = models.JSONField("终端", default=list)
    scopes = models.JSONField("申请权限范围", default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("初审时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    reject_reason = models.CharField("驳回理由", max_length=500, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-submitted_at"], name="access_app_status_idx"),
            models.Index(fields=["institution", "-submitted_at"], name="access_app_inst_idx"),
        ]
        constraints = [
            # Four eyes, also in the database: nobody reviews or decides on what they
            # submitted, and nobody decides on what they reviewed.
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=models.F("submitted_by")),
                name="access_app_reviewer_not_submitter",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("submitted_by")),
                name="access_app_decider_not_submitter",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | Q(reviewed_by__isnull=True)
                | ~Q(decided_by=models.F("reviewed_by")),
                name="access_app_decider_not_reviewer",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.institution_id} #{self.pk}"


class InstitutionAccess(models.Model):
    """An institution's standing grant: status, scopes and approved network ranges."""

    institution = models.OneToOneField(
        Institution, on_delete=models.PROTECT, related_name="network_access"
    )
    status = models.CharField(
        "接入状态", max_length=10, choices=AccessStatus.choices, default=AccessStatus.ACTIVE
    )
    scopes = models.JSONField("权限范围", default=list)
    ip_ranges = models.JSONField("网络地址段", default=list)
    status_reason = models.CharField("状态变更理由", max_length=500, blank=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InstitutionAccessQuerySet.as_manager()

    class Meta:
        ordering = ["institution_id"]
        indexes = [models.Index(fields=["status"], name="access_status_idx")]

    def __str__(self):
        return f"{self.institution_id}:{self.status}"


class Terminal(models.Model):
    """A registered device; its identifier is unique across the county."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="terminals")
    device_id = models.CharField("终端标识", max_length=64, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=TerminalStatus.choices, default=TerminalStatus.ACTIVE
    )
    application = models.ForeignKey(
        AccessApplication, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution_id", "device_id"]

    def __str__(self):
        return self.device_id


class ClientCredential(models.Model):
    """A machine credential (SMART Backend Services style): a client_id and its keys."""

    client_id = models.CharField("客户端标识", max_length=64, unique=True)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="client_credentials"
    )
    status = models.CharField(
        "状态", max_length=10, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE
    )
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField("到期时间")
    rotated_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rotations"
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoke_reason = models.CharField("吊销理由", max_length=500, blank=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["institution_id", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="credential_expiry_idx"),
        ]

    def __str__(self):
        return self.client_id


class KeyAlg(models.TextChoices):
    ES256 = "ES256", "ES256"
    ES384 = "ES384", "ES384"
    RS384 = "RS384", "RS384"


class ClientKey(models.Model):
    """A registered public key (one JWK); validity windows overlap during rotation."""

    credential = models.ForeignKey(ClientCredential, on_delete=models.CASCADE, related_name="keys")
    kid = models.CharField("密钥标识", max_length=100)
    alg = models.CharField("算法", max_length=8, choices=KeyAlg.choices)
    jwk = models.JSONField("公钥（JWK）")
    thumbprint = models.CharField("指纹", max_length=64)
    not_before = models.DateTimeField("生效时间")
    not_after = models.DateTimeField("失效时间")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["credential_id", "not_before", "id"]
        indexes = [models.Index(fields=["not_after"], name="client_key_expiry_idx")]
        constraints = [
            models.UniqueConstraint(fields=["credential", "kid"], name="client_key_kid_once"),
            models.CheckConstraint(
                condition=Q(not_after__gt=models.F("not_before")), name="client_key_window"
            ),
        ]

    def __str__(self):
        return f"{self.credential_id}:{self.kid}"


class UsedAssertion(models.Model):
    """A client assertion's jti, kept until the assertion expires, so it is used once."""

    credential = models.ForeignKey(ClientCredential, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="used_assertion_expiry_idx")]
        constraints = [
            models.UniqueConstraint(fields=["credential", "jti"], name="used_assertion_jti_once")
        ]

    def __str__(self):
        return f"{self.credential_id}:{self.jti}"


class AccessToken(models.Model):
    """An issued bearer token. Only its SHA-256 is stored; the token itself is random."""

    token_hash = models.CharField(max_length=64, unique=True)
    credential = models.ForeignKey(ClientCredential, on_delete=models.CASCADE, related_name="+")
    access = models.ForeignKey(InstitutionAccess, on_delete=models.CASCADE, related_name="+")
    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="+")
    scopes = models.JSONField(default=list)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    source_ip = models.GenericIPAddressField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="access_token_expiry_idx")]

    def __str__(self):
        return f"token {self.token_hash[:8]}… ({self.access_id})"


class AccessEvent(models.Model):
    """One state change of an application, an access grant or a credential."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        AccessApplication, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    credential = models.ForeignKey(
        ClientCredential, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    action = models.CharField("操作", max_length=20)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    reason = models.CharField("理由", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["institution", "at"], name="access_event_inst_idx"),
            models.Index(fields=["application", "at"], name="access_event_app_idx"),
        ]

    def __str__(self):
        return f"{self.action} {self.from_status}→{self.to_status}"
