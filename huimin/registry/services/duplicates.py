"""Likely duplicate people, and merging two records of one person."""

import datetime

from django.db import transaction
from django.db.models import Count

from huimin.core.codes import HEAD_RELATION
from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Person,
    PersonMerge,
    PersonStatus,
)
from huimin.registry.services.reads import (
    _audit,
    check_can_write,
    today,
)

# ---------------------------------------------------------------- duplicates


def likely_duplicates(user, limit: int = 200) -> list[dict]:
    """Groups of active people with the same name, birth date and village."""
    groups = (
        Person.objects.visible_to(user)
        .filter(status=PersonStatus.ACTIVE)
        .values("name", "birth_date", "village_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("village_id", "name")[:limit]
    )
    return list(groups)


def do_merge_people(user, survivor_id: int, merged_id: int, reason: str) -> PersonMerge:
    """Merge a duplicate into the survivor: memberships and categories move, history stays."""
    if survivor_id == merged_id:
        raise ValidationFailed({"merged_id": "不能将居民与自身合并"})
    if not reason.strip():
        raise ValidationFailed({"reason": "须填写合并原因"})
    with transaction.atomic():
        visible = Person.objects.visible_to(user)
        locked = {
            p.pk: p for p in visible.select_for_update().filter(pk__in=[survivor_id, merged_id])
        }
        if survivor_id not in locked:
            raise NotFound("保留的居民")
        if merged_id not in locked:
            raise NotFound("被合并的居民")
        survivor, merged = locked[survivor_id], locked[merged_id]
        check_can_write(user, survivor.village_id)
        check_can_write(user, merged.village_id)
        if PersonStatus.MERGED in (survivor.status, merged.status):
            raise Conflict("person_merged", "已合并的居民不能再次合并")
        snapshot = {
            "name": merged.name,
            "id_number_masked": merged.id_number_masked,
            "birth_date": merged.birth_date.isoformat(),
            "village_code": merged.village_id,
            "memberships": list(
                merged.memberships.values("household_id", "relation", "joined_on", "left_on")
            ),
        }
        survivor_place = (
            survivor.memberships.select_for_update().filter(left_on__isnull=True).first()
        )
        merged_place = merged.memberships.select_for_update().filter(left_on__isnull=True).first()
        headed = list(Household.objects.select_for_update().filter(head=merged))
        # A household the duplicate heads must keep a head: the survivor takes over where
        # they are (or will be) a member; elsewhere the officer chooses a head first.
        for hh in headed:
            takes_over = (survivor_place and survivor_place.household_id == hh.pk) or (
                survivor_place is None and merged_place and merged_place.household_id == hh.pk
            )
            others = hh.memberships.filter(left_on__isnull=True).exclude(person=merged)
            if not takes_over and others.exists():
                raise Conflict(
                    "household_needs_head",
                    f"被合并的居民是户 {hh.number} 的户主，保留的居民不在该户："
                    "请先为该户变更户主再合并",
                )
        if merged_place is not None:
            # The duplicate's current place ends; the survivor keeps theirs.
            merged_place.left_on = max(today(), merged_place.joined_on)
            merged_place.reason = "重复记录合并"
            merged_place.save(update_fields=["left_on", "reason"])
            if survivor_place is None:
                survivor_place = HouseholdMembership.objects.create(
                    household_id=merged_place.household_id,
                    person=survivor,
                    relation=merged_place.relation,
                    joined_on=merged_place.left_on,
                    reason="重复记录合并",
                )
        for hh in headed:
            if survivor_place is not None and survivor_place.household_id == hh.pk:
                survivor_place.relation = HEAD_RELATION
                survivor_place.save(update_fields=["relation"])
                hh.head = survivor
            else:
                hh.head = None  # the duplicate was its only member: nobody is left to head it
            hh.save(update_fields=["head", "updated_at"])
            _audit(
                user,
                "update",
                "registry.household",
                hh.pk,
                hh.village_id,
                fields=["head"],
                changes={"head": [merged.pk, hh.head_id]},
                purpose=reason.strip()[:200],
            )
        merged.categories.update(person=survivor)
        merged.status = PersonStatus.MERGED
        merged.merged_into = survivor
        merged.save(update_fields=["status", "merged_into", "updated_at"])
        snapshot["memberships"] = [
            {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in row.items()}
            for row in snapshot["memberships"]
        ]
        _audit(
            user,
            "update",
            "registry.person",
            merged.pk,
            merged.village_id,
            fields=["status", "merged_into"],
            changes={"merged_into": [None, survivor.pk]},
            purpose=reason.strip()[:200],
        )
        return PersonMerge.objects.create(
            survivor=survivor,
            merged=merged,
            merged_by=user,
            reason=reason.strip(),
            snapshot=snapshot,
        )
