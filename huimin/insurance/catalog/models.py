"""Catalog tables: items with dated versions, and institutions' item mappings (目录对照).

Tables and constraints only. An item's versions never overlap in time: services close
the previous version the day before a new one starts, under a lock on the item row.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from huimin.insurance.catalog import rules
from huimin.policy.scope import ScopedQuerySet
from huimin.registry.models import Institution
from huimin.registry.qualifications import QUALIFICATIONS


def _prefix_index(name: str, *fields: str) -> models.Index:
    # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%' under any
    # collation; other databases ignore the operator class.
    return models.Index(
        fields=list(fields), name=name, opclasses=["varchar_pattern_ops"] * len(fields)
    )


class ItemKind(models.TextChoices):
    DRUG = "drug", "药品"
    SERVICE = "service", "医疗服务项目"
    CONSUMABLE = "consumable", "医用耗材"


class ItemClass(models.TextChoices):
    A = "A", "甲类"
    B = "B", "乙类"
    C = "C", "丙类"


class FeeCategory(models.TextChoices):
    """收费类别, as the inpatient bill (住院收费票据) groups the fee lines."""

    BED = "bed", "床位费"
    NURSING = "nursing", "护理费"
    CONSULTATION = "consultation", "诊查费"
    EXAM = "exam", "检查费"
    LAB = "lab", "化验费"
    TREATMENT = "treatment", "治疗费"
    SURGERY = "surgery", "手术费"
    DRUG = "drug", "药品费"
    MATERIAL = "material", "卫生材料费"
    OTHER = "other", "其他费"


class CatalogItem(models.Model):
    """One national code. What it is called and costs lives in its versions."""

    code = models.CharField("医保目录编码", max_length=40, unique=True)
    kind = models.CharField("项目类型", max_length=12, choices=ItemKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "目录项目"
        indexes = [
            _prefix_index("catalog_item_code_prefix_idx", "code"),
            models.Index(fields=["kind", "code"], name="catalog_item_kind_idx"),
        ]

    def __str__(self):
        return self.code


class CatalogVersion(models.Model):
    """The terms of an item from effective_from to effective_to (null: open-ended)."""

    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="versions")
    name = models.CharField("名称", max_length=200)
    pinyin = models.CharField("拼音首字母", max_length=100)
    item_class = models.CharField("类别", max_length=1, choices=ItemClass.choices)
    unit = models.CharField("单位", max_length=20, blank=True)
    ceiling = models.DecimalField(
        "最高支付标准（单价）", max_digits=12, decimal_places=4, null=True, blank=True
    )
    b_self_ratio = models.DecimalField(
        "乙类自付比例", max_digits=5, decimal_places=4, null=True, blank=True
    )
    sex = models.CharField(
        "限性别", max_length=1, blank=True, choices=[("1", "限男性"), ("2", "限女性")]
    )
    age_min = models.PositiveSmallIntegerField("最小年龄", null=True, blank=True)
    age_max = models.PositiveSmallIntegerField("最大年龄", null=True, blank=True)
    # A comma-separated subset of rules.LEVELS in that order; empty means every level.
    institution_levels = models.CharField("限医院等级", max_length=40, blank=True)
    max_quantity_per_day = models.DecimalField(
        "每日最大数量", max_digits=12, decimal_places=4, null=True, blank=True
    )
    restricted_use = models.TextField("限制使用说明", blank=True)
    # What claim review reads (the rules are in huimin/review/rules/items.py).
    fee_category = models.CharField(
        "收费类别", max_length=16, choices=FeeCategory.choices, default=FeeCategory.OTHER
    )
    day_based = models.BooleanField("按日计费", default=False)  # bed, nursing, ward rounds
    mue = models.DecimalField(  # medically unlikely units per day (as NCCI's MUEs)
        "单日医学合理上限", max_digits=12, decimal_places=4, null=True, blank=True
    )
    days_supply_per_unit = models.DecimalField(  # drugs: 1 ÷ units taken per day
        "每单位用药天数", max_digits=8, decimal_places=4, null=True, blank=True
    )
    qualification = models.CharField("所需资质", max_length=40, blank=True)  # registry codes
    # Comma-separated catalog codes: a bundled service's own components (组套), and the
    # items that cannot be billed with this one on the same day (互斥).
    component_codes = models.TextField("组套组成项目", blank=True)
    exclusive_codes = models.TextField("互斥项目", blank=True)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    source = models.CharField("来源", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item_id", "effective_from"]
        verbose_name = "目录版本"
        indexes = [
            models.Index(fields=["item", "effective_from"], name="catalog_version_item_idx"),
            _prefix_index("catalog_version_pinyin_idx", "pinyin"),
            models.Index(fields=["item_class", "item"], name="catalog_version_class_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "effective_from"], name="catalog_version_start_once"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="catalog_version_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(item_class__in=["A", "B", "C"]), name="catalog_version_class_valid"
            ),
            models.CheckConstraint(
                condition=Q(ceiling__isnull=True) | Q(ceiling__gte=0),
                name="catalog_version_ceiling_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(b_self_ratio__isnull=True)
                | Q(b_self_ratio__gte=0, b_self_ratio__lte=1),
                name="catalog_version_ratio_in_range",
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_min__lte=F("age_max")),
                name="catalog_version_ages_ordered",
            ),
            models.CheckConstraint(
                condition=Q(mue__isnull=True) | Q(mue__gt=0), name="catalog_version_mue_positive"
            ),
            models.CheckConstraint(
                condition=Q(days_supply_per_unit__isnull=True) | Q(days_supply_per_unit__gt=0),
                name="catalog_version_supply_positive",
            ),
        ]

    def __str__(self):
        return f"{self.item_id} {self.name} {self.effective_from}—{self.effective_to or ''}"

    @property
    def allowed_levels(self) -> tuple[str, ...]:
        return rules.parse_levels_text(self.institution_levels)

    @property
    def components(self) -> tuple[str, ...]:
        return rules.parse_codes_text(self.component_codes)

    @property
    def exclusive_with(self) -> tuple[str, ...]:
        return rules.parse_codes_text(self.exclusive_codes)

    @property
    def qualification_display(self) -> str:
        return QUALIFICATIONS.get(self.qualification, self.qualification)

    @property
    def levels_display(self) -> str:
        return "、".join(rules.LEVEL_NAMES[v] for v in self.allowed_levels) or "不限"

    @property
    def age_display(self) -> str:
        return rules.age_range_text(self.age_min, self.age_max)

    def in_force_on(self, day) -> bool:
        ends = self.effective_to
        return self.effective_from <= day and (ends is None or day <= ends)


class MapStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已驳回"


class InstitutionItemMapQuerySet(ScopedQuerySet):
    region_field = "institution__region__code"
    institution_field = "institution_id"


class InstitutionItemMap(models.Model):
    """目录对照: an institution's own item code mapped to a catalog item, once reviewed."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="catalog_maps"
    )
    local_code = models.CharField("机构项目编码", max_length=40)
    local_name = models.CharField("机构项目名称", max_length=200)
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="maps")
    status = models.CharField(
        "状态", max_length=10, choices=MapStatus.choices, default=MapStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    note = models.CharField("审核意见", max_length=200, blank=True)

    objects = InstitutionItemMapQuerySet.as_manager()

    class Meta:
        ordering = ["institution_id", "local_code", "id"]
        verbose_name = "目录对照"
        indexes = [
            models.Index(
                fields=["institution", "local_code", "status"], name="catalog_map_resolve_idx"
            ),
            models.Index(fields=["status", "submitted_at"], name="catalog_map_queue_idx"),
        ]
        constraints = [
            # A local code has one live mapping; rejected ones stay as history.
            models.UniqueConstraint(
                fields=["institution", "local_code"],
                condition=~Q(status="rejected"),
                name="catalog_map_live_once",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(reviewed_at__isnull=False),
                name="catalog_map_reviewed_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.institution_id}:{self.local_code} → {self.item_id}"
