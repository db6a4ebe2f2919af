"""Page input for the insurance officer's pages: parse what was typed; services decide."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from huimin.core import idnumber
from huimin.insurance.models import (
    ClearingStatus,
    PlanStatus,
    ReconciliationKind,
    SettlementKind,
    VisitType,
)
from huimin.registry.models import Institution

YEAR_FIELD = {"min_value": 2000, "max_value": 2100}
MAX_PLAN_FILE_BYTES = 256 * 1024
# The sums row adds up one region over at most a year, so it stays one bounded range scan.
MAX_RANGE_DAYS = 366
AMOUNT_FIELD = {"max_digits": 14, "decimal_places": 2, "required": False}


def institution_field(user, label="医疗机构", required=False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        required=required,
        queryset=Institution.objects.visible_to(user).only("pk", "name").order_by("name"),
        empty_label="全部" if not required else "请选择",
    )


# ---------------------------------------------------------------- plans


class PlanFilterForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, **YEAR_FIELD)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *PlanStatus.choices]
    )


class PlanUploadForm(forms.Form):
    document = forms.CharField(
        label="方案YAML（粘贴）", required=False, widget=forms.Textarea(attrs={"rows": 20})
    )
    file = forms.FileField(label="或上传YAML文件", required=False)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_PLAN_FILE_BYTES:
                raise ValidationError({"file": "文件过大（不超过256KB）"})
            try:
                data["document"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError({"file": "文件须为UTF-8编码的YAML文本"}) from None
        elif not (data.get("document") or "").strip():
            raise ValidationError({"document": "请粘贴或上传结算方案YAML"})
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=200)


# ---------------------------------------------------------------- settlements


class SettlementFilterForm(forms.Form):
    date_from = forms.DateField(label="结算日期自", required=False)
    date_to = forms.DateField(label="至", required=False)
    institution = forms.ModelChoiceField(label="医疗机构", required=False, queryset=None)
    visit_type = forms.ChoiceField(
        label="就诊类型", required=False, choices=[("", "全部"), *VisitType.choices]
    )
    kind = forms.ChoiceField(
        label="类型", required=False, choices=[("", "全部"), *SettlementKind.choices]
    )
    total_min = forms.DecimalField(label="总额不低于", **AMOUNT_FIELD)
    total_max = forms.DecimalField(label="总额不高于", **AMOUNT_FIELD)
    id_number = forms.CharField(label="身份证号码（完整）", required=False, max_length=20)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["institution"] = institution_field(user)

    @staticmethod
    def default_range() -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        return today.replace(day=1), today

    def clean_id_number(self):
        raw = self.cleaned_data.get("id_number") or ""
        if not raw.strip():
            return ""
        try:
            return idnumber.parse(raw).number
        except idnumber.IDNumberError as exc:
            raise ValidationError(exc.message) from None

    def clean(self):
        data = super().clean()
        first, last = self.default_range()
        date_from = data.get("date_from") or (
            data["date_to"].replace(day=1) if data.get("date_to") else first
        )
        # Without an end: up to today, but never a range the sums would refuse.
        date_to = data.get("date_to") or min(
            max(date_from, last), date_from + datetime.timedelta(days=MAX_RANGE_DAYS - 1)
        )
        if "date_from" in self.errors or "date_to" in self.errors:
            return data
        if date_to < date_from:
            raise ValidationError({"date_to": "结束日期不能早于开始日期"})
        if (date_to - date_from).days >= MAX_RANGE_DAYS:
            raise ValidationError({"date_to": f"查询范围不能超过{MAX_RANGE_DAYS}天"})
        low, high = data.get("total_min"), data.get("total_max")
        if low is not None and high is not None and high < low:
            raise ValidationError({"total_max": "总额上限不能低于下限"})
        data["date_from"], data["date_to"] = date_from, date_to
        return data


# ---------------------------------------------------------------- ledger


class LedgerForm(forms.Form):
    region = forms.RegexField(
        label="统筹区",
        required=False,
        regex=r"^\d{2,12}$",
        error_messages={"invalid": "应为区划代码"},
    )
    year = forms.IntegerField(label="年度", required=False, **YEAR_FIELD)


# ---------------------------------------------------------------- reconciliation


class ReconciliationFilterForm(forms.Form):
    date_from = forms.DateField(label="对账日期自", required=False)
    date_to = forms.DateField(label="至", required=False)
    institution = forms.ModelChoiceField(label="医疗机构", required=False, queryset=None)
    kind = forms.ChoiceField(
        label="类型", required=False, choices=[("", "全部"), *ReconciliationKind.choices]
    )
    matched = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), ("yes", "一致"), ("no", "不一致")]
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["institution"] = institution_field(user)

    def clean(self):
        data = super().clean()
        a, b = data.get("date_from"), data.get("date_to")
        if a and b and b < a:
            raise ValidationError({"date_to": "结束日期不能早于开始日期"})
        return data


# ---------------------------------------------------------------- clearing

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ClearingFilterForm(forms.Form):
    institution = forms.ModelChoiceField(label="医疗机构", required=False, queryset=None)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *ClearingStatus.choices]
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["institution"] = institution_field(user)


class ClearingCreateForm(forms.Form):
    institution = forms.ModelChoiceField(label="医疗机构", queryset=None)
    month = forms.RegexField(
        label="清算月份",
        regex=MONTH,
        max_length=7,
        error_messages={"invalid": "月份格式应为YYYY-MM"},
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["institution"] = institution_field(user, required=True)

    @staticmethod
    def last_month() -> str:
        first = timezone.localdate().replace(day=1)
        return (first - datetime.timedelta(days=1)).strftime("%Y-%m")
