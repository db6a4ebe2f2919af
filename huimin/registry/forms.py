"""Page input: the list filters and the merge form. Search semantics live in queries.py,
shared with the API, so a clerk's search box and a terminal's query find the same people."""

from django import forms
from django.core.validators import RegexValidator

from huimin.core import idnumber
from huimin.core.codes import SEXES
from huimin.policy import jurisdiction_of
from huimin.registry import queries, rules
from huimin.registry.models import (
    DesignationStatus,
    InstitutionKind,
    InstitutionLevel,
    Region,
    RegionLevel,
    SpecialCategory,
)

ALL = [("", "全部")]
region_code = RegexValidator(r"^\d{2,12}$", "区划代码应为2至12位数字")

# A province-level account could otherwise get tens of thousands of villages in a select.
REGION_OPTIONS_MAX = 1000


def region_options(user, selected: str = "") -> list[tuple[str, str]]:
    """Townships and villages within the user's jurisdiction, villages indented under theirs."""
    prefix = jurisdiction_of(user)
    if prefix is None:
        return ALL
    rows = (
        Region.objects.filter(
            code__startswith=prefix, level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
        )
        .order_by("code")
        .values_list("code", "name", "level")[:REGION_OPTIONS_MAX]
    )
    options = [(c, ("\u3000" if lvl == RegionLevel.VILLAGE else "") + n) for c, n, lvl in rows]
    # A code reached from a region page (e.g. a county) stays selectable.
    if selected and selected not in {c for c, _ in options}:
        options.insert(0, (selected, selected))
    return ALL + options


class FilterForm(forms.Form):
    """A GET filter: invalid fields are reported and ignored, valid ones still apply."""

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.is_valid()

    def value(self, name, default=""):
        return self.cleaned_data.get(name) or default


class PersonFilter(FilterForm):
    q = forms.CharField(
        label="查找",
        required=False,
        max_length=50,
        help_text="姓名、拼音首字母、全拼、身份证号或户编号",
    )
    region = forms.CharField(label="乡镇/村", required=False, validators=[region_code])
    sex = forms.ChoiceField(label="性别", required=False, choices=ALL + list(SEXES.items()))
    category = forms.ChoiceField(
        label="人员类别", required=False, choices=ALL + SpecialCategory.choices
    )
    vital = forms.ChoiceField(
        label="生存状态",
        required=False,
        choices=[*ALL, ("alive", "在世"), ("deceased", "已故")],
    )

    def clean_q(self):
        q = self.cleaned_data["q"].strip()
        # A pasted ID or household number often carries spaces; the digits are what count.
        compact = "".join(q.split())
        if rules.search_kind(compact) in ("id_number", "household"):
            return compact
        return q

    def apply(self, qs):
        qs = queries.search_people(qs, self.value("q"))
        vital = self.value("vital")
        return queries.filter_people(
            qs,
            region=self.value("region"),
            sex=self.value("sex"),
            category=self.value("category"),
            alive={"alive": True, "deceased": False}.get(vital),
        )

    @property
    def searches_id_number(self) -> bool:
        return rules.search_kind(self.value("q")) == "id_number"

    def q_shown(self) -> str:
        """What the search box shows again: never a full ID number, which is only shown
        masked (DESIGN.md §6) and so must not come back in the page either."""
        return "" if self.searches_id_number else self.data.get("q", "")

    def q_masked(self) -> str:
        return idnumber.mask(self.value("q")) if self.searches_id_number else ""

    def search_hint(self) -> str:
        """Why an ID-number search can find nothing: say so instead of an empty table."""
        if self.searches_id_number:
            try:
                idnumber.search_number(self.value("q"))
            except idnumber.IDNumberError as exc:
                return exc.message
        return ""


class HouseholdFilter(FilterForm):
    q = forms.CharField(
        label="查找", required=False, max_length=50, help_text="户编号、户主姓名或拼音"
    )
    region = forms.CharField(label="乡镇/村", required=False, validators=[region_code])

    def apply(self, qs):
        region = self.value("region")
        if region:
            qs = qs.within(region)
        return queries.search_households(qs, "".join(self.value("q").split()))


class InstitutionFilter(FilterForm):
    q = forms.CharField(label="查找", required=False, max_length=50, help_text="名称或医保编码")
    kind = forms.ChoiceField(label="类型", required=False, choices=ALL + InstitutionKind.choices)
    level = forms.ChoiceField(label="等级", required=False, choices=ALL + InstitutionLevel.choices)
    status = forms.ChoiceField(
        label="定点状态", required=False, choices=ALL + DesignationStatus.choices
    )

    def apply(self, qs):
        q = self.value("q")
        if q:
            if q[:1] in "Hh" and q[1:].isdigit():
                qs = qs.filter(insurance_code__startswith=q.upper())
            else:
                qs = qs.filter(name__contains=q)
        for field, name in (("kind", "kind"), ("level", "level"), ("designation_status", "status")):
            if self.value(name):
                qs = qs.filter(**{field: self.value(name)})
        return qs


class RegionFilter(FilterForm):
    q = forms.CharField(label="查找", required=False, max_length=60, help_text="代码前缀或名称")
    level = forms.ChoiceField(label="级别", required=False, choices=ALL + RegionLevel.choices)

    def apply(self, qs):
        q = self.value("q")
        if q.isdigit():
            qs = qs.filter(code__startswith=q)
        elif q:
            qs = qs.filter(name__contains=q)
        if self.value("level"):
            qs = qs.filter(level=self.value("level"))
        return qs


class MergeForm(forms.Form):
    """Which record survives and why; the domain rules (reason required, same person
    twice, jurisdiction) are checked by services.do_merge_people, not duplicated here."""

    survivor_id = forms.IntegerField(label="保留的居民", min_value=1)
    merged_id = forms.IntegerField(label="被合并的居民", min_value=1)
    reason = forms.CharField(label="合并原因", required=False, max_length=200)
