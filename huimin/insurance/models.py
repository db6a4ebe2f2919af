"""Insurance tables: plans, catalog, enrollment, visits, settlements, accumulators, ledger.

Tables and constraints only. Every large table carries `region_code` (the person's
village code, or the institution's region for institution-level rows) so queries are
bounded by jurisdiction (DESIGN.md §7). Money columns are DecimalField(14, 2).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from huimin.core.models import DocumentStatus, FourEyesDocument, four_eyes_constraints
from huimin.insurance.catalog.rules import restriction_names
from huimin.insurance.plan import STANDARD_VISIT_TYPE_NAMES
from huimin.policy.scope import InstitutionRowsQuerySet, RegionScopedQuerySet
from huimin.registry.models import Institution, Person


def money(verbose_name: str, **kw) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kw)


# ---------------------------------------------------------------- plans


# Plans share their life cycle with review rule sets (core.FourEyesDocument).
PlanStatus = DocumentStatus


class BenefitPlan(FourEyesDocument):
    """A region's plan for a year: the YAML document of DESIGN.md §5, as uploaded."""

    name = models.CharField("方案名称", max_length=100)
    document = models.TextField("方案YAML")

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_code", "-year", "-id"]
        # Four eyes: the uploader never activates their own plan.
        constraints = four_eyes_constraints(
            "one_active_plan_per_region_year", "plan_activated_by_another"
        )


# ---------------------------------------------------------------- accumulators


class Accumulator(models.Model):
    """A person's year-to-date totals: locked with select_for_update while settling."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="accumulators")
    year = models.PositiveSmallIntegerField("年度")
    region_code = models.CharField("区划", max_length=12)
    basic_paid = money("基本医保累计", default=0)
    basic_paid_by_type = models.JSONField("按就诊类型累计", default=dict)
    deductible_paid_by_type = models.JSONField("按类型起付线累计", default=dict)
    ci_base = money("大病累计自付", default=0)
    ci_paid = money("大病保险累计", default=0)
    assistance_paid = money("医疗救助累计", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="one_accumulator_per_year"),
            models.CheckConstraint(
                condition=Q(basic_paid__gte=0)
                & Q(ci_base__gte=0)
                & Q(ci_paid__gte=0)
                & Q(assistance_paid__gte=0),
                name="accumulators_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.person_id}/{self.year}"


# ---------------------------------------------------------------- visits


class VisitType(models.TextChoices):
    INPATIENT = "inpatient", STANDARD_VISIT_TYPE_NAMES["inpatient"]
    OUTPATIENT_GENERAL = "outpatient_general", STANDARD_VISIT_TYPE_NAMES["outpatient_general"]
    OUTPATIENT_CHRONIC = "outpatient_chronic", STANDARD_VISIT_TYPE_NAMES["outpatient_chronic"]


class VisitStatus(models.TextChoices):
    OPEN = "open", "就诊中"
    DISCHARGED = "discharged", "已出院"
    SETTLED = "settled", "已结算"
    CANCELLED = "cancelled", "已撤销"


class Visit(models.Model):
    """An outpatient registration (2201) or an inpatient admission (2401)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="visits")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="visits")
    region_code = models.CharField("参保人区划", max_length=12)
    visit_type = models.CharField("就诊类型", max_length=30)
    institution_level = models.CharField("机构等级", max_length=12)
    person_category = models.CharField("人员类别", max_length=20, default="ordinary")
    his_visit_no = models.CharField("机构就诊流水号", max_length=40)
    visit_date = models.DateField("就诊（入院）日期")
    discharge_date = models.DateField("出院日期", null=True, blank=True)
    diagnosis_code = models.CharField("诊断编码", max_length=20, blank=True)
    diagnosis_name = models.CharField("诊断名称", max_length=100, blank=True)
    # The attending doctor's code as the HIS sends it; per-doctor risk scores read it.
    doctor_code = models.CharField("医师编码", max_length=40, blank=True, default="", db_default="")
    status = models.CharField(
        "状态", max_length=12, choices=VisitStatus.choices, default=VisitStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstitutionRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-visit_date", "-id"]
        indexes = [
            models.Index(fields=["institution", "visit_date"], name="visit_institution_idx"),
            models.Index(fields=["person", "visit_date"], name="visit_person_idx"),
            models.Index(fields=["region_code", "visit_date"], name="visit_region_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "his_visit_no"], name="visit_no_once_per_institution"
            ),
        ]

    def __str__(self):
        return f"{self.institution_id}/{self.his_visit_no}"


class FeeDetail(models.Model):
    """One uploaded fee line (2204/2301), priced against the catalog version in force."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="fees")
    line_no = models.PositiveIntegerField("序号")
    code = models.CharField("医保目录编码", max_length=40)
    local_code = models.CharField("机构项目编码", max_length=40, blank=True)
    name = models.CharField("名称", max_length=200)
    item_class = models.CharField("类别", max_length=1)
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=4)
    unit_price = models.DecimalField("单价", max_digits=14, decimal_places=4)
    ceiling = models.DecimalField(
        "最高支付标准", max_digits=14, decimal_places=4, null=True, blank=True
    )
    b_self_ratio = models.DecimalField(
        "乙类自付比例", max_digits=5, decimal_places=4, null=True, blank=True
    )
    fee_date = models.DateField("费用日期")
    override_reason = models.CharField("违反限制的理由", max_length=200, blank=True)
    # Which restrictions the line broke when it went through on that reason (catalog
    # rule codes, comma-separated): what a reviewer checks the reason against.
    overridden = models.CharField("越限类型", max_length=120, blank=True, default="", db_default="")
    cancelled = models.BooleanField("已撤销", default=False)

    class Meta:
        ordering = ["visit_id", "line_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "line_no"], condition=Q(cancelled=False), name="fee_line_once"
            )
        ]

    def __str__(self):
        return f"{self.visit_id}#{self.line_no} {self.code}"

    @property
    def overridden_names(self) -> str:
        return restriction_names(self.overridden)


# ---------------------------------------------------------------- settlements


class SettlementKind(models.TextChoices):
    SETTLE = "settle", "结算"
    REVERSAL = "reversal", "冲正"


class Settlement(models.Model):
    """The result of settling a visit (2207/2304), or its compensating reversal (2208/2305).

    A reversal carries the same amounts negated, so sums over settlements are net.
    """

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="settlements")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="settlements")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="settlements"
    )
    region_code = models.CharField("参保人区划", max_length=12)
    plan = models.ForeignKey(BenefitPlan, on_delete=models.PROTECT, related_name="settlements")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类型", max_length=10, choices=SettlementKind.choices)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    visit_type = models.CharField("就诊类型", max_length=30)
    person_category = models.CharField("人员类别", max_length=20)
    total = money("医疗费总额")
    self_pay = money("自费")
    b_self_pay = money("乙类先行自付")
    eligible = money("政策范围内费用")
    deductible = money("起付线")
    basic_fund = money("基本医保统筹支付")
    critical_illness = money("大病保险支付")
    assistance = money("医疗救助支付")
    patient_pay = money("个人现金支付")
    # The engine's answer as the API shows it (amounts, lines, ytd_after); a reversal's
    # holds its reason and the settlement it reverses.
    result = models.JSONField("结算明细")
    # What the service needs back from a settlement, kept apart from what it shows: the
    # change to the year's accumulators (a reversal undoes exactly this), the FeeDetail
    # ids the lines priced (in the lines' order), and the review findings returned with
    # it (a retry with the same key answers them again).
    ytd_delta = models.JSONField("累计变动", default=dict, blank=True)
    fee_line_ids = models.JSONField("费用明细ID", default=list, blank=True)
    review_findings = models.JSONField("审核提示", default=list, blank=True)
    idempotency_key = models.CharField("幂等键", max_length=80)
    request_hash = models.CharField("请求摘要", max_length=64)
    settled_at = models.DateTimeField("结算时间", auto_now_add=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    terminal = models.CharField("终端", max_length=64, blank=True)
    verification_code = models.CharField("验证码", max_length=16)
    clearing_batch_id = models.BigIntegerField("清算批次", null=True, blank=True)
    # Set on a settlement when its reversal is written; the visit may then be settled again.
    reversed_at = models.DateTimeField("冲正时间", null=True, blank=True)

    objects = InstitutionRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-settled_at", "-id"]
        indexes = [
            models.Index(fields=["institution", "settled_at"], name="settlement_inst_idx"),
            models.Index(fields=["region_code", "settled_at"], name="settlement_region_idx"),
            models.Index(fields=["person", "year"], name="settlement_person_idx"),
            models.Index(fields=["verification_code"], name="settlement_verify_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "idempotency_key"], name="settlement_idempotent"
            ),
            # A visit is settled once while that settlement stands.
            models.UniqueConstraint(
                fields=["visit"],
                condition=Q(kind="settle", reversed_at__isnull=True),
                name="visit_settled_once",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.pk} visit {self.visit_id}"


# ---------------------------------------------------------------- reconciliation and clearing


class ReconciliationKind(models.TextChoices):
    TOTALS = "totals", "总额对账（3201）"
    DETAILS = "details", "明细对账（3202）"


class Reconciliation(models.Model):
    """An institution's submitted day (totals or details) and what Huimin found."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="reconciliations"
    )
    region_code = models.CharField("机构区划", max_length=12)
    day = models.DateField("对账日期")
    kind = models.CharField("类型", max_length=10, choices=ReconciliationKind.choices)
    submitted = models.JSONField("机构报送")
    result = models.JSONField("对账结果")
    matched = models.BooleanField("一致")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstitutionRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["institution", "day"], name="recon_inst_idx")]

    def __str__(self):
        return f"{self.institution_id} {self.day} {self.kind}"


class ClearingStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    APPROVED = "approved", "已审核"
    CONFIRMED = "confirmed", "已复核拨付"
    CANCELLED = "cancelled", "已作废"


class ClearingBatch(models.Model):
    """A month's clearing for one institution: settled minus reversed, four eyes."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="clearing_batches"
    )
    region_code = models.CharField("统筹区", max_length=12)
    month = models.CharField("清算月份", max_length=7)  # YYYY-MM
    status = models.CharField(
        "状态", max_length=10, choices=ClearingStatus.choices, default=ClearingStatus.DRAFT
    )
    settlement_count = models.PositiveIntegerField("结算笔数", default=0)
    total = money("医疗费总额", default=0)
    basic_fund = money("基本医保", default=0)
    critical_illness = money("大病保险", default=0)
    assistance = money("医疗救助", default=0)
    amount_payable = money("应拨付金额", default=0)  # the month's own net; negative: owed
    # Fixed at confirmation. A negative net is not paid back at once: it stays owed on
    # 2101 and is deducted from the institution's next months (services/clearing.py).
    carried_in = money("抵扣以前月份结转", default=0)  # <= 0
    amount_paid = money("实际拨付金额", default=0)  # >= 0
    carried_out = money("结转以后月份抵扣", default=0)  # <= 0
    ledgers = models.JSONField("分账本清算", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField("拨付批次号", max_length=40, blank=True)

    objects = InstitutionRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "institution_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "month"],
                condition=~Q(status="cancelled"),
                name="one_clearing_per_institution_month",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("approved_by")),
                name="clearing_confirmed_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.institution_id} {self.month}"
