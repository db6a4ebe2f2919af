"""Incident mode page (应急处置): request an order, and a second administrator's decision."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from huimin.accounts import incident
from huimin.accounts.forms import IncidentDecisionForm, IncidentForm, apply_error
from huimin.core.errors import DomainError, NotFound
from huimin.policy import requires_any

LIST_SIZE = 50
# incident.can_view: who may ask for an order and who may approve one.
_VIEWERS = (incident.REQUEST, *incident.APPROVE)


def _form(user, data=None) -> IncidentForm:
    form = IncidentForm(data)
    form.fields["institutions"].choices = [
        (a.institution_id, a.institution.name) for a in incident.suspendable_institutions(user)
    ]
    return form


def _page(request, form, *, status=200, decision_error=None):
    user = request.user
    rows = list(incident.orders(user)[:LIST_SIZE])
    names = dict(
        get_user_model()
        .objects.filter(pk__in={i for o in rows for i in o.account_ids})
        .values_list("pk", "username")
    )
    for order in rows:
        order.usernames = [names.get(i, f"#{i}") for i in order.account_ids]
    return render(
        request,
        "accounts/incident.html",
        {
            "form": form,
            "orders": rows,
            "may_request": incident.can_request(user),
            "may_approve": incident.can_approve(user),
            "decision_error": decision_error,
        },
        status=status,
    )


@requires_any(*_VIEWERS, message="只有安全管理员和系统管理员可以使用应急处置")
@never_cache
@require_http_methods(["GET", "POST"])
def incident_page(request):
    user = request.user
    form = _form(user, request.POST or None)
    if request.method == "POST":
        if not incident.can_request(user):
            raise DjangoPermissionDenied("只有安全管理员可以申请应急处置")
        if form.is_valid():
            c = form.cleaned_data
            data = incident.OrderData(
                reason=c["reason"],
                all_accounts=c["scope"] == "all",
                usernames=c["usernames"].replace("，", ",").replace(",", "\n").splitlines(),
                institution_ids=[int(i) for i in c["institutions"]],
            )
            try:
                order = incident.do_request(user, data, request=request)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request, f"应急处置#{order.pk}已提交，须由另一位管理员批准后才执行"
                )
                return redirect("accounts:incident")
        return _page(request, form, status=422)
    return _page(request, form)


@requires_any(*_VIEWERS, message="只有安全管理员和系统管理员可以使用应急处置")
@require_POST
def incident_decide(request, pk: int):
    user = request.user
    form = IncidentDecisionForm(request.POST)
    if not form.is_valid():
        return _page(request, _form(user), status=422, decision_error="请选择批准或驳回")
    c = form.cleaned_data
    try:
        if c["decision"] == "approve":
            order = incident.do_approve(user, pk, c["note"], request=request)
            result = order.result
            messages.success(
                request,
                f"应急处置#{order.pk}已执行：{result.get('accounts', 0)}个账号的会话已结束、"
                f"密码已作废，暂停{len(result.get('institutions', []))}个机构的接入。"
                "请为相关人员重置临时密码，并修改您本人的密码。",
            )
        else:
            order = incident.do_reject(user, pk, c["note"], request=request)
            messages.success(request, f"应急处置#{order.pk}已驳回")
    except NotFound:
        raise Http404("应急处置单不存在") from None
    except DomainError as exc:
        return _page(request, _form(user), status=exc.status, decision_error=exc.message)
    return redirect("accounts:incident")
