"""Core's tables, domain-free (core knows no app): the idempotency record of every write
a client may retry, the rate-limit counters, and the index of stored documents.

For idempotency, a scope names whose key space a key belongs to (an
institution, the township agencies' cash desk), the operation names what it did, and the
answer is whatever the calling service needs to hand the first result back. See
huimin/core/idempotency.py for the rules.
"""

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """One request answered once: written in the same transaction as what it did."""

    scope = models.CharField("幂等范围", max_length=40)
    key = models.CharField("幂等键", max_length=64)
    operation = models.CharField("操作", max_length=40)
    request_hash = models.CharField("请求摘要", max_length=64)
    answer = models.JSONField("首次结果", default=dict)
    # Every large table carries the region it belongs to (DESIGN.md §7): the
    # institution's, or the pooling region's for a payment.
    region_code = models.CharField("区划", max_length=12, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once"),
        ]
        indexes = [
            models.Index(fields=["region_code", "created_at"], name="idempotency_region_idx")
        ]

    def __str__(self):
        return f"{self.scope} {self.key} {self.operation}"


class RateCounter(models.Model):
    """One fixed window of one limit for one subject (account, credential, address).

    In the database because every gunicorn worker must agree on the count, and a county's
    private network runs no shared cache; the per-process cache would let N workers allow
    N times the limit."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "限流计数"

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class StoredDocument(models.Model):
    """One uploaded file (appeal evidence, a mediation case's documents).

    The bytes live outside the database under HUIMIN_DOCUMENT_ROOT, named by their SHA-256
    (huimin/core/documents.py): backups of the database stay small, and two uploads of the
    same file share one copy. The owner is named by strings, since core knows no app."""

    filename = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    purpose = models.CharField("用途", max_length=40)
    owner_type = models.CharField("所属对象类型", max_length=40)
    owner_id = models.CharField("所属对象编号", max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "文档"
        indexes = [
            models.Index(
                fields=["owner_type", "owner_id", "uploaded_at"], name="document_owner_idx"
            ),
            models.Index(fields=["sha256"], name="document_sha256_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.owner_type} {self.owner_id})"


class DocumentStatus(models.TextChoices):
    """Where a document activated with four eyes stands (benefit plans, review rule sets)."""

    DRAFT = "draft", "待启用"
    ACTIVE = "active", "生效"
    SUPERSEDED = "superseded", "已替换"
    REJECTED = "rejected", "已退回"


class FourEyesDocument(models.Model):
    """A region's governing document for a year, as uploaded (a benefit plan, a review
    rule set): one person uploads it, a second activates it, which supersedes the one in
    force for that region and year. Subclasses name `name` and `document` in their own
    words and declare `four_eyes_constraints(...)` in their Meta."""

    region_code = models.CharField("统筹区", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField(
        "状态", max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.name}（{self.region_code} {self.year}）"


def four_eyes_constraints(one_active: str, activated_by_another: str) -> list:
    """What the table itself holds to: one active document per region and year, and the
    uploader never its activator. Named per table (the names are in the migrations)."""
    return [
        models.UniqueConstraint(
            fields=["region_code", "year"],
            condition=models.Q(status="active"),
            name=one_active,
        ),
        models.CheckConstraint(
            condition=models.Q(activated_by__isnull=True)
            | ~models.Q(activated_by=models.F("uploaded_by")),
            name=activated_by_another,
        ),
    ]
