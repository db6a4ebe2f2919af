"""Registry tables: regions, institutions, people, households, staff.

Tables and constraints only; rules live in rules.py, use cases in services/.
Every large table carries the region code it belongs to (a person's and a household's
village code) so every query can be bounded by a jurisdiction prefix (DESIGN.md §7).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from huimin.core import crypto, idnumber
from huimin.core.codes import ETHNICITIES, RELATIONS, SEXES
from huimin.policy.roles import INSTITUTION_ROLES, Role
from huimin.policy.scope import ScopedQuerySet


class InstitutionQuerySet(ScopedQuerySet):
    region_field = "region__code"


def _prefix_index(name: str, *fields: str) -> models.Index:
    # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%' under any
    # collation; other databases ignore the operator class.
    return models.Index(
        fields=list(fields), name=name, opclasses=["varchar_pattern_ops"] * len(fields)
    )


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "地级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡级"
    VILLAGE = "village", "村级"


class Region(models.Model):
    """A GB/T 2260 / statistical division: 6-digit province/city/county, 9 and 12 below."""

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("级别", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # The prefix every code below this region starts with: "43" for 430000, "4305" for
    # 430500, the full code from county down. A jurisdiction is such a prefix.
    prefix = models.CharField("辖区前缀", max_length=12)
    valid_from = models.PositiveSmallIntegerField("启用年份", null=True, blank=True)
    valid_to = models.PositiveSmallIntegerField("撤销年份", null=True, blank=True)
    source = models.CharField("来源", max_length=20, default="stdnum")

    class Meta:
        ordering = ["code"]
        indexes = [
            _prefix_index("region_prefix_idx", "prefix"),
            models.Index(fields=["parent", "code"], name="region_parent_idx"),
            models.Index(fields=["level", "code"], name="region_level_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def in_force(self) -> bool:
        return self.valid_to is None


class InstitutionKind(models.TextChoices):
    COUNTY_HOSPITAL = "county_hospital", "县级综合医院"
    TCM_HOSPITAL = "tcm_hospital", "中医医院"
    MATERNAL_CHILD = "maternal_child_hospital", "妇幼保健院"
    TOWNSHIP_CENTRE = "township_health_centre", "乡镇卫生院"
    VILLAGE_CLINIC = "village_clinic", "村卫生室"
    PHARMACY = "pharmacy", "定点药店"


class InstitutionLevel(models.TextChoices):
    ONE = "1", "一级"
    TWO = "2", "二级"
    THREE = "3", "三级"


class DesignationStatus(models.TextChoices):
    PENDING = "pending", "待定点"
    DESIGNATED = "designated", "定点"
    SUSPENDED = "suspended", "暂停"
    TERMINATED = "terminated", "解除"


class Institution(models.Model):
    name = models.CharField("机构名称", max_length=100)
    insurance_code = models.CharField("医保机构编码", max_length=12, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    kind = models.CharField("机构类型", max_length=30, choices=InstitutionKind.choices)
    level = models.CharField(
        "医院等级", max_length=1, choices=InstitutionLevel.choices, blank=True, default=""
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="institutions", db_column="region_code"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name="上级机构",
    )
    designation_status = models.CharField(
        "定点状态",
        max_length=12,
        choices=DesignationStatus.choices,
        default=DesignationStatus.PENDING,
    )
    designated_from = models.DateField("定点起始日期", null=True, blank=True)
    designated_to = models.DateField("定点终止日期", null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    # Comma-separated codes of registry/qualifications.py; NULL: not recorded (review's
    # qualification rule then does not judge the institution), "": recorded, none held.
    qualifications = models.CharField("诊疗资质", max_length=300, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "insurance_code"]
        indexes = [
            _prefix_index("institution_region_idx", "region"),
            models.Index(fields=["kind", "region"], name="institution_kind_idx"),
        ]

    def __str__(self):
        return self.name


class ResidentType(models.TextChoices):
    HUJI = "huji", "户籍"
    NON_HUJI = "non_huji", "非户籍"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    MERGED = "merged", "已合并"


class Person(models.Model):
    """A resident. The ID number is stored only encrypted, with a blind index and a mask."""

    name = models.CharField("姓名", max_length=50)
    name_initials = models.CharField("拼音首字母", max_length=50)
    name_pinyin = models.CharField("拼音", max_length=200)
    sex = models.CharField("性别", max_length=1, choices=SEXES.items())
    birth_date = models.DateField("出生日期")
    id_number_enc = models.TextField("身份证号（密文）")
    id_number_index = models.CharField("身份证号索引", max_length=64, unique=True)
    id_number_masked = models.CharField("身份证号", max_length=18)
    ethnicity = models.CharField("民族", max_length=2, choices=ETHNICITIES.items(), default="01")
    phone_enc = models.TextField("电话（密文）", blank=True, default="")
    phone_masked = models.CharField("电话", max_length=20, blank=True, default="")
    # The social-security card number, kept like the ID number: encrypted, found by a
    # blind index, shown masked. Empty when the card is not known.
    # (db_default too: the synthetic writer and other raw inserts leave them out.)
    ss_card_enc = models.TextField("社会保障卡卡号（密文）", blank=True, default="", db_default="")
    ss_card_index = models.CharField(
        "社会保障卡卡号索引", max_length=64, blank=True, default="", db_default=""
    )
    ss_card_masked = models.CharField(
        "社会保障卡卡号", max_length=9, blank=True, default="", db_default=""
    )
    village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="residents",
        db_column="village_code",
        verbose_name="居住村（居）",
    )
    resident_type = models.CharField(
        "户籍类型", max_length=10, choices=ResidentType.choices, default=ResidentType.HUJI
    )
    death_date = models.DateField("死亡日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["village_id", "id"]
        indexes = [
            # Page order of the people list (village, id), and the jurisdiction range.
            models.Index(fields=["village", "id"], name="person_village_page_idx"),
            _prefix_index("person_village_initials_idx", "village", "name_initials"),
            _prefix_index("person_initials_idx", "name_initials"),
            _prefix_index("person_pinyin_idx", "name_pinyin"),
            _prefix_index("person_name_idx", "name"),
            models.Index(fields=["name", "birth_date", "village"], name="person_dup_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | Q(status="active", merged_into__isnull=True),
                name="person_merged_has_target",
            ),
            # One person per card; also the index a card lookup uses.
            models.UniqueConstraint(
                fields=["ss_card_index"],
                condition=~Q(ss_card_index=""),
                name="person_ss_card_unique",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.id_number_masked}）"

    @property
    def is_deceased(self) -> bool:
        return self.death_date is not None

    @property
    def region_code(self) -> str:
        return self.village_id

    def reveal_id_number(self) -> str:
        """Decrypt. Callers must have the permission and write the audit record."""
        return crypto.decrypt(self.id_number_enc, context="person.id_number")


class SpecialCategory(models.TextChoices):
    TEKUN = "tekun", "特困人员"
    DIBAO = "dibao", "低保对象"
    POVERTY_MONITORING = "poverty_monitoring", "返贫致贫监测对象"
    DISABLED = "disabled", "残疾人"


def category_label(code: str) -> str:
    """A settlement's or enrollment's person category as people read it: 普通居民 for
    "ordinary" (no special category), else the special category's name."""
    if code == "ordinary":
        return "普通居民"
    return SpecialCategory(code).label if code in SpecialCategory.values else code


class PersonCategory(models.Model):
    """A special category with its validity dates (valid_to null: still in force)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField("人员类别", max_length=20, choices=SpecialCategory.choices)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("终止日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        ordering = ["person_id", "valid_from"]
        indexes = [models.Index(fields=["category", "valid_from"], name="category_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="category_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.valid_from}—{self.valid_to or ''}"


class Household(models.Model):
    """户: one household, one file. The head must be a current member."""

    number = models.CharField("户编号", max_length=20, unique=True)
    head = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="headed_households"
    )
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="households", db_column="village_code"
    )
    address = models.CharField("住址", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        indexes = [_prefix_index("household_village_idx", "village", "number")]

    def __str__(self):
        return self.number


class HouseholdMembership(models.Model):
    """A person's time in a household. Moving keeps the old row with left_on set."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField("与户主关系", max_length=2, choices=RELATIONS.items())
    joined_on = models.DateField("迁入日期")
    left_on = models.DateField("迁出日期", null=True, blank=True)
    reason = models.CharField("变动原因", max_length=200, blank=True)

    class Meta:
        ordering = ["household_id", "relation", "id"]
        indexes = [models.Index(fields=["household", "left_on"], name="membership_household_idx")]
        constraints = [
            # A person is in at most one household at a time.
            models.UniqueConstraint(
                fields=["person"], condition=Q(left_on__isnull=True), name="one_current_household"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.person_id}@{self.household_id} {self.joined_on}—{self.left_on or ''}"


class PersonMerge(models.Model):
    """The record of merging a duplicate into the surviving person."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="merge_record")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    merged_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField("合并原因", max_length=200)
    snapshot = models.JSONField("被合并记录快照")

    def __str__(self):
        return f"{self.merged_id} → {self.survivor_id}"


class Staff(models.Model):
    """A staff account's place: role, institution (or the county office), jurisdiction."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    jurisdiction = models.CharField("辖区（区划前缀）", max_length=12)

    class Meta:
        verbose_name = "工作人员"
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in INSTITUTION_ROLES))
                | Q(institution__isnull=False),
                name="institution_role_has_institution",
            ),
        ]

    def __str__(self):
        return f"{self.user.get_username()}（{self.get_role_display()}）"


def person_id_fields(raw_number: str) -> dict:
    """The stored columns for an ID number: ciphertext, blind index and mask."""
    number = idnumber.normalise(raw_number)
    return {
        "id_number_enc": crypto.encrypt(number, context="person.id_number"),
        "id_number_index": crypto.blind_index(number, context="person.id_number"),
        "id_number_masked": idnumber.mask(number),
    }


def person_ss_card_fields(raw_card: str) -> dict:
    """The stored columns for a social-security card number ("" clears them)."""
    card = idnumber.normalise(raw_card)
    if not card:
        return {"ss_card_enc": "", "ss_card_index": "", "ss_card_masked": ""}
    return {
        "ss_card_enc": crypto.encrypt(card, context="person.ss_card"),
        "ss_card_index": crypto.blind_index(card, context="person.ss_card"),
        "ss_card_masked": idnumber.mask_ss_card(card),
    }


def id_number_lookup(raw_number: str) -> str:
    return crypto.blind_index(idnumber.normalise(raw_number), context="person.id_number")


def id_number_lookups(raw_number: str) -> list[str]:
    """The index under the current key and any key being rotated out: filter with
    `id_number_index__in=` so people not yet re-encrypted are still found."""
    return crypto.blind_indexes(idnumber.normalise(raw_number), context="person.id_number")


def ss_card_lookups(raw_card: str) -> list[str]:
    """As id_number_lookups, for the social-security card number."""
    return crypto.blind_indexes(idnumber.normalise(raw_card), context="person.ss_card")


class RolePermission(models.Model):
    """Roles are data: which named permission (policy/permissions.py) a role holds."""

    role = models.CharField("角色", max_length=30, choices=Role.choices)
    permission = models.CharField("权限", max_length=40)

    class Meta:
        ordering = ["role", "permission"]
        constraints = [
            models.UniqueConstraint(fields=["role", "permission"], name="role_permission_once")
        ]

    def __str__(self):
        return f"{self.role}:{self.permission}"
