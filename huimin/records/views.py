"""Health-record pages: thin views over services.py and read_models.py.

Form pages render any FormSpec generically. A submit with problems answers with the
page holding everything that was typed (never an empty form), so a half-filled
follow-up is not lost; static/records/offline.js keeps a local copy on top.
"""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.core.text import ascii_digits
from huimin.insurance.models import Visit
from huimin.policy import requires
from huimin.records import read_models, services
from huimin.records.forms import SPECS
from huimin.records.forms.spec import BOOL, CODE, CODES, DATE, DECIMAL, INT, ROWS, FormSpec, clean
from huimin.records.models import Form, FormStatus, HealthRecord, Programme
from huimin.registry import queries
from huimin.registry import services as registry
from huimin.registry.models import HouseholdMembership, Person

SEARCH_LIMIT = 50
# Marks the page a save ends on: offline.js drops its local copy only on seeing it (a
# login page after an expired session is a 200 too, and must not cost the typed form).
SAVED_HEADER = "X-Huimin-Saved"
BLANK_ROWS = 2  # empty rows offered under a repeatable field's filled ones
MIN_ROWS = 3


def domain_errors_as_http(view):
    """NotFound → 404 page, PermissionDenied → 403 page (the audit is already written)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from None

    return wrapped


# ---------------------------------------------------------------- home: search, 建档


def _search(user, q: str) -> list[Person]:
    q = q.strip()
    people = Person.objects.visible_to(user)
    if "*" in q:
        # A masked ID as printed on a receipt or list: 430521********1234.
        rows = people.filter(id_number_masked=q)
    else:
        rows = queries.search_people(people, q)
    return list(
        rows.select_related("village", "health_record").order_by("name", "id")[:SEARCH_LIMIT]
    )


@requires("record.read", "您的角色不能查看健康档案")
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def home(request):
    user = request.user
    # The search box posts: a full ID number stays out of the address bar and history.
    q = (request.POST.get("q") or request.GET.get("q", "")).strip()[:60]
    rows = []
    if q:
        rows = _search(user, q)
        registry.audit_search(user, "registry.person", rows, "search", request=request)
    today = services.today()
    results = [
        {
            "person": p,
            "age": read_models.age_on(p.birth_date, p.death_date or today),
            "record": getattr(p, "health_record", None),
        }
        for p in rows
    ]
    return render(
        request,
        "records/home.html",
        {
            "q": q,
            "results": results,
            "can_write": may(user, "record.write"),
        },
    )


def may(user, permission: str) -> bool:
    try:
        services.check_can(user, permission)
    except PermissionDenied:
        return False
    return True


@requires("record.write", "您无权办理此项健康档案业务")
@require_POST
@domain_errors_as_http
def open_record(request):
    try:
        person_id = int(request.POST.get("person", ""))
    except ValueError:
        raise Http404("居民不存在") from None
    try:
        record = services.do_open_record(request.user, person_id)
    except Conflict as exc:
        if exc.code != "record_exists":
            return render(request, "records/message.html", {"message": exc.message}, status=409)
        record = HealthRecord.objects.visible_to(request.user).get(person_id=person_id)
    return redirect("records:record", record.pk)


# ---------------------------------------------------------------- record page


@requires("record.read", "您的角色不能查看健康档案")
@require_GET
@domain_errors_as_http
def record(request, record_id: int):
    user = request.user
    services.read_record(user, record_id, request=request, purpose="查阅健康档案")
    rec = read_models.load(record_id)
    summary = read_models.summary(rec, services.today())
    return render(
        request,
        "records/record.html",
        {
            "s": summary,
            "record": rec,
            "can_write": not rec.read_only and may(user, "record.write"),
            "form_kinds": _kinds_for(rec.person, services.today()),
            "form_kind_names": set(SPECS),
            "household_id": HouseholdMembership.objects.filter(
                person_id=rec.person_id, left_on__isnull=True
            )
            .values_list("household_id", flat=True)
            .first(),
        },
    )


def _kinds_for(person: Person, on) -> list[FormSpec]:
    """The person-level forms that apply to this person's sex and age today (the form
    itself checks the age on its service date)."""
    age = read_models.age_on(person.birth_date, on)
    return [
        spec
        for spec in SPECS.values()
        if spec.per_person
        and (spec.sexes is None or person.sex in spec.sexes)
        and (spec.min_age is None or age is None or age >= spec.min_age)
        and (spec.max_age is None or age is None or age <= spec.max_age)
    ]


@requires("record.read", "您的角色不能查看健康档案")
@require_GET
@domain_errors_as_http
def household(request, household_id: int):
    user = request.user
    hh = registry.read_household(user, household_id, request=request, purpose="家庭健康档案")
    members = (
        HouseholdMembership.objects.filter(household=hh, left_on__isnull=True)
        .select_related("person__health_record")
        .order_by("relation", "id")
    )
    today = services.today()
    rows = [
        {
            "m": m,
            "person": m.person,
            "age": read_models.age_on(m.person.birth_date, m.person.death_date or today),
            "record": getattr(m.person, "health_record", None),
        }
        for m in members
    ]
    return render(request, "records/household.html", {"household": hh, "rows": rows})


# ---------------------------------------------------------------- generic form rendering


def raw_from_post(spec: FormSpec, post) -> dict:
    """What the page posted, shaped as `clean` takes it (lists for CODES, row dicts)."""
    raw: dict = {}
    for f in spec.fields:
        if f.derived:
            continue
        if f.kind == CODES:
            raw[f.name] = post.getlist(f.name)
        elif f.kind == ROWS:
            rows: dict[int, dict] = {}
            prefix = f.name + "."
            for key in post:
                if not key.startswith(prefix):
                    continue
                index, _, col = key[len(prefix) :].partition(".")
                if ascii_digits(index) and int(index) < 100 and col:
                    rows.setdefault(int(index), {})[col] = post.get(key)
            raw[f.name] = [rows[i] for i in sorted(rows)]
        else:
            raw[f.name] = post.get(f.name, "")
    return raw


def _value_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def widgets(spec: FormSpec, values: dict, errors: dict[str, str], *, read_only=False) -> list:
    """The spec's sections as plain dicts the template lays out."""
    out = []
    for section, fields in spec.sections:
        items = []
        for f in fields:
            value = values.get(f.name)
            item = {
                "name": f.name,
                "label": f.label,
                "kind": f.kind,
                "unit": f.unit,
                "required": f.required,
                "derived": f.derived,
                "min": f.min,
                "max": f.max,
                "step": "1" if f.kind == INT else (str(10**-f.places) if f.kind == DECIMAL else ""),
                "error": errors.get(f.name, ""),
                "value": _value_text(value),
                "input": {INT: "number", DECIMAL: "number", DATE: "date"}.get(f.kind, "text"),
                "max_length": f.max_length,
                "display": f"{_value_text(value)} {f.unit}".strip() if value is not None else "",
            }
            if f.kind in (CODE, CODES):
                chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
                item["choices"] = [
                    {"code": c, "label": label, "checked": c in chosen}
                    for c, label in (f.codes or {}).items()
                ]
                item["radio"] = len(f.codes or {}) <= 6
                item["display"] = "、".join(
                    (f.codes or {}).get(str(c), str(c))
                    for c in (value if isinstance(value, list) else [value] if value else [])
                )
            if f.kind == BOOL:
                item["display"] = {"1": "是", "0": "否"}.get(_value_text(value), "")
            if f.kind == ROWS:
                rows = value if isinstance(value, list) else []
                count = len(rows) if read_only else max(MIN_ROWS, len(rows) + BLANK_ROWS)
                item["columns"] = [{"name": c.name, "label": c.label} for c in f.rows]
                item["rows"] = [
                    {
                        "index": i,
                        "cells": [
                            {
                                "name": f"{f.name}.{i}.{c.name}",
                                "label": c.label,
                                "value": _value_text(
                                    (
                                        rows[i]
                                        if i < len(rows) and isinstance(rows[i], dict)
                                        else {}
                                    ).get(c.name)
                                ),
                                "error": errors.get(f"{f.name}.{i}.{c.name}", ""),
                                "max_length": c.max_length,
                            }
                            for c in f.rows
                        ],
                    }
                    for i in range(count)
                ]
                item["error"] = item["error"] or "；".join(
                    msg for key, msg in errors.items() if key.startswith(f.name + ".")
                )
            items.append(item)
        out.append({"title": section, "fields": items})
    return out


def _errors(problems) -> dict[str, str]:
    return services.problems_to_fields(problems) if problems else {}


def _form_context(
    request,
    spec: FormSpec,
    rec: HealthRecord,
    *,
    values: dict,
    errors: dict[str, str],
    action: str,
    form: Form | None = None,
    message: str = "",
    message_kind: str = "error",
    visit_id: int | None = None,
    programme_id: int | None = None,
    read_only: bool = False,
    amend_of: Form | None = None,
) -> dict:
    known = {f.name for f in spec.fields}
    for row in spec.fields:
        if row.kind == ROWS:
            known.update(k for k in errors if k.startswith(row.name + "."))
    return {
        "spec": spec,
        "record": rec,
        "person": rec.person,
        "form": form,
        "sections": widgets(spec, values, errors, read_only=read_only),
        # Problems that belong to no field of the page (eligibility, the record itself).
        "other_errors": [msg for key, msg in errors.items() if key not in known],
        "error_count": len(errors),
        "action": action,
        "message": message,
        "message_kind": message_kind,
        "visit_id": visit_id,
        "programme_id": programme_id,
        "read_only": read_only,
        "amend_of": amend_of,
        "can_amend": form is not None
        and form.status == FormStatus.SIGNED
        and not rec.read_only
        and may(request.user, "record.write"),
        # The offline script restores a local copy only when it is newer than this.
        "server_saved_ms": int(form.updated_at.timestamp() * 1000) if form else 0,
    }


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def _prefill(user, spec: FormSpec, rec: HealthRecord, visit_id: int | None) -> dict:
    """A new form starts with the day, the doctor's name, and — from an insured visit — the
    visit's date and the outpatient mode; height carries over from the last signed form."""
    values: dict = {}
    if spec.doctor_field:
        values[spec.doctor_field] = user.get_full_name() or user.get_username()
    last = (
        Form.objects.filter(record=rec, kind=spec.kind, status=FormStatus.SIGNED)
        .order_by("-service_date", "-id")
        .values_list("data", flat=True)
        .first()
    )
    if last:
        for name in ("height", "weight_target", "medications"):
            if name in last and any(f.name == name for f in spec.fields):
                values[name] = last[name]
    if visit_id is not None:
        visit = Visit.objects.filter(pk=visit_id, person_id=rec.person_id).first()
        if visit is None:
            raise Http404("就诊记录不存在")
        values[spec.date_field] = visit.visit_date.isoformat()
        if any(f.name == "mode" for f in spec.fields):
            values["mode"] = "1"  # 门诊: the follow-up is done at the visit
    else:
        values[spec.date_field] = services.today().isoformat()
    return values


def _open_programme_id(rec: HealthRecord, kind: str) -> int | None:
    wanted = {v: k for k, v in read_models.FOLLOWUP_OF_PROGRAMME.items()}.get(kind)
    if wanted is None:
        return None
    return (
        Programme.objects.filter(record=rec, kind=wanted, ended_on__isnull=True)
        .values_list("id", flat=True)
        .first()
    )


def _save(request, spec: FormSpec, rec: HealthRecord, *, form: Form | None, action: str):
    """POST of a form page: 保存草稿 (problems shown, draft kept) or 签名提交 (problems refuse)."""
    user = request.user
    raw = raw_from_post(spec, request.POST)
    sign = request.POST.get("action") == "sign"
    visit_id = _int_or_none(request.POST.get("visit"))
    programme_id = _int_or_none(request.POST.get("programme"))
    if form is not None:
        visit_id = programme_id = None  # kept on the draft already
    context = {"visit_id": visit_id, "programme_id": programme_id}
    try:
        saved, problems = services.do_save_form(
            user,
            spec.kind,
            raw,
            record_id=rec.pk,
            form_id=form.pk if form else None,
            sign=sign,
            visit_id=visit_id,
            programme_id=programme_id,
        )
    except ValidationFailed as exc:
        return _render_form(
            request,
            spec,
            rec,
            raw,
            exc.fields,
            action,
            form=form,
            status=422,
            message=("未能签名提交" if sign else "未能保存草稿")
            + "：请按提示修改标红的项目（您填写的内容都在）。",
            **context,
        )
    except Conflict as exc:
        return _render_form(
            request,
            spec,
            rec,
            raw,
            exc.fields,
            action,
            form=form,
            status=409,
            message=exc.message,
            **context,
        )
    url = reverse("records:form", args=[saved.pk])
    if problems:
        # Saved as a draft, but show what still needs fixing beside the typed values.
        response = _render_form(
            request,
            spec,
            rec,
            raw,
            _errors(problems),
            url,
            form=saved,
            status=200,
            message=f"草稿已保存；还有{len(_errors(problems))}处问题需在签名前修改。",
            message_kind="notice",
        )
        response["X-Form-Url"] = url
        response[SAVED_HEADER] = "1"
        return response
    return redirect(url + ("?signed=1" if sign else "?saved=1"))


def _render_form(request, spec, rec, values, errors, action, *, status=200, **kw):
    context = _form_context(request, spec, rec, values=values, errors=errors, action=action, **kw)
    return render(request, "records/form.html", context, status=status)


@requires("record.write", "您无权办理此项健康档案业务")
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def form_new(request, record_id: int, kind: str):
    user = request.user
    spec = SPECS.get(kind)
    if spec is None or not spec.per_person:
        raise Http404("没有这种表单")
    rec = services.get_record(user, record_id)
    if rec.read_only:
        return render(
            request,
            "records/message.html",
            {"message": "档案已结案或销毁，只能查阅，不能再填写表单"},
            status=409,
        )
    action = request.path
    if request.method == "POST":
        return _save(request, spec, rec, form=None, action=action)
    visit_id = _int_or_none(request.GET.get("visit"))
    values = _prefill(user, spec, rec, visit_id)
    return _render_form(
        request,
        spec,
        rec,
        values,
        {},
        action,
        visit_id=visit_id,
        programme_id=_open_programme_id(rec, kind),
    )


def _form_of(user, form_id: int) -> Form:
    services.check_can(user, "record.read")
    form = (
        Form.objects.visible_to(user)
        .select_related("record__person", "amends", "amendment")
        .filter(pk=form_id)
        .first()
    )
    if form is None or form.record is None:
        raise NotFound("表单")
    return form


@requires("record.read", "您的角色不能查看健康档案")
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def form_view(request, form_id: int):
    user = request.user
    form = _form_of(user, form_id)
    spec = services.spec_of(form.kind)
    rec = form.record
    services.read_record(user, rec.pk, request=request, purpose=f"查阅表单{form.pk}")
    if request.method == "POST":
        if form.status != FormStatus.DRAFT:
            # Overwriting a signed form is refused: only an amendment may change it.
            return _render_form(
                request,
                spec,
                rec,
                form.data,
                {},
                request.path,
                form=form,
                status=409,
                read_only=True,
                message="表单已签名，只能以“更正”方式修改（保留原表）。",
            )
        return _save(request, spec, rec, form=form, action=request.path)
    read_only = form.status != FormStatus.DRAFT or rec.read_only or not may(user, "record.write")
    values = dict(form.data)
    errors = {}
    if form.status == FormStatus.DRAFT:
        # A draft shows its open problems again (a signed form has none).
        _, problems = clean(spec, form.data, services.context_for(rec.person), final=False)
        errors = _errors(problems)
    message, kind = "", "notice"
    if request.GET.get("saved"):
        message = "草稿已保存。"
    elif request.GET.get("signed"):
        message = "已签名提交。"
    response = _render_form(
        request,
        spec,
        rec,
        values,
        errors,
        request.path,
        form=form,
        read_only=read_only,
        message=message,
        message_kind=kind,
    )
    if message:
        response[SAVED_HEADER] = "1"
    return response


@requires("record.write", "您无权办理此项健康档案业务")
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def form_amend(request, form_id: int):
    user = request.user
    original = _form_of(user, form_id)
    spec = services.spec_of(original.kind)
    rec = original.record
    if original.status != FormStatus.SIGNED:
        return redirect("records:form", original.pk)
    services.read_record(user, rec.pk, request=request, purpose=f"更正表单{original.pk}")
    reason = request.POST.get("reason", "").strip()[:200] if request.method == "POST" else ""
    if request.method == "POST":
        raw = raw_from_post(spec, request.POST)
        try:
            amendment = services.do_amend_form(user, original.pk, raw, reason)
        except (ValidationFailed, Conflict) as exc:
            context = _form_context(
                request,
                spec,
                rec,
                values=raw,
                errors=exc.fields,
                action=request.path,
                form=original,
                amend_of=original,
                message="未能保存更正：" + exc.message,
            )
            context["reason"] = reason
            context["original_sections"] = widgets(spec, original.data, {}, read_only=True)
            status = 422 if isinstance(exc, ValidationFailed) else 409
            return render(request, "records/form.html", context, status=status)
        return redirect(reverse("records:form", args=[amendment.pk]) + "?signed=1")
    context = _form_context(
        request,
        spec,
        rec,
        values=dict(original.data),
        errors={},
        action=request.path,
        form=original,
        amend_of=original,
    )
    context["reason"] = reason
    context["original_sections"] = widgets(spec, original.data, {}, read_only=True)
    return render(request, "records/form.html", context)
