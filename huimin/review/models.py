"""Claim-review tables: rule sets as activated, findings, batch runs, risk scores, and
the reviewers' decisions, recoveries and institutions' appeals (DESIGN.md §2, issue 14).

Tables and constraints only; the rules are pure (rules/, engine.py) and the use cases
live in services. A finding is an indication for a reviewer, never a verdict: its
status records what a reviewer made of it. Findings carry the region code of the
person (claim rules) or of the institution (pattern rules) and the institution, so
`visible_to` scopes them for officers, township staff and institutions alike.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from huimin.core.models import DocumentStatus, FourEyesDocument, four_eyes_constraints
from huimin.insurance.models import Settlement, Visit
from huimin.policy.scope import InstitutionRowsQuerySet, RegionScopedQuerySet
from huimin.registry.models import Institution, Person


def money(verbose_name: str, **kw) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kw)


# ---------------------------------------------------------------- rule sets


RuleSetStatus = DocumentStatus


class ReviewRuleSet(FourEyesDocument):
    """A region's rule set for a year: the YAML document of docs/review.md, as uploaded.

    Activated like the benefit plan: by a second officer, never the uploader; one active
    set per region and year, the previous one kept as superseded (findings name the set
    that produced them)."""

    name = models.CharField("规则集名称", max_length=100)
    document = models.TextField("规则集YAML")

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "region_code", "-uploaded_at"]
        constraints = four_eyes_constraints("one_active_rule_set", "rule_set_activated_by_another")


# ---------------------------------------------------------------- findings


class Severity(models.TextChoices):
    BLOCKING = "blocking", "拒付（阻断）"
    WARNING = "warning", "警示"
    INFORMATION = "information", "提示"


class FindingSource(models.TextChoices):
    REALTIME = "realtime", "实时审核"
    BATCH = "batch", "批量审核"
    RESIDENT = "resident", "参保人反映"
    MANUAL = "manual", "人工发起"


class SubjectKind(models.TextChoices):
    CLAIM = "claim", "结算单"
    TERMINAL = "terminal", "终端"
    INSTITUTION = "institution", "定点机构"
    DOCTOR = "doctor", "医师"


class FindingStatus(models.TextChoices):
    OPEN = "open", "待审核"
    PENDING_SECOND = "pending_second", "待复核"
    INSPECTION = "inspection", "待现场核查"
    CONFIRMED = "confirmed", "核实违规"
    DISMISSED = "dismissed", "排除疑点"
    APPEALED = "appealed", "申诉中"


class ReviewRun(models.Model):
    """One batch run of `huimin review run` over a region and a period."""

    region_code = models.CharField("统筹区", max_length=12)
    date_from = models.DateField("起始日期")
    date_to = models.DateField("截止日期")
    rules = models.JSONField("规则", default=list, blank=True)  # empty: every rule of the set
    rule_set = models.ForeignKey(
        ReviewRuleSet, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    rule_set_name = models.CharField("规则集", max_length=100)
    started_by = models.CharField("发起", max_length=150)  # a user name or "schedule"
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField("各规则疑点数", default=dict, blank=True)  # rule -> {found, new}

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"review run {self.pk} {self.region_code} {self.date_from}..{self.date_to}"


class Finding(models.Model):
    """A rule that fired on a claim (or a terminal, institution or doctor): a 疑点."""

    rule = models.CharField("规则编码", max_length=40)
    name = models.CharField("规则名称", max_length=60)
    category = models.CharField("类别", max_length=20)
    severity = models.CharField("级别", max_length=12, choices=Severity.choices)
    weight = models.DecimalField("权重", max_digits=8, decimal_places=2)
    explanation = models.TextField("疑点说明")
    lines = models.JSONField("涉及明细序号", default=list, blank=True)
    facts = models.JSONField("事实", default=dict, blank=True)
    source = models.CharField("来源", max_length=10, choices=FindingSource.choices)
    rule_set_name = models.CharField("规则集", max_length=100)
    run = models.ForeignKey(
        ReviewRun, on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )

    subject_kind = models.CharField(
        "对象类型", max_length=12, choices=SubjectKind.choices, default=SubjectKind.CLAIM
    )
    subject = models.CharField("对象", max_length=64, blank=True)  # terminal, doctor, …
    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The person's region for claim findings, the institution's for pattern findings.
    region_code = models.CharField("区划", max_length=12)
    service_date = models.DateField("就诊（入院）日期")
    month = models.CharField("月份", max_length=7)  # YYYY-MM of service_date, for scores
    # What the funds paid on the settlement: the most a confirmed finding may recover.
    fund_paid = money("基金支付", default=0)
    # One finding per rule and subject and period: a batch rerun finds the same
    # fingerprint and leaves the finding (and any reviewer's decision on it) alone.
    fingerprint = models.CharField("指纹", max_length=64, unique=True)
    status = models.CharField(
        "状态", max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InstitutionRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "region_code"], name="finding_queue_idx"),
            models.Index(fields=["institution", "month"], name="finding_inst_month_idx"),
            models.Index(fields=["settlement"], name="finding_settlement_idx"),
            models.Index(fields=["person", "service_date"], name="finding_person_idx"),
            models.Index(fields=["rule", "month"], name="finding_rule_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(fund_paid__gte=0), name="finding_fund_paid_ge0"),
        ]

    def __str__(self):
        return f"{self.rule} {self.subject_kind}:{self.settlement_id or self.subject}"


class PreSettleReview(models.Model):
    """What real-time review answered at a visit's latest pre-settlement (2206/2303), so
    the settlement that follows reuses it instead of reviewing again (realtime.py). The
    digest covers everything the answer was computed from that settle can see cheaply:
    the claim in hand (visit, live fee line ids and their contents, the year so far, the
    fund's payment) and the rule set in force; any difference, or an answer older than
    `realtime.REUSE_SECONDS`, and settle reviews afresh."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="review_presettle")
    digest = models.CharField(max_length=64)
    # The CheckResults as JSON: rule, name, severity, message, lines, facts.
    results = models.JSONField(default=list)
    checked_at = models.DateTimeField()

    def __str__(self):
        return f"pre-settle review of visit {self.visit_id}"


# ---------------------------------------------------------------- decisions


class DecisionKind(models.TextChoices):
    CONFIRM = "confirm", "核实违规"
    DISMISS = "dismiss", "排除疑点"
    INSPECT = "inspect", "转现场核查"
    SECOND_APPROVE = "second_approve", "复核同意"
    SECOND_REJECT = "second_reject", "复核不同意"
    APPEAL_UPHOLD = "appeal_uphold", "维持原决定"
    APPEAL_GRANT = "appeal_grant", "申诉成立"


class Decision(models.Model):
    """Every step a reviewer takes on a finding, in order; never edited."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField("决定", max_length=16, choices=DecisionKind.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    amount = money("追回金额", null=True, blank=True)
    reason = models.TextField("理由", blank=True)

    class Meta:
        ordering = ["finding_id", "decided_at", "id"]
        indexes = [models.Index(fields=["decided_by", "decided_at"], name="decision_by_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="decision_amount_ge0"
            ),
        ]

    def __str__(self):
        return f"{self.kind} on finding {self.finding_id}"


class Recovery(models.Model):
    """Money a confirmed finding takes back from an institution (追回), posted to the
    fund ledger when confirmed and deducted at the institution's next monthly clearing."""

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="recovery")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("统筹区", max_length=12)
    amount = money("追回金额")
    posted_at = models.DateTimeField(auto_now_add=True)
    clearing_batch_id = models.BigIntegerField("抵扣清算批次", null=True, blank=True)
    # Set when an appeal is granted after posting: the reversing entry is in the ledger.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Cancelled after it was deducted: the clearing batch that paid it back.
    refund_batch_id = models.BigIntegerField("退还清算批次", null=True, blank=True)

    objects = InstitutionRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [
            models.Index(fields=["institution", "clearing_batch_id"], name="recovery_clearing_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_gt0"),
        ]

    def __str__(self):
        return f"recovery {self.amount} finding {self.finding_id}"


class AppealStatus(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "维持原决定"
    GRANTED = "granted", "申诉成立"
    WITHDRAWN = "withdrawn", "已撤回"


class Appeal(models.Model):
    """An institution's appeal against a confirmed finding, within the deadline; decided
    by a reviewer who took no part in the finding's decisions. Its documents are
    core.documents rows with owner ("review.appeal", id)."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="appeals")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("统筹区", max_length=12)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateField("申诉期限")
    reason = models.TextField("申诉理由")
    status = models.CharField(
        "状态", max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField("处理意见", blank=True)

    objects = InstitutionRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["status", "region_code"], name="appeal_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["finding"], condition=Q(status="open"), name="one_open_appeal"
            ),
        ]

    def __str__(self):
        return f"appeal {self.pk} finding {self.finding_id}"


# ---------------------------------------------------------------- risk scores


class Colour(models.TextChoices):
    RED = "red", "红色"
    ORANGE = "orange", "橙色"
    YELLOW = "yellow", "黄色"
    BLUE = "blue", "蓝色"


class RiskScore(models.Model):
    """The weighted risk score of an institution or a doctor for a month (四色预警).

    Claim scores are computed on the fly from the claim's findings; institutions' and
    doctors' are stored so the dashboard shows the trend and a colour change is seen."""

    subject_kind = models.CharField("对象类型", max_length=12, choices=SubjectKind.choices)
    subject = models.CharField("对象", max_length=64)  # institution code or doctor id
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region_code = models.CharField("区划", max_length=12)
    month = models.CharField("月份", max_length=7)
    score = models.DecimalField("风险分", max_digits=12, decimal_places=2)
    colour = models.CharField("预警颜色", max_length=8, choices=Colour.choices, blank=True)
    previous_colour = models.CharField("上次颜色", max_length=8, choices=Colour.choices, blank=True)
    finding_count = models.PositiveIntegerField("疑点数", default=0)
    claim_count = models.PositiveIntegerField("结算笔数", default=0)
    computed_at = models.DateTimeField(auto_now=True)

    objects = InstitutionRowsQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-score"]
        indexes = [models.Index(fields=["region_code", "month", "score"], name="risk_rank_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject", "month"], name="one_score_per_month"
            ),
        ]

    def __str__(self):
        return f"{self.subject_kind}:{self.subject} {self.month} {self.score}"
