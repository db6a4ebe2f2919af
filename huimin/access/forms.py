"""Forms for the access pages: parse input; the services decide what is valid."""

import datetime

from django import forms
from django.utils import timezone

from huimin.access.models import AccessStatus, ApplicationKind, ApplicationStatus, Scope
from huimin.registry.models import Institution


class ApplicationForm(forms.Form):
    institution = forms.TypedChoiceField(label="医疗机构", coerce=int)
    kind = forms.ChoiceField(label="申请类型", choices=ApplicationKind.choices)
    contact_name = forms.CharField(label="负责人", max_length=50)
    contact_phone = forms.CharField(label="负责人电话", max_length=20)
    ip_ranges = forms.CharField(
        label="网络地址段（每行一个CIDR，如10.12.3.0/24）",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    terminals = forms.CharField(
        label="终端（每行：终端标识 空格 说明）",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    scopes = forms.MultipleChoiceField(
        label="申请权限范围",
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    details = forms.CharField(
        label="申请说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        institutions = (
            Institution.objects.visible_to(user)
            .only("pk", "name", "insurance_code")
            .order_by("insurance_code")
        )
        self.fields["institution"].choices = [("", "请选择")] + [
            (i.pk, f"{i.name}（{i.insurance_code}）") for i in institutions
        ]


class ApplicationFilter(forms.Form):
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部"), *ApplicationStatus.choices], required=False
    )


class AccessFilter(forms.Form):
    status = forms.ChoiceField(
        label="接入状态", choices=[("", "全部"), *AccessStatus.choices], required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=500, required=False)


class AccessStatusForm(ReasonForm):
    action = forms.ChoiceField(
        choices=[("suspend", "暂停"), ("resume", "恢复"), ("revoke", "撤销")]
    )


class TerminalStatusForm(ReasonForm):
    action = forms.ChoiceField(choices=[("disable", "停用"), ("enable", "启用")])


class IssueCredentialForm(forms.Form):
    rotated_from = forms.IntegerField(required=False)


class KeysForm(forms.Form):
    jwks = forms.CharField(
        label="JWK Set（公钥）",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        max_length=100_000,
    )
    not_before = forms.DateField(label="生效日期（空为立即）", required=False)
    not_after = forms.DateField(label="失效日期（空为凭证到期日）", required=False)

    def window(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """Dates as the start of that day, local time."""

        def at_midnight(day):
            if day is None:
                return None
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        return at_midnight(self.cleaned_data.get("not_before")), at_midnight(
            self.cleaned_data.get("not_after")
        )
