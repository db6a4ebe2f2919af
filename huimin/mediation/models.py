"""Dispute mediation tables: the case and one record per step it went through.

A case's `status` is the step it waits for (rules.STEPS) or closed; `step_due` is that
step's deadline, kept on the case so the overdue list and the nightly check are one
indexed range. Documents are core StoredDocuments owned by ("mediation.case", id).
"""

from django.conf import settings
from django.db import models

from huimin.insurance.models import Settlement
from huimin.mediation import rules
from huimin.policy.scope import InstitutionRowsQuerySet
from huimin.registry.models import Institution, Person

STATUS_CHOICES = list(rules.STATUS_LABELS.items())
STEP_CHOICES = list(rules.STEPS)
OWNER_TYPE = "mediation.case"


class MediationCase(models.Model):
    number = models.CharField("案件编号", max_length=20, unique=True)
    # The resident when they are in the registry; a free-text applicant (a relative, an
    # agent, someone from outside the county) otherwise or beside them.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applicant_name = models.CharField("申请人", max_length=50, blank=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField("纠纷概要")
    claimed_amount = models.DecimalField("申请赔偿金额", max_digits=12, decimal_places=2)
    status = models.CharField("当前步骤", max_length=20, choices=STATUS_CHOICES)
    step_due = models.DateField("本步骤期限", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("立案时间", auto_now_add=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    close_reason = models.TextField("结案说明", blank=True)
    # The institution's region: the mediation is the county's where the dispute arose.
    region_code = models.CharField("区划", max_length=12)

    objects = InstitutionRowsQuerySet.as_manager()

    class Meta:
        verbose_name = "医疗纠纷调解案件"
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "id"], name="mediation_region_idx"),
            models.Index(fields=["status", "step_due"], name="mediation_due_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def applicant(self) -> str:
        if self.person_id and self.applicant_name and self.applicant_name != self.person.name:
            return f"{self.person.name}（申请人：{self.applicant_name}）"
        return self.person.name if self.person_id else self.applicant_name

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS.get(self.status, self.status)


class CaseStep(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField("步骤", max_length=20, choices=STEP_CHOICES)
    result = models.CharField("结果", max_length=20, default="done")
    note = models.TextField("说明", blank=True)
    responsibility = models.CharField(
        "责任程度", max_length=10, blank=True, choices=rules.RESPONSIBILITY_DEGREES
    )
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2, null=True, blank=True)
    reference = models.CharField("编号", max_length=60, blank=True)
    deadline = models.DateField("期限", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField("办理时间", auto_now_add=True)

    class Meta:
        verbose_name = "调解步骤"
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="mediation_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step}"

    @property
    def label(self) -> str:
        if self.step == rules.AGREEMENT and self.result == "failed":
            return "调解不成"
        return rules.STEP_LABELS.get(self.step, self.step)

    @property
    def result_label(self) -> str:
        return rules.RESULT_LABELS.get(self.result, self.result)
