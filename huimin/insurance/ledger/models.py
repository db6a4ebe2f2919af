"""Double-entry fund ledger, per region and year.

The pooling fund (with critical-illness insurance, medical assistance, payables,
receivables and subsidies) and the management fees are two account groups; an entry's
postings all belong to one group (rules.check_entry), so money never moves between them.
Entries are append-only: a mistake is corrected by a reversing entry.
"""

from django.db import models
from django.db.models import Q

from huimin.policy.scope import ScopedQuerySet


class AccountGroup(models.TextChoices):
    FUND = "fund", "医保基金"
    MANAGEMENT = "mgmt", "管理费"


class NormalBalance(models.TextChoices):
    DEBIT = "debit", "借"
    CREDIT = "credit", "贷"


class RegionScoped(ScopedQuerySet):
    region_field = "region_code"


class Account(models.Model):
    region_code = models.CharField("统筹区", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    code = models.CharField("科目代码", max_length=10)
    name = models.CharField("科目名称", max_length=60)
    group = models.CharField("账户组", max_length=4, choices=AccountGroup.choices)
    normal_balance = models.CharField("余额方向", max_length=6, choices=NormalBalance.choices)

    objects = RegionScoped.as_manager()

    class Meta:
        ordering = ["region_code", "year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year", "code"], name="account_once")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class JournalEntry(models.Model):
    region_code = models.CharField("统筹区", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    group = models.CharField("账户组", max_length=4, choices=AccountGroup.choices)
    posted_at = models.DateTimeField("记账时间", auto_now_add=True)
    # What the entry records: e.g. ("settlement", 42, "settle") — unique, so a retried
    # business operation can never post twice.
    source_type = models.CharField("来源类型", max_length=30)
    source_id = models.CharField("来源编号", max_length=40)
    purpose = models.CharField("业务", max_length=30)
    memo = models.CharField("摘要", max_length=200)

    objects = RegionScoped.as_manager()

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "year", "posted_at"], name="entry_region_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "purpose"], name="entry_once_per_source"
            )
        ]

    def __str__(self):
        return f"{self.source_type}:{self.source_id} {self.memo}"


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    debit = models.DecimalField("借方", max_digits=14, decimal_places=2, default=0)
    credit = models.DecimalField("贷方", max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["entry_id", "id"]
        indexes = [models.Index(fields=["account", "entry"], name="posting_account_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(credit__gt=0) & Q(debit=0)),
                name="posting_one_side",
            )
        ]

    def __str__(self):
        return f"{self.account_id} D{self.debit} C{self.credit}"
