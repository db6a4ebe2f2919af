"""Read models of a health record: plain data for pages, the API and (later) the
residents' portal.

Each builder takes an already-authorised record (services.read_record did the scoping
and the audit) and returns dicts and dataclasses with display values only — no model
instances — so a portal can render or serialise them as they are. Every builder issues
a fixed number of queries, whatever the record holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from huimin.core import dates
from huimin.core.codes import SEXES
from huimin.insurance.models import FeeDetail, Settlement, Visit, VisitStatus, VisitType
from huimin.records.models import (
    DueService,
    Finding,
    FindingStatus,
    Form,
    FormKind,
    FormStatus,
    HealthRecord,
    Programme,
    ProgrammeKind,
)
from huimin.records.services import in_use

# Bounds: the page shows the newest entries; older ones stay reachable through the API.
TIMELINE_FORMS = 200
TIMELINE_VISITS = 100

# Which follow-up form a visit becomes for each chronic programme (visit linkage).
FOLLOWUP_OF_PROGRAMME = {
    ProgrammeKind.HYPERTENSION: FormKind.HTN_FOLLOWUP,
    ProgrammeKind.DIABETES: FormKind.DM_FOLLOWUP,
}


@dataclass
class Header:
    record_id: int
    number: str
    person_id: int
    name: str
    sex: str
    age: int | None
    id_number_masked: str
    village_code: str
    village: str
    responsible_doctor: str
    status: str
    status_label: str
    qualified: bool
    in_use: bool
    deceased: bool
    opened_on: dt.date


@dataclass
class TimelineEntry:
    kind: str  # "form" or "visit"
    date: dt.date | None
    title: str
    # forms
    form_id: int | None = None
    form_kind: str = ""
    status: str = ""
    status_label: str = ""
    doctor: str = ""
    amends_id: int | None = None  # this form corrects that one
    amended_by_id: int | None = None  # this form was corrected by that one
    amend_reason: str = ""
    # visits
    visit_id: int | None = None
    institution: str = ""
    visit_type: str = ""
    diagnosis: str = ""
    dispensed: list[dict] = field(default_factory=list)  # {"name", "quantity"}
    patient_pay: Decimal | None = None
    total: Decimal | None = None
    linked_form_id: int | None = None  # the follow-up recorded from this visit
    followup_kinds: list[str] = field(default_factory=list)  # what it may still become


def age_on(birth: dt.date | None, on: dt.date) -> int | None:
    return None if birth is None else dates.age_on(birth, on)


def header(record: HealthRecord, on: dt.date) -> Header:
    """Expects `record` loaded with person__village and responsible_doctor."""
    person = record.person
    doctor = record.responsible_doctor
    return Header(
        record_id=record.pk,
        number=record.number,
        person_id=person.pk,
        name=person.name,
        sex=SEXES.get(person.sex, person.sex),
        age=age_on(person.birth_date, person.death_date or on),
        id_number_masked=person.id_number_masked,
        village_code=record.region_code,
        village=person.village.name if person.village_id else "",
        responsible_doctor=(doctor.get_full_name() or doctor.get_username()) if doctor else "",
        status=record.status,
        status_label=record.get_status_display(),
        qualified=record.qualified,
        in_use=in_use(record.last_activity_on, on),
        deceased=person.death_date is not None,
        opened_on=record.opened_on,
    )


def programmes(record: HealthRecord) -> list[dict]:
    return [
        {
            "id": p.pk,
            "kind": p.kind,
            "label": p.get_kind_display(),
            "registered_on": p.registered_on,
            "ended_on": p.ended_on,
            "open": p.ended_on is None,
        }
        for p in Programme.objects.filter(record=record).order_by("-registered_on", "-id")
    ]


def due_services(record: HealthRecord, on: dt.date) -> list[dict]:
    return [
        {
            "service": d.service,
            "occasion": d.occasion,
            "label": d.label,
            "due_on": d.due_on,
            "overdue_on": d.overdue_on,
            "overdue": d.overdue_on < on,
        }
        for d in DueService.objects.filter(record=record).order_by("overdue_on", "due_on", "id")
    ]


def open_findings(record: HealthRecord) -> list[dict]:
    return [
        {
            "id": f.pk,
            "rule": f.rule,
            "severity": f.severity,
            "severity_label": f.get_severity_display(),
            "field": f.field,
            "message": f.message,
            "form_id": f.form_id,
        }
        for f in Finding.objects.filter(record=record, status=FindingStatus.OPEN).order_by(
            "severity", "-id"
        )
    ]


def _form_entries(record: HealthRecord) -> tuple[list[TimelineEntry], dict[int, int]]:
    rows = list(
        Form.objects.filter(record=record)
        .order_by("-service_date", "-id")
        .values(
            "id",
            "kind",
            "service_date",
            "status",
            "doctor_name",
            "amends_id",
            "amend_reason",
            "visit_id",
            "created_at",
        )[:TIMELINE_FORMS]
    )
    kinds = dict(FormKind.choices)
    statuses = dict(FormStatus.choices)
    amended_by = {r["amends_id"]: r["id"] for r in rows if r["amends_id"]}
    linked = {r["visit_id"]: r["id"] for r in rows if r["visit_id"] and r["status"] != "amended"}
    entries = [
        TimelineEntry(
            kind="form",
            date=r["service_date"] or r["created_at"].date(),
            title=kinds.get(r["kind"], r["kind"]),
            form_id=r["id"],
            form_kind=r["kind"],
            status=r["status"],
            status_label=statuses.get(r["status"], r["status"]),
            doctor=r["doctor_name"],
            amends_id=r["amends_id"],
            amended_by_id=amended_by.get(r["id"]),
            amend_reason=r["amend_reason"],
        )
        for r in rows
    ]
    return entries, linked


def _visit_entries(
    record: HealthRecord, linked: dict[int, int], followups: list[tuple[str, dt.date]]
) -> list[TimelineEntry]:
    visits = list(
        Visit.objects.filter(person_id=record.person_id, status=VisitStatus.SETTLED)
        .select_related("institution")
        .only(
            "id",
            "visit_date",
            "visit_type",
            "diagnosis_name",
            "diagnosis_code",
            "institution__name",
        )
        .prefetch_related(
            Prefetch(
                "settlements",
                queryset=Settlement.objects.filter(kind="settle", reversed_at__isnull=True).only(
                    "id", "visit_id", "patient_pay", "total"
                ),
                to_attr="standing",
            ),
            Prefetch(
                "fees",
                queryset=FeeDetail.objects.filter(cancelled=False)
                .order_by("line_no")
                .only("id", "visit_id", "name", "quantity", "line_no"),
                to_attr="lines",
            ),
        )
        .order_by("-visit_date", "-id")[:TIMELINE_VISITS]
    )
    types = dict(VisitType.choices)
    out = []
    for v in visits:
        settlement = v.standing[0] if v.standing else None
        linked_form = linked.get(v.pk)
        out.append(
            TimelineEntry(
                kind="visit",
                date=v.visit_date,
                title="就诊（医保结算）",
                visit_id=v.pk,
                institution=v.institution.name,
                visit_type=types.get(v.visit_type, v.visit_type),
                diagnosis=v.diagnosis_name or v.diagnosis_code,
                dispensed=[
                    {"name": line.name, "quantity": line.quantity.normalize()} for line in v.lines
                ],
                patient_pay=settlement.patient_pay if settlement else None,
                total=settlement.total if settlement else None,
                linked_form_id=linked_form,
                followup_kinds=[]
                if linked_form
                else [kind for kind, since in followups if v.visit_date >= since],
            )
        )
    return out


def timeline(record: HealthRecord, programme_rows: list[dict] | None = None) -> list[TimelineEntry]:
    """Forms (drafts, signed, amended with their amendments) and settled insured visits,
    newest first."""
    if programme_rows is None:
        programme_rows = programmes(record)
    # (form kind, registered on) of each open chronic programme: a visit on or after the
    # registration may be recorded as that programme's follow-up.
    followups = [
        (str(FOLLOWUP_OF_PROGRAMME[p["kind"]]), p["registered_on"])
        for p in programme_rows
        if p["open"] and p["kind"] in FOLLOWUP_OF_PROGRAMME and not record.read_only
    ]
    forms, linked = _form_entries(record)
    visits = _visit_entries(record, linked, followups)
    merged = forms + visits
    # Newest first; on one day the forms (newest first) sit above the visit they follow.
    merged.sort(key=lambda e: (e.date or dt.date.min, e.kind == "form"), reverse=True)
    return merged


@dataclass
class RecordSummary:
    header: Header
    programmes: list[dict]
    due: list[dict]
    findings: list[dict]
    timeline: list[TimelineEntry]

    def as_dict(self) -> dict:
        return asdict(self)


def load(record_id: int) -> HealthRecord:
    """The record with what the header needs, in one query (access already checked)."""
    return HealthRecord.objects.select_related("person__village", "responsible_doctor").get(
        pk=record_id
    )


def summary(record: HealthRecord, on: dt.date) -> RecordSummary:
    programme_rows = programmes(record)
    return RecordSummary(
        header=header(record, on),
        programmes=programme_rows,
        due=due_services(record, on),
        findings=open_findings(record),
        timeline=timeline(record, programme_rows),
    )
