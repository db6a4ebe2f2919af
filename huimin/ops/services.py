"""Duty-log use cases: check_* validates and checks access, do_* writes in one transaction.

Every function takes the acting user explicitly. Who may read and write the duty log:
holders of "duty.write" (the system and security administrators), within their
jurisdiction.
"""

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from huimin.audit.services import record
from huimin.core.errors import NotFound, PermissionDenied, ValidationFailed
from huimin.ops import rules
from huimin.ops.models import DutyEntry, DutyKind
from huimin.policy import check_jurisdiction, has_perm, jurisdiction_of

AUDITED_FIELDS = [
    "shift_date",
    "shift",
    "kind",
    "text",
    "severity",
    "related_alert_id",
    "corrects",
    "resolves",
]


def can_write(user) -> bool:
    return bool(user and user.is_active and (has_perm(user, "duty.write")))


def check_can_write(user) -> None:
    if not can_write(user) or jurisdiction_of(user) is None:
        raise PermissionDenied("无权查看或填写值班日志")


def entries_for(user):
    """The entries a user may read: written within their jurisdiction."""
    check_can_write(user)
    return DutyEntry.objects.visible_to(user)


def get_entry(user, pk: int) -> DutyEntry:
    entry = (
        entries_for(user)
        .select_related("author", "corrects", "resolves", "correction")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise NotFound("值班日志")
    return entry


def _resolved():
    return Exists(DutyEntry.objects.filter(resolves=OuterRef("pk")))


def open_incidents(user):
    """Incidents not yet resolved whose latest version is this one (not corrected)."""
    return (
        entries_for(user)
        .filter(kind=DutyKind.INCIDENT, correction__isnull=True)
        .exclude(_resolved())
        .select_related("author")
        .order_by("id")
    )


def _referenced(user, pk: int | None, *, lock: bool) -> rules.Referenced | None:
    if pk is None:
        return None
    qs = entries_for(user)
    if lock:
        # Two people correcting (or resolving) the same entry at once: the second waits
        # here and then sees the first one's entry.
        qs = qs.select_for_update()
    entry = qs.filter(pk=pk).first()
    if entry is None:
        return None
    return rules.Referenced(
        id=entry.pk,
        kind=entry.kind,
        corrected=DutyEntry.objects.filter(corrects_id=pk).exists(),
        resolved=DutyEntry.objects.filter(resolves_id=pk).exists(),
    )


def _alert_exists(alert_id: int) -> bool:
    try:
        model = apps.get_model("audit", "SecurityAlert")
    except LookupError:
        return True  # no alerts app to check against
    return model.objects.filter(pk=alert_id).exists()


def check_duty_entry(user, data: rules.EntryInput, *, lock: bool = False) -> None:
    check_can_write(user)
    errors = rules.check_entry(
        data,
        today=timezone.localdate(),
        corrects=_referenced(user, data.corrects_id, lock=lock),
        resolves=_referenced(user, data.resolves_id, lock=lock),
    )
    if (
        "related_alert_id" not in errors
        and data.related_alert_id is not None
        and not _alert_exists(data.related_alert_id)
    ):
        errors["related_alert_id"] = "该告警编号不存在"
    if errors:
        raise ValidationFailed(errors)


def do_create_duty_entry(user, data: rules.EntryInput, *, request=None) -> DutyEntry:
    check_can_write(user)
    try:
        with transaction.atomic():
            check_duty_entry(user, data, lock=True)
            entry = DutyEntry.objects.create(
                shift_date=data.shift_date,
                shift=data.shift,
                kind=data.kind,
                text=data.text.strip(),
                severity=data.severity,
                related_alert_id=data.related_alert_id,
                corrects_id=data.corrects_id,
                resolves_id=data.resolves_id,
                author=user,
                region_code=check_jurisdiction(user),
            )
            if entry.kind == DutyKind.HANDOVER:
                entry.handed_over.set(open_incidents(user))
            record(
                action="create",
                object_type="ops.duty_entry",
                object_id=str(entry.pk),
                region_code=entry.region_code,
                fields=AUDITED_FIELDS,
                changes={
                    "kind": [None, entry.kind],
                    "severity": [None, entry.severity],
                    "corrects": [None, entry.corrects_id],
                    "resolves": [None, entry.resolves_id],
                },
                actor=user,
                request=request,
            )
            return entry
    except IntegrityError:
        # The one-correction-per-entry constraint caught a race the lock did not.
        raise ValidationFailed({"corrects": "该记录已被更正过，请更正最新的一条"}) from None
