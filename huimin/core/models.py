"""Tables of the bottom layer: only what has no domain (rate-limit counters)."""

from django.db import models


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
