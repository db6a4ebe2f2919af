"""Record loans (借阅): my loans, request a loan, the approver's queue, decide, end."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from huimin.accounts import conf, services
from huimin.accounts import loans as loan_services
from huimin.accounts.forms import DecisionForm, EndLoanForm, LoanRequestForm, apply_error
from huimin.core.errors import DomainError, NotFound
from huimin.policy import reads, requires, requires_any

LIST_SIZE = 100


@requires_any("person.read", "loan.approve", message="您的角色不使用档案借阅")
@require_http_methods(["GET"])
def loans(request):
    user = request.user
    mine = list(loan_services.my_loans(user)[:LIST_SIZE])
    decided = list(loan_services.decided_by(user)[:LIST_SIZE])
    reads.audit_listing(
        user,
        model_label="accounts.recordloan",
        rows=[*mine, *decided],
        query_description="我的借阅与审批记录",
        request=request,
    )
    return render(
        request,
        "accounts/loans.html",
        {
            "loans": mine,
            "decided": decided,
            "may_request": services.can(user, "person.read"),
            "may_approve": services.can(user, "loan.approve"),
            "now": timezone.now(),
        },
    )


@requires("person.read", "您无权借阅居民档案")
@never_cache
@require_http_methods(["GET", "POST"])
def loan_request(request):
    user = request.user
    max_days = conf.loan_max_days()
    form = LoanRequestForm(request.POST or None, initial={"days": max_days})
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            loan_services.do_request_loan(
                user, c["id_number"], c["reason"], c["days"], request=request
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            # The same words whoever the number belongs to, or if it belongs to no one.
            messages.success(request, "已提交")
            return redirect("accounts:loans")
    return render(request, "accounts/loan_request.html", {"form": form, "max_days": max_days})


@requires("loan.approve", "您无权审批档案借阅")
@require_http_methods(["GET"])
def loan_queue(request):
    user = request.user
    queue = list(loan_services.approver_queue(user)[:LIST_SIZE])
    # The queue names the residents asked about: a read of each of them.
    reads.audit_listing(
        user,
        model_label="accounts.recordloan",
        rows=queue,
        query_description="借阅审批待办",
        request=request,
    )
    return render(
        request,
        "accounts/loan_queue.html",
        {"loans": queue, "max_days": conf.loan_max_days()},
    )


@requires("loan.approve", "您无权审批档案借阅")
@require_POST
def loan_decide(request, pk: int):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        problems = "；".join(e for es in form.errors.values() for e in es)
        messages.error(request, "审批内容有误：" + problems)
        return redirect("accounts:loan_queue")
    c = form.cleaned_data
    try:
        loan = loan_services.do_decide_loan(
            request.user,
            pk,
            approve=c["decision"] == "approve",
            note=c["note"],
            days=c["days"],
            request=request,
        )
    except NotFound:
        raise Http404("借阅申请不存在") from None
    except DomainError as exc:
        messages.error(request, exc.message if not exc.fields else "；".join(exc.fields.values()))
    else:
        messages.success(request, f"已{loan.get_status_display()}")
    return redirect("accounts:loan_queue")


@requires_any("person.read", "loan.approve", message="您的角色不使用档案借阅")
@require_POST
def loan_end(request, pk: int):
    form = EndLoanForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        loan_services.do_end_loan(request.user, pk, note=note, request=request)
    except NotFound:
        raise Http404("借阅不存在") from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "借阅已结束")
    return redirect("accounts:loans")
