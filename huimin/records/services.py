"""Health-record use cases: open a file, save and sign forms, amend signed forms.

`check_*` validate and check access; `do_*` write inside one transaction with their
audit record. Every read of a person's record goes through `read_record` (audited).
After any change a schedule or quality rule can see, `_touched(record)` marks the
record for the incremental quality run and refreshes its due services.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from huimin.audit.services import record as audit
from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.insurance.models import Visit
from huimin.policy import check_perm, get_visible_or_404
from huimin.records import due
from huimin.records.forms import SPECS
from huimin.records.forms.spec import Context, FormSpec, Problem, clean
from huimin.records.models import Form, FormStatus, HealthRecord, Programme
from huimin.registry.models import Person


def today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- access


def check_can(user, permission: str, region_code: str | None = None) -> None:
    check_perm(
        user,
        permission,
        region_code,
        message="您无权办理此项健康档案业务",
        scope_message="该档案不在您的辖区内",
    )


def get_record(user, record_id: int, *, for_update: bool = False) -> HealthRecord:
    rows = HealthRecord.objects.visible_to(user).select_related("person")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    try:
        return rows.get(pk=record_id)
    except HealthRecord.DoesNotExist:
        raise NotFound("健康档案") from None


def read_record(user, record_id: int, *, request=None, purpose: str = "") -> HealthRecord:
    """A record for display, with its audit record (who read whose file, and why)."""
    check_can(user, "record.read")
    return get_visible_or_404(
        user,
        HealthRecord.objects.select_related("person"),
        record_id,
        purpose,
        request=request,
        object_type="records.record",
        what="健康档案",
    )


def context_for(person: Person | None, on: dt.date | None = None) -> Context:
    if person is None:
        return Context(today=on or today())
    return Context(
        today=on or today(),
        birth_date=person.birth_date,
        sex=person.sex,
        death_date=person.death_date,
    )


def problems_to_fields(problems: list[Problem]) -> dict[str, str]:
    """The error contract's `fields`: the first reason per field."""
    out: dict[str, str] = {}
    for p in problems:
        out.setdefault(p.field, p.message)
    return out


def refuse(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(
            problems_to_fields(problems),
            message="表单有错误：" + "；".join(p.message for p in problems[:3]),
        )


# ---------------------------------------------------------------- records


def _next_record_number(village_code: str) -> str:
    last = (
        HealthRecord.objects.filter(number__startswith=village_code)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last[12:]) + 1 if last else 1
    if serial > 99999:
        raise Conflict("record_numbers_exhausted", "本村档案编号已用完")
    return f"{village_code}{serial:05d}"


def do_open_record(user, person_id: int, *, opened_on: dt.date | None = None) -> HealthRecord:
    """建档: one file per person, numbered within the person's village."""
    with transaction.atomic():
        try:
            # No key update (registry do_update_person says why).
            person = (
                Person.objects.visible_to(user).select_for_update(no_key=True).get(pk=person_id)
            )
        except Person.DoesNotExist:
            raise NotFound("居民") from None
        check_can(user, "record.write", person.village_id)
        if HealthRecord.objects.filter(person=person).exists():
            raise Conflict("record_exists", "该居民已建档")
        if person.death_date is not None:
            raise Conflict("person_deceased", "居民已死亡，不能新建档案")
        opened_on = opened_on or today()
        if opened_on > today():
            raise ValidationFailed({"opened_on": "建档日期不能晚于今天"})
        record = HealthRecord.objects.create(
            person=person,
            number=_next_record_number(person.village_id),
            region_code=person.village_id,
            responsible_doctor=user if _is_doctor(user) else None,
            opened_on=opened_on,
            opened_by=user,
            last_activity_on=opened_on,
        )
        audit(
            action="create",
            object_type="records.record",
            object_id=str(record.pk),
            region_code=record.region_code,
            actor=user,
        )
        return record


def _is_doctor(user) -> bool:
    staff = getattr(user, "staff", None)
    return staff is not None and staff.role in ("village_doctor", "doctor")


# ---------------------------------------------------------------- forms


def spec_of(kind: str) -> FormSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise ValidationFailed({"kind": f"没有表单“{kind}”"}) from None


def _apply(form: Form, spec: FormSpec, data: dict) -> None:
    """Copy the cleaned data and the columns lifted out of it onto the form."""
    form.data = data
    service_day = data.get(spec.date_field)
    form.service_date = dt.date.fromisoformat(service_day) if service_day else None
    nxt = data.get(spec.next_due_field) if spec.next_due_field else None
    form.next_due_date = dt.date.fromisoformat(nxt) if nxt else None
    form.doctor_name = data.get(spec.doctor_field, "") if spec.doctor_field else ""
    for source, column in spec.measures.items():
        setattr(form, column, data.get(source))


def _check_writable(user, record: HealthRecord | None, region_code: str) -> None:
    check_can(user, "record.write", region_code)
    if record is not None and record.read_only:
        raise Conflict("record_closed", "档案已结案或销毁，只能查阅")


def do_save_form(
    user,
    kind: str,
    raw: dict,
    *,
    record_id: int | None = None,
    form_id: int | None = None,
    sign: bool = False,
    region_code: str | None = None,
    visit_id: int | None = None,
    programme_id: int | None = None,
) -> tuple[Form, list[Problem]]:
    """Save a draft (problems are returned, the typed data is kept) or sign (every
    problem refuses and nothing changes). `form_id` continues an existing draft."""
    spec = spec_of(kind)
    with transaction.atomic():
        record = None
        person = None
        if spec.per_person:
            if record_id is None:
                raise ValidationFailed({"record": "请选择健康档案"})
            record = get_record(user, record_id, for_update=True)
            person = record.person
            region_code = record.region_code
        elif not region_code:
            raise ValidationFailed({"region_code": "请选择所属村（居）"})
        _check_writable(user, record, region_code)
        data, problems = clean(spec, raw, context_for(person), final=sign)
        if sign:
            refuse(problems)
        if form_id is not None:
            form = _draft_for_update(user, form_id, kind, record)
        else:
            form = Form(
                kind=kind, record=record, person=person, region_code=region_code, created_by=user
            )
        if visit_id is not None:
            form.visit_id = _visit_of(person, visit_id)
        if programme_id is not None:
            form.programme_id = _programme_of(record, programme_id)
        _apply(form, spec, data)
        if sign:
            form.status = FormStatus.SIGNED
            form.signed_by = user
            form.signed_at = timezone.now()
        form.save()
        audit(
            action="sign" if sign else "update",
            object_type=f"records.form.{kind}",
            object_id=str(form.pk),
            region_code=region_code,
            actor=user,
        )
        if record is not None:
            _touched(record, form.service_date if sign else None)
        return form, problems


def _draft_for_update(user, form_id: int, kind: str, record) -> Form:
    try:
        form = Form.objects.visible_to(user).select_for_update().get(pk=form_id)
    except Form.DoesNotExist:
        raise NotFound("表单") from None
    if form.kind != kind or form.record_id != (record.pk if record else None):
        raise Conflict("form_mismatch", "表单与档案不符")
    if form.status != FormStatus.DRAFT:
        raise Conflict("form_signed", "表单已签名，只能以更正方式修改（保留原表）")
    return form


def _visit_of(person, visit_id: int) -> int:
    if person is None or not Visit.objects.filter(pk=visit_id, person=person).exists():
        raise ValidationFailed({"visit": "就诊记录不存在或不属于该居民"})
    return visit_id


def _programme_of(record, programme_id: int) -> int:
    if record is None or not Programme.objects.filter(pk=programme_id, record=record).exists():
        raise ValidationFailed({"programme": "管理项目不存在或不属于该档案"})
    return programme_id


def do_amend_form(user, form_id: int, raw: dict, reason: str) -> Form:
    """更正: a signed form is replaced by a new signed form; the original is kept,
    marked AMENDED, and both stay readable."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "请填写更正原因"})
    with transaction.atomic():
        try:
            original = (
                Form.objects.visible_to(user)
                .select_for_update(of=("self",))
                .select_related("person")
                .get(pk=form_id)
            )
        except Form.DoesNotExist:
            raise NotFound("表单") from None
        record = None
        if original.record_id:
            record = get_record(user, original.record_id, for_update=True)
        _check_writable(user, record, original.region_code)
        if original.status != FormStatus.SIGNED:
            raise Conflict("form_not_signed", "只有已签名的表单需要更正；草稿可直接修改")
        spec = spec_of(original.kind)
        data, problems = clean(spec, raw, context_for(original.person), final=True)
        refuse(problems)
        amendment = Form(
            kind=original.kind,
            record=original.record,
            person=original.person,
            region_code=original.region_code,
            programme_id=original.programme_id,
            visit_id=original.visit_id,
            amends=original,
            amend_reason=reason[:200],
            status=FormStatus.SIGNED,
            created_by=user,
            signed_by=user,
            signed_at=timezone.now(),
        )
        _apply(amendment, spec, data)
        original.status = FormStatus.AMENDED
        original.save(update_fields=["status", "updated_at"])
        amendment.save()
        audit(
            action="amend",
            object_type=f"records.form.{original.kind}",
            object_id=str(amendment.pk),
            region_code=original.region_code,
            changes={"amends": [original.pk, amendment.pk]},
            reason=reason[:200],
            actor=user,
        )
        if record is not None:
            _touched(record, amendment.service_date)
        return amendment


def _touched(record: HealthRecord, activity_on: dt.date | None) -> None:
    """After a change: the quality run must look again, due services follow, and a
    dated service makes the record in use (动态使用)."""
    updates = {"changed_at": timezone.now()}
    if activity_on is not None and (
        record.last_activity_on is None or activity_on > record.last_activity_on
    ):
        updates["last_activity_on"] = activity_on
    HealthRecord.objects.filter(pk=record.pk).update(**updates)
    due.refresh(record)


def in_use(last_activity_on: dt.date | None, on: dt.date) -> bool:
    """动态使用: a visit, service or form within the 12 months up to `on`."""
    if last_activity_on is None:
        return False
    return (on - last_activity_on).days < 365
