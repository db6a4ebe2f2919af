"""Health-record tables: the personal file, its forms, programmes, due services,
data-quality findings and the archive's registers.

Tables and constraints only. Every table carries `region_code` (the village the record
belongs to) so every query is bounded by a jurisdiction prefix (DESIGN.md §7). A form's
fields live in `Form.data` as the form's specification (huimin/records/forms/) declares
them; the columns beside it are what lists, due dates and quality rules query.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from huimin.policy.scope import RegionScopedQuerySet
from huimin.registry.models import Person


def measure(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=7, decimal_places=2, null=True, blank=True)


class RecordStatus(models.TextChoices):
    ACTIVE = "active", "在管"
    CLOSED = "closed", "已结案"  # death, emigration: read-only, kept for retention
    DESTROYED = "destroyed", "已销毁"  # content removed, register kept


class HealthRecord(models.Model):
    """个人健康档案: one per person; the file every form belongs to."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="health_record")
    # 17 digits: the village's 12-digit statistical code and a 5-digit serial (规范 档案编号).
    number = models.CharField("档案编号", max_length=17, unique=True)
    region_code = models.CharField("所属村（居）", max_length=12)
    responsible_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任医生",
    )
    status = models.CharField(
        "档案状态", max_length=12, choices=RecordStatus.choices, default=RecordStatus.ACTIVE
    )
    opened_on = models.DateField("建档日期")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField("结案日期", null=True, blank=True)
    close_reason = models.CharField("结案原因", max_length=20, blank=True)
    # The newest visit, service or form: a record used in the last 12 months is 动态使用.
    last_activity_on = models.DateField("最近使用日期", null=True, blank=True)
    # Set by the data-quality run: 合格 means no open blocking finding.
    qualified = models.BooleanField("合格", default=False)
    quality_checked_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every change a quality rule can see; the incremental run takes records
    # whose change is newer than their last check.
    changed_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_code", "number"]
        indexes = [
            models.Index(fields=["region_code", "number"], name="record_region_idx"),
            models.Index(fields=["responsible_doctor", "region_code"], name="record_doctor_idx"),
            models.Index(fields=["changed_at"], name="record_changed_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def read_only(self) -> bool:
        return self.status != RecordStatus.ACTIVE


class FormKind(models.TextChoices):
    PERSONAL_INFO = "personal_info", "个人基本信息表"
    HEALTH_CHECK = "health_check", "健康体检表"
    HTN_FOLLOWUP = "htn_followup", "高血压患者随访服务记录表"
    DM_FOLLOWUP = "dm_followup", "2型糖尿病患者随访服务记录表"
    NEWBORN_VISIT = "newborn_visit", "新生儿家庭访视记录表"
    CHILD_CHECK = "child_check", "儿童健康检查记录表"
    PRENATAL_FIRST = "prenatal_first", "第1次产前检查服务记录表"
    PRENATAL_FOLLOWUP = "prenatal_followup", "第2~5次产前随访服务记录表"
    POSTPARTUM_VISIT = "postpartum_visit", "产后访视记录表"
    POSTPARTUM_42 = "postpartum_42", "产后42天健康检查记录表"
    ELDERLY_SELFCARE = "elderly_selfcare", "老年人生活自理能力评估表"
    SMI_INFO = "smi_info", "严重精神障碍患者个人信息补充表"
    SMI_FOLLOWUP = "smi_followup", "严重精神障碍患者随访服务记录表"
    IMMUNISATION = "immunisation", "预防接种记录"
    TCM_ELDERLY = "tcm_elderly", "老年人中医药健康管理服务记录表"
    TCM_CHILD = "tcm_child", "儿童中医药健康管理服务记录表"
    INFECTIOUS_REPORT = "infectious_report", "传染病报告卡"
    HEALTH_EDUCATION = "health_education", "健康教育活动记录表"
    HEALTH_SUPERVISION = "health_supervision", "卫生监督协管信息报告登记表"
    TB_FIRST_VISIT = "tb_first_visit", "肺结核患者第一次入户随访记录表"
    TB_FOLLOWUP = "tb_followup", "肺结核患者随访服务记录表"


class FormStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SIGNED = "signed", "已签名"
    AMENDED = "amended", "已更正"  # a signed form replaced by its amendment; kept as it was


class FormQuerySet(RegionScopedQuerySet):
    def current(self):
        """Forms in force: drafts and signed forms, not those an amendment replaced."""
        return self.exclude(status=FormStatus.AMENDED)


class Form(models.Model):
    """One filled form of the national specification (third edition).

    Drafts may be saved with problems; signing validates fully and fixes the form. A
    signed form is never edited: a correction is a new form that `amends` it, and the
    original turns AMENDED and stays readable.
    """

    kind = models.CharField("表单", max_length=30, choices=FormKind.choices)
    record = models.ForeignKey(
        HealthRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="forms"
    )
    # Null only for activity logs (health education, supervision) that belong to no one.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="health_forms"
    )
    region_code = models.CharField("所属村（居）", max_length=12)
    service_date = models.DateField("服务日期", null=True, blank=True)
    data = models.JSONField("表单内容", default=dict)
    status = models.CharField(
        "状态", max_length=12, choices=FormStatus.choices, default=FormStatus.DRAFT
    )
    # The programme episode (a pregnancy, a registration) a management form belongs to.
    programme = models.ForeignKey(
        "Programme", on_delete=models.PROTECT, null=True, blank=True, related_name="forms"
    )
    # A follow-up recorded from an insured visit (visit linkage).
    visit = models.ForeignKey(
        "insurance.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amends = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendment"
    )
    amend_reason = models.CharField("更正原因", max_length=200, blank=True)
    next_due_date = models.DateField("下次随访日期", null=True, blank=True)
    # Measurements lifted out of `data` for consistency and outlier rules.
    height_cm = measure("身高(cm)")
    weight_kg = measure("体重(kg)")
    waist_cm = measure("腰围(cm)")
    systolic = models.PositiveSmallIntegerField("收缩压", null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField("舒张压", null=True, blank=True)
    fasting_glucose = measure("空腹血糖(mmol/L)")
    doctor_name = models.CharField("医生签名", max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = FormQuerySet.as_manager()

    class Meta:
        ordering = ["-service_date", "-id"]
        indexes = [
            models.Index(fields=["person", "kind", "service_date"], name="form_person_idx"),
            models.Index(fields=["region_code", "kind", "service_date"], name="form_region_idx"),
            models.Index(fields=["record", "status"], name="form_record_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.service_date or ''}"


class ProgrammeKind(models.TextChoices):
    HYPERTENSION = "hypertension", "高血压患者健康管理"
    DIABETES = "diabetes", "2型糖尿病患者健康管理"
    SMI = "smi", "严重精神障碍患者管理"
    PREGNANCY = "pregnancy", "孕产妇健康管理"
    CHILD = "child", "0～6岁儿童健康管理"
    ELDERLY = "elderly", "65岁及以上老年人健康管理"
    TB = "tb", "肺结核患者健康管理"


class Programme(models.Model):
    """A person's registration in a managed service: a diagnosis registered for
    follow-up, a pregnancy, a child's or an elder's yearly care."""

    record = models.ForeignKey(HealthRecord, on_delete=models.PROTECT, related_name="programmes")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("所属村（居）", max_length=12)
    kind = models.CharField("管理项目", max_length=20, choices=ProgrammeKind.choices)
    registered_on = models.DateField("纳入管理日期")
    ended_on = models.DateField("结束管理日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=50, blank=True)
    # Per-kind facts the schedule needs: last menstrual period for a pregnancy, etc.
    details = models.JSONField("登记信息", default=dict, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_on", "-id"]
        indexes = [
            models.Index(fields=["region_code", "kind"], name="programme_region_idx"),
            models.Index(fields=["person", "kind"], name="programme_person_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(ended_on__isnull=True) & ~Q(kind="pregnancy"),
                name="programme_open_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.registered_on}"


class DueService(models.Model):
    """A service a person is due for: one row per (person, service, occasion), kept up
    to date by the schedule rules whenever the person's forms or programmes change, so
    a due list is one indexed range read."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="due")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField("所属村（居）", max_length=12)
    # The record's responsible doctor, copied here so a doctor's list needs no join.
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    service = models.CharField("服务", max_length=30)
    # Which occasion: "2026Q3", "HepB-2", "antenatal-3", "month-6"…
    occasion = models.CharField("服务时点", max_length=30)
    label = models.CharField("说明", max_length=100)
    due_on = models.DateField("应服务日期")
    overdue_on = models.DateField("逾期日期")

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["overdue_on", "due_on", "id"]
        indexes = [
            models.Index(fields=["region_code", "overdue_on"], name="due_region_idx"),
            models.Index(fields=["doctor", "overdue_on"], name="due_doctor_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "service", "occasion"], name="due_once_per_occasion"
            ),
        ]

    def __str__(self):
        return f"{self.label} {self.due_on}"


class Severity(models.TextChoices):
    BLOCKING = "blocking", "阻断"  # the record is not 合格 while it is open
    WARNING = "warning", "警告"
    REVIEW = "review", "待核实"  # an outlier: confirm or correct


class FindingStatus(models.TextChoices):
    OPEN = "open", "待处理"
    RESOLVED = "resolved", "已纠正"
    CONFIRMED = "confirmed", "已核实无误"


class Finding(models.Model):
    """A data-quality finding: one rule broken by one record (or form), with the person
    who should fix it."""

    record = models.ForeignKey(HealthRecord, on_delete=models.CASCADE, related_name="findings")
    form = models.ForeignKey(
        Form, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    region_code = models.CharField("所属村（居）", max_length=12)
    rule = models.CharField("规则", max_length=40)
    severity = models.CharField("级别", max_length=10, choices=Severity.choices)
    field = models.CharField("字段", max_length=60, blank=True)
    message = models.CharField("说明", max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="整改人",
    )
    status = models.CharField(
        "状态", max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    detected_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField("处理说明", max_length=200, blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_code", "-id"]
        indexes = [
            models.Index(fields=["region_code", "status", "severity"], name="finding_region_idx"),
            models.Index(fields=["record", "status"], name="finding_record_idx"),
        ]

    def __str__(self):
        return f"{self.rule}: {self.message}"


class RecordTransfer(models.Model):
    """档案迁移: a record moved to another village; the old area keeps this trace."""

    record = models.ForeignKey(HealthRecord, on_delete=models.PROTECT, related_name="transfers")
    from_region_code = models.CharField("迁出村（居）", max_length=12)
    to_region_code = models.CharField("迁入村（居）", max_length=12)
    region_code = models.CharField("迁出地", max_length=12)  # scoping: the old area
    transferred_on = models.DateField("迁移日期")
    reason = models.CharField("原因", max_length=200)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-transferred_on", "-id"]
        indexes = [models.Index(fields=["region_code", "transferred_on"], name="transfer_idx")]

    def __str__(self):
        return f"{self.from_region_code} → {self.to_region_code}"


class DestructionStatus(models.TextChoices):
    REQUESTED = "requested", "待审批"
    FIRST_APPROVED = "first_approved", "已初审"
    DESTROYED = "destroyed", "已销毁"
    REFUSED = "refused", "已驳回"


class Destruction(models.Model):
    """档案销毁登记: requested after appraisal, approved by two different people, then
    carried out; the row is the destruction register and is never deleted."""

    record = models.ForeignKey(HealthRecord, on_delete=models.PROTECT, related_name="destructions")
    region_code = models.CharField("所属村（居）", max_length=12)
    record_number = models.CharField("档案编号", max_length=17)
    person_name_masked = models.CharField("姓名", max_length=50)
    basis = models.CharField("鉴定依据", max_length=200)
    form_count = models.PositiveIntegerField("表单份数", default=0)
    status = models.CharField(
        "状态",
        max_length=20,
        choices=DestructionStatus.choices,
        default=DestructionStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    first_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_approved_at = models.DateTimeField(null=True, blank=True)
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    destroyed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["region_code", "status"], name="destruction_idx")]

    def __str__(self):
        return f"{self.record_number} {self.get_status_display()}"


class FormCheck(models.Model):
    """The quality run's memory of a form's last check against its specification:
    `key` hashes the form's data, the person's facts and the spec sources, so an
    unchanged form is not cleaned again on the next county-wide run (quality.py)."""

    form = models.OneToOneField(Form, on_delete=models.CASCADE, primary_key=True, related_name="+")
    key = models.CharField(max_length=32)
    checked_on = models.DateField()
    problems = models.JSONField(default=list)  # [field, code, message] from clean()

    def __str__(self):
        return f"form {self.form_id} checked {self.checked_on}"


class QualityStats(models.Model):
    """Outlier group statistics of one county, computed once a day (quality.py)."""

    county = models.CharField(max_length=6)
    day = models.DateField()
    min_group = models.PositiveIntegerField()
    covers = models.PositiveIntegerField()  # the sample target it satisfies
    stats = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["county", "day", "min_group"], name="quality_stats_unique"
            )
        ]

    def __str__(self):
        return f"{self.county} {self.day}"
