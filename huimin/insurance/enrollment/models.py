"""Enrollment tables: periods, enrollments, payments, bank batches.

Tables and constraints only; the rules are in rules.py, the use cases in services/.
An enrollment carries the person's village code (`region_code`) so every read is bounded
by a jurisdiction prefix (DESIGN.md §7); periods, payments and batches carry the pooling
region (a county code) they belong to. Money columns are DecimalField(14, 2).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from huimin.policy.scope import RegionScopedQuerySet
from huimin.registry.models import Household, Person


def money(verbose_name: str, **kw) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kw)


# PostgreSQL operator classes of the columns in a region-prefix index (others ignore them).
_OPCLASS = {
    "region_code": "varchar_pattern_ops",
    "status": "varchar_pattern_ops",
    "year": "int2_ops",
    "paid_at": "timestamptz_ops",
    "uploaded_at": "timestamptz_ops",
}


def _prefix_index(name: str, *fields: str) -> models.Index:
    # varchar_pattern_ops on the leading region code lets PostgreSQL use the index for
    # LIKE 'prefix%' under any collation.
    return models.Index(fields=list(fields), name=name, opclasses=[_OPCLASS[f] for f in fields])


class EnrollmentPeriod(models.Model):
    """A pooling region's enrollment window for a year, and the contribution it charges."""

    region_code = models.CharField("统筹区", max_length=12)
    year = models.PositiveSmallIntegerField("参保年度")
    opens_on = models.DateField("集中参保开始日期")
    closes_on = models.DateField("集中参保截止日期")
    waiting_days = models.PositiveSmallIntegerField("待遇等待期（天）", default=90)
    individual = money("个人缴费标准")
    subsidy = money("财政补助标准")
    # Share of the individual part paid by medical assistance, per special category, as
    # strings of a ratio in [0, 1]: {"tekun": "1.00", "dibao": "0.50"}.
    assistance_shares = models.JSONField("医疗救助资助比例", default=dict)
    source = models.CharField("标准来源", max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="one_period_per_year"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="period_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(individual__gte=0) & Q(subsidy__gte=0), name="period_amounts_positive"
            ),
        ]

    def __str__(self):
        return f"{self.region_code} {self.year}年度"


class EnrollmentStatus(models.TextChoices):
    OWED = "owed", "待缴费"
    PAID = "paid", "已缴费"
    REFUNDED = "refunded", "已退费"
    CANCELLED = "cancelled", "已取消"


class Enrollment(models.Model):
    """One person insured (or to be insured) for one year, with what they owe."""

    period = models.ForeignKey(EnrollmentPeriod, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrollments")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="enrollments")
    year = models.PositiveSmallIntegerField("参保年度")
    region_code = models.CharField("参保人区划", max_length=12)
    status = models.CharField(
        "状态", max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.OWED
    )
    individual_due = money("个人缴费标准")
    assistance_share = money("医疗救助资助")
    personal_due = money("个人应缴")
    subsidy = money("财政补助")
    # The special category that set the assistance share ("" for ordinary residents).
    category = models.CharField("资助类别", max_length=20, blank=True)
    enrolled_on = models.DateField("登记日期")
    late = models.BooleanField("集中参保期外", default=False)
    benefits_from = models.DateField("待遇享受起始日期")
    paid_at = models.DateTimeField("缴费时间", null=True, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_code", "person_id", "-year"]
        indexes = [
            _prefix_index("enrollment_region_idx", "region_code", "year", "status"),
            models.Index(fields=["household", "year"], name="enrollment_household_idx"),
            models.Index(fields=["person", "year", "status"], name="enrollment_person_idx"),
        ]
        constraints = [
            # A cancelled enrollment is history; a refunded one ends the person's year.
            models.UniqueConstraint(
                fields=["person", "year"],
                # A cancelled or refunded enrollment leaves room for a new one: someone
                # refunded (say, on joining employee insurance) may come back that year.
                condition=~Q(status__in=["cancelled", "refunded"]),
                name="one_enrollment_per_year",
            ),
            models.CheckConstraint(
                condition=Q(personal_due=F("individual_due") - F("assistance_share")),
                name="personal_due_is_rest",
            ),
            models.CheckConstraint(
                condition=Q(assistance_share__gte=0) & Q(personal_due__gte=0) & Q(subsidy__gte=0),
                name="enrollment_amounts_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
                name="paid_enrollment_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.person_id}/{self.year} {self.status}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "现金（乡镇经办窗口）"
    BANK = "bank", "银行代收"
    # A zero personal due (e.g. 特困人员): medical assistance pays the whole individual part.
    ASSISTANCE = "assistance", "医疗救助全额资助"


class PaymentStatus(models.TextChoices):
    PAID = "paid", "已缴费"
    REFUNDED = "refunded", "已退费"


class BankBatch(models.Model):
    """One imported bank collection file: its counts and the report of rejected rows."""

    region_code = models.CharField("上传人辖区", max_length=12, blank=True)
    year = models.PositiveSmallIntegerField("参保年度")
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    booked = models.PositiveIntegerField("入账笔数", default=0)
    repeated = models.PositiveIntegerField("已入账（重复导入）", default=0)
    rejected = models.PositiveIntegerField("拒绝笔数", default=0)
    booked_amount = money("入账金额", default=0)
    # [{"row": 3, "id_number": "430521********1234", "name": ..., "txn_no": ...,
    #   "code": "amount_mismatch", "reason": "金额与应缴不符…"}] — never a full ID number.
    rejections = models.JSONField("拒绝明细", default=list)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [_prefix_index("bank_batch_region_idx", "region_code", "uploaded_at")]

    def __str__(self):
        return f"{self.filename}（{self.uploaded_at:%Y-%m-%d}）"


class Payment(models.Model):
    """Money received for one enrollment. Refunding keeps the row with its reason."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="payments")
    region_code = models.CharField("参保人区划", max_length=12)
    pool_code = models.CharField("统筹区", max_length=12)
    year = models.PositiveSmallIntegerField("参保年度")
    amount = money("缴费金额")
    method = models.CharField("缴费方式", max_length=12, choices=PaymentMethod.choices)
    receipt_no = models.CharField("票据号", max_length=40, blank=True)
    bank_batch = models.ForeignKey(
        BankBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    bank_txn_no = models.CharField("银行流水号", max_length=40, blank=True)
    paid_at = models.DateTimeField("缴费时间")
    idempotency_key = models.CharField("幂等键", max_length=80, unique=True)
    request_hash = models.CharField("请求摘要", max_length=64)
    status = models.CharField(
        "状态", max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PAID
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    refund_reason = models.CharField("退费原因", max_length=200, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refunded_at = models.DateTimeField("退费时间", null=True, blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_at", "-id"]
        indexes = [
            _prefix_index("payment_region_idx", "region_code", "year", "paid_at"),
        ]
        constraints = [
            # A receipt is one printed slip of the pooling region's receipt book.
            models.UniqueConstraint(
                fields=["pool_code", "year", "receipt_no"],
                condition=~Q(receipt_no=""),
                name="receipt_no_once",
            ),
            models.UniqueConstraint(
                fields=["bank_txn_no"], condition=~Q(bank_txn_no=""), name="bank_txn_no_once"
            ),
            # An enrollment is paid at most once while that payment stands.
            models.UniqueConstraint(
                fields=["enrollment"], condition=Q(status="paid"), name="one_standing_payment"
            ),
            models.CheckConstraint(
                condition=~Q(method="cash") | ~Q(receipt_no=""), name="cash_has_receipt"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_not_negative"),
            models.CheckConstraint(
                condition=Q(status="paid") | (~Q(refund_reason="") & Q(refunded_at__isnull=False)),
                name="refund_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment_id} {self.amount} {self.method}"
