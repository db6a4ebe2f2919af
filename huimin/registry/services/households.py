"""Households: create, move a member, update, change the head."""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from huimin.core.codes import HEAD_RELATION
from huimin.core.errors import ValidationFailed
from huimin.registry import moves, rules
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Person,
    PersonStatus,
)
from huimin.registry.services.people import _village_exists
from huimin.registry.services.reads import (
    _audit,
    check_can_write,
    get_household,
    get_person,
    today,
)

# ---------------------------------------------------------------- households


@dataclass
class HouseholdData:
    village_code: str
    address: str
    head_id: int | None
    members: list[rules.MemberInput] = field(default_factory=list)
    joined_on: datetime.date | None = None


def _next_household_number(village_code: str) -> str:
    last = Household.objects.filter(village_id=village_code).aggregate(m=Max("number")).get("m")
    seq = int(last[12:]) + 1 if last else 1
    return rules.household_number(village_code, seq)


def check_household(user, data: HouseholdData) -> list[Person]:
    errors = rules.check_household_members(data.head_id, data.members)
    if not _village_exists(data.village_code):
        errors["village_code"] = "居住地区划代码不存在或不是村级代码"
    address = data.address.strip()
    if not address:
        errors["address"] = "住址不能为空"
    elif len(address) > 200:
        errors["address"] = "住址不能超过200个字"
    people = {
        p.pk: p
        for p in Person.objects.visible_to(user).filter(pk__in=[m.person_id for m in data.members])
    }
    for i, m in enumerate(data.members):
        person = people.get(m.person_id)
        if person is None:
            errors[f"members[{i}].person_id"] = "居民不存在或不在您的辖区内"
        elif person.status != PersonStatus.ACTIVE:
            errors[f"members[{i}].person_id"] = "该居民已被合并"
    busy = set(
        HouseholdMembership.objects.filter(
            person_id__in=list(people), left_on__isnull=True
        ).values_list("person_id", flat=True)
    )
    for i, m in enumerate(data.members):
        if m.person_id in busy:
            errors[f"members[{i}].person_id"] = "该居民已在其他家庭户中，须先迁出"
    if errors:
        raise ValidationFailed(errors)
    return [people[m.person_id] for m in data.members]


def do_create_household(user, data: HouseholdData) -> Household:
    check_can_write(user, data.village_code)
    try:
        with transaction.atomic():
            check_household(user, data)
            joined = data.joined_on or today()
            household = Household.objects.create(
                number=_next_household_number(data.village_code),
                village_id=data.village_code,
                address=data.address.strip(),
                head_id=data.head_id,
            )
            HouseholdMembership.objects.bulk_create(
                HouseholdMembership(
                    household=household,
                    person_id=m.person_id,
                    relation=m.relation,
                    joined_on=joined,
                )
                for m in data.members
            )
            _audit(
                user,
                "create",
                "registry.household",
                household.pk,
                household.village_id,
                fields=["members"],
                changes={"members": [None, [m.person_id for m in data.members]]},
            )
            return household
    except IntegrityError:
        # Raced with another request that put one of these people in a household.
        raise ValidationFailed({"members": "成员已在其他家庭户中"}) from None


def do_move_member(
    user,
    person_id: int,
    to_household_id: int,
    relation: str,
    reason: str,
    on: datetime.date | None = None,
) -> HouseholdMembership:
    """Move a person to another household, keeping the old membership as history."""
    on = on or today()
    with transaction.atomic():
        person = get_person(user, person_id)
        target = get_household(user, to_household_id)
        check_can_write(user, target.village_id)
        errors = {}
        if relation not in rules.RELATIONS or relation == HEAD_RELATION:
            errors["relation"] = "与户主关系代码无效（迁入成员不能直接为户主）"
        if not reason.strip():
            errors["reason"] = "须填写变动原因"
        current = (
            HouseholdMembership.objects.select_for_update()
            .filter(person=person, left_on__isnull=True)
            .select_related("household")
            .first()
        )
        if current and current.household_id == target.pk:
            errors["to_household_id"] = "该居民已在此家庭户中"
        if current and current.household.head_id == person.pk:
            others = current.household.memberships.filter(left_on__isnull=True).exclude(
                person=person
            )
            if others.exists():
                errors["person_id"] = "户主迁出前须先变更户主"
        if current and on < current.joined_on:
            errors["on"] = "迁出日期不能早于迁入日期"
        if target.village_id != person.village_id:
            # Moving into a household of another village moves the person's residence.
            check_can_write(user, person.village_id)
        if errors:
            raise ValidationFailed(errors)
        if target.village_id != person.village_id:
            old_village = person.village_id
            Person.objects.filter(pk=person.pk).update(
                village_id=target.village_id, updated_at=timezone.now()
            )
            _audit(
                user,
                "update",
                "registry.person",
                person.pk,
                target.village_id,
                fields=["village_id"],
                changes={"village_id": [old_village, target.village_id]},
                purpose=reason.strip()[:200],
            )
            moves.village_changed(
                moves.VillageMove(person.pk, old_village, target.village_id, on, user)
            )
        if current:
            current.left_on = on
            current.reason = reason.strip()
            current.save(update_fields=["left_on", "reason"])
            if current.household.head_id == person.pk:
                current.household.head = None
                current.household.save(update_fields=["head", "updated_at"])
        _audit(
            user,
            "update",
            "registry.household",
            target.pk,
            target.village_id,
            fields=["members"],
            changes={"moved_in": [current.household_id if current else None, person.pk]},
            purpose=reason.strip()[:200],
        )
        return HouseholdMembership.objects.create(
            household=target,
            person=person,
            relation=relation,
            joined_on=on,
            reason=reason.strip(),
        )


def do_update_household(
    user,
    household_id: int,
    address: str,
    head_id: int | None = None,
    old_head_relation: str = "",
) -> Household:
    """Change a household's address and, optionally, its head (in one transaction)."""
    address = address.strip()
    if not address:
        raise ValidationFailed({"address": "住址不能为空"})
    if len(address) > 200:
        raise ValidationFailed({"address": "住址不能超过200个字"})
    with transaction.atomic():
        household = get_household(user, household_id)
        household = Household.objects.select_for_update().get(pk=household.pk)
        check_can_write(user, household.village_id)
        if head_id is not None and head_id != household.head_id:
            household = do_change_head(user, household.pk, head_id, old_head_relation)
        if address != household.address:
            old = household.address
            household.address = address
            household.save(update_fields=["address", "updated_at"])
            _audit(
                user,
                "update",
                "registry.household",
                household.pk,
                household.village_id,
                fields=["address"],
                changes={"address": [old, address]},
            )
        return household


def do_change_head(user, household_id: int, new_head_id: int, old_head_relation: str):
    with transaction.atomic():
        household = get_household(user, household_id)
        household = Household.objects.select_for_update().get(pk=household.pk)
        check_can_write(user, household.village_id)
        members = {
            m.person_id: m
            for m in household.memberships.select_for_update().filter(left_on__isnull=True)
        }
        errors = {}
        if new_head_id not in members:
            errors["head_id"] = "户主必须是本户成员"
        if old_head_relation not in rules.RELATIONS or old_head_relation == HEAD_RELATION:
            errors["old_head_relation"] = "原户主的新关系代码无效"
        if errors:
            raise ValidationFailed(errors)
        if household.head_id in members:
            old = members[household.head_id]
            old.relation = old_head_relation
            old.save(update_fields=["relation"])
        new = members[new_head_id]
        new.relation = HEAD_RELATION
        new.save(update_fields=["relation"])
        old_head = household.head_id
        household.head_id = new_head_id
        household.save(update_fields=["head", "updated_at"])
        _audit(
            user,
            "update",
            "registry.household",
            household.pk,
            household.village_id,
            fields=["head"],
            changes={"head": [old_head, new_head_id]},
        )
        return household
