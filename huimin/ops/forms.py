"""Duty-log page input: the list filter and the entry form. Rules live in rules.py."""

import datetime

from django import forms
from django.utils import timezone

from huimin.ops import rules
from huimin.ops.models import DutyKind, IncidentSeverity, Shift

ALL = [("", "全部")]
DAY_SHIFT_HOURS = range(8, 20)  # 08:00–20:00; the night shift belongs to the day it began


def current_shift(now: datetime.datetime | None = None) -> tuple[datetime.date, str]:
    now = timezone.localtime(now)
    if now.hour in DAY_SHIFT_HOURS:
        return now.date(), Shift.DAY
    if now.hour < DAY_SHIFT_HOURS.start:
        return now.date() - datetime.timedelta(days=1), Shift.NIGHT
    return now.date(), Shift.NIGHT


class DutyFilter(forms.Form):
    """A GET filter: invalid fields are reported and ignored, valid ones still apply."""

    q = forms.CharField(label="内容包含", required=False, max_length=100)
    date_from = forms.DateField(label="值班日期自", required=False)
    date_to = forms.DateField(label="至", required=False)
    kind = forms.ChoiceField(label="类型", required=False, choices=ALL + DutyKind.choices)
    author = forms.TypedChoiceField(label="记录人", required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, authors: list[tuple[int, str]], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["author"].choices = ALL + [(str(pk), name) for pk, name in authors]
        self.is_valid()

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期")
        return data

    def apply(self, qs):
        data = self.cleaned_data
        if data.get("q", "").strip():
            qs = qs.filter(text__icontains=data["q"].strip())
        if data.get("date_from"):
            qs = qs.filter(shift_date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(shift_date__lte=data["date_to"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("author"):
            qs = qs.filter(author_id=data["author"])
        return qs


class DutyEntryForm(forms.Form):
    shift_date = forms.DateField(label="值班日期", widget=forms.DateInput(attrs={"type": "date"}))
    shift = forms.ChoiceField(label="班次", choices=Shift.choices)
    kind = forms.ChoiceField(label="类型", choices=DutyKind.choices)
    severity = forms.ChoiceField(
        label="事件级别（仅事件）", required=False, choices=[("", "—"), *IncidentSeverity.choices]
    )
    resolves = forms.IntegerField(label="本措施处置完毕的事件（可选）", required=False)
    related_alert_id = forms.IntegerField(label="关联告警编号（可选）", required=False, min_value=1)
    text = forms.CharField(
        label="内容",
        max_length=rules.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": rules.TEXT_MAX}),
    )
    corrects = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, open_incidents=(), **kwargs):
        super().__init__(data, **kwargs)
        choices = [("", "—")] + [
            (str(i.pk), f"#{i.pk} {i.get_severity_display()} {i.text[:30]}") for i in open_incidents
        ]
        self.fields["resolves"].widget = forms.Select(choices=choices)

    def entry_input(self) -> rules.EntryInput:
        d = self.cleaned_data
        return rules.EntryInput(
            shift_date=d["shift_date"],
            shift=d["shift"],
            kind=d["kind"],
            text=d["text"],
            severity=d.get("severity") or "",
            related_alert_id=d.get("related_alert_id"),
            corrects_id=d.get("corrects"),
            resolves_id=d.get("resolves"),
        )
