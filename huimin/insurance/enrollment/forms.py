"""Page input for enrollment: parse what was typed; the services decide what it means."""

import uuid

from django import forms
from django.core.validators import RegexValidator

YEAR_FIELD = {"min_value": 2000, "max_value": 2100}
digits = RegexValidator(r"^\d{0,12}$", "区划代码应为数字")


class YearForm(forms.Form):
    year = forms.IntegerField(label="参保年度", required=False, **YEAR_FIELD)


class SearchForm(forms.Form):
    year = forms.IntegerField(label="参保年度", required=False, **YEAR_FIELD)
    q = forms.CharField(label="查找家庭户", required=False, max_length=50)


class ProgressForm(forms.Form):
    year = forms.IntegerField(label="参保年度", required=False, **YEAR_FIELD)
    region = forms.CharField(label="区划", required=False, max_length=12, validators=[digits])


class EnrollForm(forms.Form):
    year = forms.IntegerField(label="参保年度", **YEAR_FIELD)
    person_ids = forms.TypedMultipleChoiceField(label="成员", coerce=int, required=False)

    def __init__(self, *args, member_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person_ids"].choices = [(pk, pk) for pk in member_ids]


class PaymentForm(forms.Form):
    amount = forms.CharField(label="缴费金额", max_length=20)
    receipt_no = forms.CharField(label="票据号", max_length=40)
    # Generated with the form: a double submission is the same request, answered once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex


class RefundForm(forms.Form):
    reason = forms.CharField(label="退费原因", max_length=200)


class BankUploadForm(forms.Form):
    year = forms.IntegerField(label="参保年度", **YEAR_FIELD)
    file = forms.FileField(label="银行代收文件（CSV或xlsx）")


class PeriodForm(forms.Form):
    region_code = forms.CharField(label="统筹区（县级区划代码）", max_length=6, min_length=6)
    year = forms.IntegerField(label="参保年度", **YEAR_FIELD)
    opens_on = forms.DateField(label="集中参保开始日期")
    closes_on = forms.DateField(label="集中参保截止日期")
    waiting_days = forms.IntegerField(label="待遇等待期（天）", min_value=0, max_value=365)
    individual = forms.CharField(
        label="个人缴费标准（元）", required=False, max_length=20, help_text="不填则取当年生效方案"
    )
    subsidy = forms.CharField(
        label="财政补助标准（元）", required=False, max_length=20, help_text="不填则取当年生效方案"
    )
    tekun_share = forms.CharField(label="特困人员资助比例", required=False, max_length=10)
    dibao_share = forms.CharField(label="低保对象资助比例", required=False, max_length=10)

    def shares(self) -> dict[str, str]:
        out = {}
        for code in ("tekun", "dibao"):
            value = (self.cleaned_data.get(f"{code}_share") or "").strip()
            if value:
                out[code] = value
        return out


class PeriodEditForm(forms.Form):
    opens_on = forms.DateField(label="集中参保开始日期")
    closes_on = forms.DateField(label="集中参保截止日期")
    waiting_days = forms.IntegerField(label="待遇等待期（天）", min_value=0, max_value=365)
