"""The indicator aggregates: one row per indicator × region (or institution) × period.

Tables only. Rows are written by `huimin indicators rebuild` (aggregates.py), never by
a page; dashboards and `figures.figure` read them so a page view never scans the
records. The domain tables stay the truth: a rebuild recomputes every row from them.
"""

from django.db import models

from huimin.policy.scope import RegionScopedQuerySet


class IndicatorFigure(models.Model):
    indicator = models.CharField("指标", max_length=60)
    # A county, township or village code; institution rows carry the institution's own
    # region and its id.
    region_code = models.CharField("区划", max_length=12)
    # 0 for a region's row; an institution's id for its row (no NULL: unique works).
    institution_id = models.BigIntegerField("机构", default=0)
    period_start = models.DateField("起始日期")
    period_end = models.DateField("截止日期")
    numerator = models.DecimalField("分子", max_digits=18, decimal_places=2)
    denominator = models.DecimalField("分母", max_digits=18, decimal_places=2)
    computed_at = models.DateTimeField("计算时间")

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "region_code", "period_start"]
        indexes = [
            models.Index(
                fields=["period_start", "period_end", "region_code"], name="figure_period_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region_code", "institution_id", "period_start", "period_end"],
                name="figure_once",
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.region_code} {self.period_start}"


class RebuildRun(models.Model):
    """One run of `huimin indicators rebuild`: what it covered and when it finished."""

    region_code = models.CharField("区划", max_length=12)
    period_label = models.CharField("期间", max_length=20, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.region_code} {self.period_label} {self.started_at:%Y-%m-%d %H:%M}"
