"""Page input for login, passwords, accounts and loans: types only; rules are in services."""

from django import forms

from huimin.core.errors import DomainError
from huimin.registry.models import Institution, Role

NO_INSTITUTION = [("", "（无）")]


def apply_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: per field where it names one."""
    if not exc.fields:
        form.add_error(None, exc.message)
        return
    for name, reason in exc.fields.items():
        form.add_error(name if name in form.fields else None, reason)


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", max_length=128, strip=False)


class TokenForm(forms.Form):
    code = forms.CharField(label="动态口令", max_length=10)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", max_length=128, strip=False)
    new_password1 = forms.CharField(label="新密码", max_length=128, strip=False)
    new_password2 = forms.CharField(label="再次输入新密码", max_length=128, strip=False)


class StaffEditForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=30)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    jurisdiction = forms.CharField(label="辖区（区划前缀）", max_length=12)
    institution = forms.TypedChoiceField(
        label="医疗机构", required=False, coerce=int, empty_value=None
    )
    # Only read when the change needs a second administrator: shown to the approver.
    reason = forms.CharField(label="申请事由", max_length=500, required=False)

    def __init__(self, *args, prefix_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        rows = (
            Institution.objects.within(prefix_code)
            .order_by("region_id", "name")
            .values_list("pk", "name", "region_id")
        )
        self.fields["institution"].choices = NO_INSTITUTION + [
            (pk, f"{name}（{region}）") for pk, name, region in rows
        ]


class StaffCreateForm(StaffEditForm):
    username = forms.CharField(label="用户名", max_length=30)
    field_order = ["username", "name", "role", "jurisdiction", "institution", "reason"]


class AccountRequestReasonForm(forms.Form):
    reason = forms.CharField(label="申请事由", max_length=500, required=False)


class AccountDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批结果", choices=[("approve", "批准"), ("reject", "驳回")]
    )
    note = forms.CharField(label="审批意见", max_length=500, required=False)


class LoanRequestForm(forms.Form):
    id_number = forms.CharField(label="身份证号码", max_length=18, min_length=18)
    reason = forms.CharField(label="借阅事由", max_length=500, widget=forms.Textarea)
    days = forms.IntegerField(label="借阅天数", min_value=1, max_value=365)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "批准"), ("reject", "驳回")])
    note = forms.CharField(label="审批意见", max_length=500, required=False)
    days = forms.IntegerField(label="借阅天数", min_value=1, max_value=365, required=False)


class EndLoanForm(forms.Form):
    note = forms.CharField(label="说明", max_length=500, required=False)


class IncidentForm(forms.Form):
    """An incident order: the accounts (all, or listed by username) and institutions."""

    reason = forms.CharField(label="处置事由", max_length=500, widget=forms.Textarea)
    scope = forms.ChoiceField(
        label="账号范围",
        choices=[("selected", "选定的账号"), ("all", "全部账号")],
        initial="selected",
        widget=forms.RadioSelect,
    )
    usernames = forms.CharField(
        label="选定的账号（用户名，每行一个）",
        required=False,
        max_length=20000,
        widget=forms.Textarea,
    )
    # Choices are set by the view: institutions whose access is active.
    institutions = forms.TypedMultipleChoiceField(
        label="暂停接入的机构",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )


class IncidentDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "批准"), ("reject", "驳回")])
    note = forms.CharField(label="审批意见", required=False, max_length=500)
