"""Core's tables, domain-free (core knows no app): the idempotency record of every write
a client may retry, and the rate-limit counters.

For idempotency, a scope names whose key space a key belongs to (an
institution, the township agencies' cash desk), the operation names what it did, and the
answer is whatever the calling service needs to hand the first result back. See
huimin/core/idempotency.py for the rules.
"""

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
