"""Programme pages: register a person in managed care (纳入管理) and end it (结束管理,
e.g. a delivery that starts the postpartum visits). Thin over programmes.py."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from huimin.core.errors import Conflict, ValidationFailed
from huimin.policy import requires
from huimin.records import programmes, schedule, services
from huimin.records.models import Programme, ProgrammeKind
from huimin.records.views import domain_errors_as_http


def _day(raw: str, field: str, errors: dict) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[field] = "日期格式应为 YYYY-MM-DD"
        return None


@requires("record.write", "您无权办理此项健康档案业务")
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def register(request, record_id: int):
    record = services.get_record(request.user, record_id)
    values = {
        "kind": "",
        "registered_on": services.today().isoformat(),
        "lmp": "",
        schedule.UNDER_TARGET_REASON: "",
    }
    errors: dict[str, str] = {}
    message = ""
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        day = _day(values["registered_on"], "registered_on", errors)
        lmp = _day(values["lmp"], "last_menstrual_period", errors)
        if values["kind"] not in ProgrammeKind.values:
            errors["kind"] = "请选择管理项目"
        if day is None and "registered_on" not in errors:
            errors["registered_on"] = "请填写纳入管理日期"
        if not errors:
            details = {"last_menstrual_period": lmp.isoformat()} if lmp else {}
            if values[schedule.UNDER_TARGET_REASON]:
                details[schedule.UNDER_TARGET_REASON] = values[schedule.UNDER_TARGET_REASON][:100]
            try:
                programmes.do_register_programme(
                    request.user, record.pk, values["kind"], day, details
                )
            except (ValidationFailed, Conflict) as exc:
                errors = dict(exc.fields or {})
                message = exc.message
            else:
                return redirect("records:record", record.pk)
        message = message or "请更正标出的内容"
    return render(
        request,
        "records/programme_form.html",
        {
            "record": record,
            "person": record.person,
            "kinds": ProgrammeKind.choices,
            "values": values,
            "errors": errors,
            "message": message,
            "ending": None,
        },
        status=422 if errors else 200,
    )


@requires("record.write", "您无权办理此项健康档案业务")
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def end(request, programme_id: int):
    programme = (
        Programme.objects.visible_to(request.user)
        .select_related("record__person")
        .filter(pk=programme_id)
    ).first()
    if programme is None:
        raise Http404("管理项目不存在")
    values = {"ended_on": services.today().isoformat(), "reason": "", "delivery_date": ""}
    errors: dict[str, str] = {}
    message = ""
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        day = _day(values["ended_on"], "ended_on", errors)
        delivered = _day(values["delivery_date"], "delivery_date", errors)
        if day is None and "ended_on" not in errors:
            errors["ended_on"] = "请填写结束管理日期"
        if not errors:
            details = {"delivery_date": delivered.isoformat()} if delivered else {}
            try:
                programmes.do_end_programme(
                    request.user, programme.pk, day, values["reason"], details
                )
            except (ValidationFailed, Conflict) as exc:
                errors = dict(exc.fields or {})
                message = exc.message
            else:
                return redirect("records:record", programme.record_id)
        message = message or "请更正标出的内容"
    reasons = [
        (code, label)
        for code, label in schedule.END_REASONS.items()
        if programme.kind == "pregnancy" or code not in ("delivery", "pregnancy_loss")
    ]
    return render(
        request,
        "records/programme_form.html",
        {
            "record": programme.record,
            "person": programme.record.person,
            "ending": programme,
            "reasons": reasons,
            "values": values,
            "errors": errors,
            "message": message,
        },
        status=422 if errors else 200,
    )
