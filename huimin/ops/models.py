"""Ops tables: the network administrators' duty log (值班日志).

Tables and constraints only; rules in rules.py, use cases in services.py. The log is
append-only: a correction is a new entry that names the entry it corrects, and an
incident is closed by an "action taken" entry that resolves it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from huimin.core.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from huimin.policy.scope import ScopedQuerySet


class Shift(models.TextChoices):
    DAY = "day", "白班"
    NIGHT = "night", "夜班"


class DutyKind(models.TextChoices):
    ROUTINE = "routine", "例行检查"
    INCIDENT = "incident", "事件"
    ACTION = "action", "处置措施"
    HANDOVER = "handover", "交接班"


class IncidentSeverity(models.TextChoices):
    # The four grades of network-security incidents (一般/较大/重大/特别重大).
    GENERAL = "general", "一般"
    LARGE = "large", "较大"
    MAJOR = "major", "重大"
    CRITICAL = "critical", "特别重大"


DUTY_CHANGE_REFUSED = "值班日志只能追加，更正请新增一条更正记录"
DUTY_DELETE_REFUSED = "值班日志只能追加，不能删除"


class DutyEntryQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    # The author's jurisdiction when the entry was written bounds who reads it.
    region_field = "region_code"
    change_refused = DUTY_CHANGE_REFUSED
    delete_refused = DUTY_DELETE_REFUSED


class DutyEntry(AppendOnlyModel):
    change_refused = DUTY_CHANGE_REFUSED
    delete_refused = DUTY_DELETE_REFUSED

    shift_date = models.DateField("值班日期")
    shift = models.CharField("班次", max_length=5, choices=Shift.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="duty_entries",
        verbose_name="记录人",
    )
    region_code = models.CharField("辖区", max_length=12, blank=True, default="")
    kind = models.CharField("类型", max_length=10, choices=DutyKind.choices)
    text = models.TextField("内容")
    severity = models.CharField(
        "事件级别", max_length=10, choices=IncidentSeverity.choices, blank=True, default=""
    )
    related_alert_id = models.PositiveBigIntegerField("关联告警编号", null=True, blank=True)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name="更正的记录",
    )
    resolves = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolutions",
        verbose_name="处置完毕的事件",
    )
    # What a handover passed on: the incidents still open when it was written.
    handed_over = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="handovers", verbose_name="移交事件"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = DutyEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "值班日志"
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["region_code", "id"],
                name="duty_region_idx",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(fields=["shift_date", "id"], name="duty_date_idx"),
            models.Index(fields=["kind", "id"], name="duty_kind_idx"),
            models.Index(fields=["author", "id"], name="duty_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="incident") & ~Q(severity=""))
                | (~Q(kind="incident") & Q(severity="")),
                name="duty_severity_iff_incident",
            ),
            models.CheckConstraint(
                condition=Q(resolves__isnull=True) | Q(kind="action"),
                name="duty_only_actions_resolve",
            ),
        ]

    def __str__(self):
        return f"{self.shift_date} {self.get_shift_display()} {self.get_kind_display()} #{self.pk}"
