"""Access checks and audited reads of people and households; ID-number search."""

import datetime

from django.utils import timezone

from huimin.audit.services import record
from huimin.core import idnumber
from huimin.core.errors import NotFound, PermissionDenied, ValidationFailed
from huimin.policy import check_perm, get_visible_or_404, has_perm, reads
from huimin.registry.models import (
    Household,
    Person,
    id_number_lookups,
)


def _audit(user, action: str, object_type: str, object_id, region_code: str, **kw) -> None:
    """The audit record of a registry write, in the write's own transaction."""
    record(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        region_code=region_code,
        actor=user,
        **kw,
    )


_AUDITED_PERSON_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "id_number_masked",
    "ethnicity",
    "phone_masked",
    "ss_card_masked",
    "village_id",
    "resident_type",
)


def today() -> datetime.date:
    return timezone.localdate()


def check_can_write(user, region_code: str, permission: str = "registry.write") -> None:
    check_perm(user, permission, region_code, message="无权修改居民登记信息")


def get_person(user, person_id: int) -> Person:
    try:
        return Person.objects.visible_to(user).select_related("village").get(pk=person_id)
    except Person.DoesNotExist:
        raise NotFound("居民") from None


def get_household(user, household_id: int) -> Household:
    try:
        return Household.objects.visible_to(user).select_related("village").get(pk=household_id)
    except Household.DoesNotExist:
        raise NotFound("家庭户") from None


def check_can_read_people(user) -> None:
    # The three administrators hold no person.* permission: they never see residents.
    if not has_perm(user, "person.read"):
        raise PermissionDenied("无权查看居民信息")


def _read(
    user, queryset, object_type: str, pk: int, fields, request, purpose, what: str, people=None
):
    """A scoped row for display with its read audited; a refused one (404) is audited
    too, as denied (policy.get_visible_or_404)."""
    check_can_read_people(user)
    return get_visible_or_404(
        user,
        queryset.select_related("village"),
        pk,
        purpose,
        request=request,
        object_type=object_type,
        fields=list(fields),
        what=what,
        person_ids=people,
    )


def read_person(user, person_id: int, *, request=None, purpose: str = "") -> Person:
    """A person's record for display, with its audit record; 404 outside the user's scope."""
    return _read(
        user,
        Person.objects,
        "registry.person",
        person_id,
        _AUDITED_PERSON_FIELDS,
        request,
        purpose,
        "居民",
    )


def read_household(user, household_id: int, *, request=None, purpose: str = "") -> Household:
    return _read(
        user,
        Household.objects,
        "registry.household",
        household_id,
        ["members"],
        request,
        purpose,
        "家庭户",
        # Everyone the page shows: current and former members.
        lambda household: reads.household_people(household.pk),
    )


def reveal_id_number(user, person_id: int, purpose: str, *, request=None) -> str:
    """The full ID number, for a role that needs it, with a stated purpose — audited."""
    if not purpose.strip():
        raise ValidationFailed({"purpose": "查看完整身份证号码须说明用途"})
    if not has_perm(user, "person.unmask_id"):
        person = Person.objects.filter(pk=person_id).values_list("village_id", flat=True).first()
        record(
            action="unmask",
            object_type="registry.person",
            object_id=str(person_id),
            region_code=person or "",
            outcome="denied",
            reason="no_unmask_permission",
            purpose=purpose[:200],
            actor=user,
            request=request,
        )
        raise PermissionDenied("您的角色无权查看完整身份证号码", code="unmask_forbidden")
    person = read_person(user, person_id, request=request, purpose=purpose)
    reads.audit_read(
        user,
        model_label="registry.person",
        object_id=person.pk,
        person_ids=[person.pk],
        region_code=person.village_id,
        fields=["id_number"],
        purpose=purpose,
        action="unmask",
        request=request,
    )
    return person.reveal_id_number()


def audit_search(user, object_type: str, rows, query_kind: str, *, request=None) -> None:
    """A list or search that showed people's (masked) data: one event per page naming
    the rows and the residents shown (policy.reads.audit_listing)."""
    reads.audit_listing(
        user,
        model_label=object_type,
        rows=rows,
        query_description=query_kind,
        request=request,
    )


def find_by_id_number(user, raw_number: str) -> Person | None:
    if not idnumber.is_valid(raw_number):
        return None
    return (
        Person.objects.visible_to(user)
        .filter(id_number_index__in=id_number_lookups(raw_number))
        .first()
    )
