"""Assessment tables: the scheme per year (four eyes), and published results, frozen.

A result is computed once into rows (`RegionScore`) and never recomputed: the page, the
xlsx, the PDF and the fund ledger read these rows. Scoring again makes a new version;
publishing it (by a second assessor) supersedes the previous one, which is kept.
"""

from django.conf import settings
from django.db import models

from huimin.core.models import FourEyesDocument, four_eyes_constraints
from huimin.policy.scope import RegionScopedQuerySet


class AssessmentScheme(FourEyesDocument):
    name = models.CharField("考核方案名称", max_length=100)
    document = models.TextField("考核方案YAML")

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "region_code", "-uploaded_at"]
        constraints = four_eyes_constraints(
            "one_active_assessment_scheme", "assessment_scheme_activated_by_another"
        )


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "待发布"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被新版本取代"


class Publication(models.Model):
    """One scoring of a county for a year: a version. Scored by one assessor, published
    by another."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("县", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveIntegerField("版本")
    status = models.CharField(
        max_length=12, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scored_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "region_code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "year", "version"], name="assessment_version_once"
            ),
            models.UniqueConstraint(
                fields=["region_code", "year"],
                condition=models.Q(status="published"),
                name="one_published_assessment",
            ),
            models.CheckConstraint(
                condition=models.Q(published_by__isnull=True)
                | ~models.Q(published_by=models.F("scored_by")),
                name="assessment_published_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.region_code} {self.year} v{self.version}"


class RegionScore(models.Model):
    """A township's or a village's frozen score and money in one publication."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="scores")
    region_code = models.CharField("区划", max_length=12)
    parent_code = models.CharField("上级区划", max_length=12)
    name = models.CharField("名称", max_length=100)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    earned = models.DecimalField("指标得分", max_digits=6, decimal_places=2)
    deducted = models.DecimalField("扣分", max_digits=6, decimal_places=2)
    tier_label = models.CharField("拨付档次", max_length=30)
    tier_ratio = models.DecimalField("拨付比例", max_digits=5, decimal_places=4)
    # The lines: how every point was earned and lost (strings of Decimals).
    lines = models.JSONField(default=list)
    population = models.DecimalField("常住人口", max_digits=12, decimal_places=0, default=0)
    # A township: its funds. A village: its clinic's workload, pass rate and share.
    funds_full = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    funds_allocated = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    village_pool = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    retained = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    workload = models.DecimalField("工作量分值", max_digits=12, decimal_places=2, default=0)
    workload_by_kind = models.JSONField(default=dict)
    pass_rate = models.DecimalField("质控合格率", max_digits=5, decimal_places=4, null=True)
    clinic_amount = models.DecimalField("村卫生室经费", max_digits=14, decimal_places=2, default=0)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["publication", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "region_code"], name="region_score_once")
        ]

    def __str__(self):
        return f"{self.name} {self.score}"

    @property
    def level(self) -> str:
        return "village" if len(self.region_code) == 12 else "township"
