"""Archive pages (档案管理): a record's archive actions, transfers out and their traces,
appraisal, and the destruction register with its approvals. Thin over archive.py."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from huimin.core.errors import DomainError, NotFound, PermissionDenied
from huimin.core.names import mask_name
from huimin.policy import has_perm, reads, requires_any
from huimin.records import archive, archive_rules, services
from huimin.records.models import Destruction, DestructionStatus, RecordStatus

LIST_SIZE = 200


def _may(user, *permissions) -> bool:
    return any(has_perm(user, p) for p in permissions)


def archive_staff(view):
    @wraps(view)
    def checked(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from None

    return requires_any("record.archive", "record.destroy_approve", message="您无权办理档案管理")(
        checked
    )


def _audit_list(request, model_label: str, rows, description: str) -> None:
    """A list of records (masked names, numbers): one audit event naming them and whose
    they are. Rows reach their person through `record` or are records themselves."""
    reads.audit_listing(
        request.user,
        model_label=model_label,
        rows=rows,
        person_ids=[r.person_id if hasattr(r, "person_id") else r.record.person_id for r in rows],
        query_description=description,
        request=request,
    )


def _say(request, exc: DomainError) -> None:
    messages.error(request, "；".join(exc.fields.values()) if exc.fields else exc.message)


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip()) if raw else None
    except ValueError:
        return None


@archive_staff
@require_GET
def home(request):
    user = request.user
    pending = list(
        archive.register(user)
        .filter(status__in=archive.PENDING)
        .select_related("record")[:LIST_SIZE]
    )
    transfers = list(archive.transfers_out(user)[:20])
    _audit_list(request, "records.transfer", transfers, "档案管理：迁出记录")
    _audit_list(request, "records.destruction", pending, "档案管理：待审批销毁")
    return render(
        request,
        "records/archive_home.html",
        {
            "transfers": transfers,
            "pending": pending,
            "may_approve": _may(user, "record.destroy_approve"),
        },
    )


@archive_staff
@require_GET
def record_page(request, record_id: int):
    user = request.user
    record = services.read_record(user, record_id, request=request, purpose="档案管理")
    person = record.person
    eligible_on = archive.eligible_on(record)
    return render(
        request,
        "records/archive_record.html",
        {
            "record": record,
            "name": mask_name(person.name),
            "death_date": person.death_date,
            "active": record.status == RecordStatus.ACTIVE,
            "eligible_on": eligible_on,
            "eligible": eligible_on is not None and eligible_on <= services.today(),
            "doctors": archive.doctors_for(record.region_code) if not record.read_only else [],
            "reasons": archive_rules.CLOSE_REASONS.items(),
            "today": services.today(),
            "transfers": record.transfers.all(),
            "destructions": Destruction.objects.filter(record=record),
            "may_archive": _may(user, "record.archive"),
        },
    )


def _act(request, record_id: int, done: str, action) -> object:
    try:
        action()
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        _say(request, exc)
    else:
        messages.success(request, done)
    return redirect("records:archive_record", record_id)


@archive_staff
@require_POST
def transfer(request, record_id: int):
    try:
        trace = archive.do_transfer_record(
            request.user,
            record_id,
            request.POST.get("to_region_code", ""),
            request.POST.get("reason", ""),
            request=request,
        )
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        _say(request, exc)
        return redirect("records:archive_record", record_id)
    # The record has left this area: its trace is what remains to show here.
    messages.success(request, "档案已迁出，本辖区保留迁移记录")
    return redirect("records:archive_transfer", trace.pk)


@archive_staff
@require_POST
def assign_doctor(request, record_id: int):
    try:
        doctor_id = int(request.POST.get("doctor", ""))
    except ValueError:
        doctor_id = 0
    return _act(
        request,
        record_id,
        "已指定责任医生",
        lambda: archive.do_assign_doctor(request.user, record_id, doctor_id, request=request),
    )


@archive_staff
@require_POST
def close(request, record_id: int):
    closed_on = _date(request.POST.get("closed_on"))
    if request.POST.get("closed_on") and closed_on is None:
        messages.error(request, "结案日期格式应为 年-月-日")
        return redirect("records:archive_record", record_id)
    return _act(
        request,
        record_id,
        "档案已结案",
        lambda: archive.do_close_record(
            request.user, record_id, request.POST.get("reason", ""), closed_on, request=request
        ),
    )


@archive_staff
@require_POST
def request_destruction(request, record_id: int):
    return _act(
        request,
        record_id,
        "销毁申请已提交，待两人审批",
        lambda: archive.do_request_destruction(
            request.user, record_id, request.POST.get("basis", ""), request=request
        ),
    )


@archive_staff
@require_GET
def transfers(request):
    rows = list(archive.transfers_out(request.user)[:LIST_SIZE])
    names = archive.region_names(
        [t.from_region_code for t in rows] + [t.to_region_code for t in rows]
    )
    return render(
        request,
        "records/archive_transfers.html",
        {"rows": [(t, names, mask_name(t.record.person.name)) for t in rows]},
    )


@archive_staff
@require_GET
def transfer_trace(request, transfer_id: int):
    trace = archive.read_transfer(request.user, transfer_id, request=request)
    names = archive.region_names([trace.from_region_code, trace.to_region_code])
    return render(
        request,
        "records/archive_transfer.html",
        {
            "trace": trace,
            "name": mask_name(trace.record.person.name),
            "from_name": names.get(trace.from_region_code, ""),
            "to_name": names.get(trace.to_region_code, ""),
        },
    )


@archive_staff
@require_GET
def appraisal(request):
    eligible, kept, years = archive.appraisal(request.user)
    eligible_rows, kept_rows = list(eligible[:LIST_SIZE]), list(kept[:LIST_SIZE])
    _audit_list(request, "records.record", [*eligible_rows, *kept_rows], "档案管理：鉴定")
    return render(
        request,
        "records/archive_appraisal.html",
        {
            "years": years,
            "eligible_count": eligible.count(),
            "kept_count": kept.count(),
            "eligible": [
                (r, mask_name(r.person.name), archive.eligible_on(r)) for r in eligible_rows
            ],
            "kept": [(r, mask_name(r.person.name), archive.eligible_on(r)) for r in kept_rows],
        },
    )


@archive_staff
@require_GET
def register(request):
    rows = archive.register(request.user)
    status = request.GET.get("status", "")
    if status in DestructionStatus.values:
        rows = rows.filter(status=status)
    rows = list(rows.select_related("record")[:LIST_SIZE])
    _audit_list(request, "records.destruction", rows, "档案销毁登记簿")
    return render(
        request,
        "records/archive_register.html",
        {
            "rows": rows,
            "statuses": DestructionStatus.choices,
            "status": status,
            "may_approve": _may(request.user, "record.destroy_approve"),
            "printed_on": services.today(),
        },
    )


@archive_staff
@require_POST
def decide(request, destruction_id: int):
    approve = request.POST.get("decision") == "approve"
    note = request.POST.get("note", "")
    try:
        if approve:
            entry = archive.do_approve_destruction(
                request.user, destruction_id, note, request=request
            )
        else:
            entry = archive.do_refuse_destruction(
                request.user, destruction_id, note, request=request
            )
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        _say(request, exc)
    else:
        messages.success(request, f"{entry.record_number}：{entry.get_status_display()}")
    return redirect("records:archive_register")
