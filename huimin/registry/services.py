"""Registry use cases: check_* validates and checks access, do_* writes in one transaction.

Every function takes the acting user explicitly. A failed call raises a DomainError
before anything is written (or inside the transaction, which then rolls back).
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from huimin.core import crypto, idnumber
from huimin.core.codes import HEAD_RELATION
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.policy import check_perm, get_visible_or_404, has_perm, reads
from huimin.registry import moves, rules
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Institution,
    Person,
    PersonCategory,
    PersonMerge,
    PersonStatus,
    Region,
    SpecialCategory,
    id_number_lookups,
    person_id_fields,
    person_ss_card_fields,
    ss_card_lookups,
)


def _audit(user, action: str, object_type: str, object_id, region_code: str, **kw) -> None:
    """The audit record of a registry write, in the write's own transaction."""
    from huimin.audit.services import record

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
    from huimin.audit.services import record

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


# ---------------------------------------------------------------- people


@dataclass
class PersonData:
    name: str
    id_number: str
    village_code: str
    sex: str | None = None
    birth_date: datetime.date | None = None
    ethnicity: str = "01"
    phone: str = ""
    resident_type: str = "huji"
    # The social-security card number; None leaves it as it is, "" clears it.
    ss_card: str | None = None


def _village_exists(code: str) -> bool:
    return len(code) == 12 and Region.objects.filter(code=code, level="village").exists()


def check_person(data: PersonData, *, exclude_id: int | None = None) -> idnumber.ParsedID:
    errors, parsed = rules.check_person(
        rules.PersonInput(
            name=data.name,
            id_number=data.id_number,
            sex=data.sex,
            birth_date=data.birth_date,
            ethnicity=data.ethnicity,
            phone=data.phone,
            village_code=data.village_code,
            resident_type=data.resident_type,
            ss_card=data.ss_card or "",
        ),
        today=today(),
        village_exists=_village_exists(data.village_code),
    )
    if parsed and "id_number" not in errors:
        clash = Person.objects.filter(id_number_index__in=id_number_lookups(parsed.number))
        if exclude_id is not None:
            clash = clash.exclude(pk=exclude_id)
        if clash.exists():
            errors["id_number"] = "该身份证号码已登记"
    if data.ss_card and "ss_card" not in errors:
        holder = Person.objects.filter(ss_card_index__in=ss_card_lookups(data.ss_card))
        if exclude_id is not None:
            holder = holder.exclude(pk=exclude_id)
        if holder.exists():
            errors["ss_card"] = "该社会保障卡卡号已登记给他人"
    if errors:
        code = "duplicate_id_number" if errors.get("id_number") == "该身份证号码已登记" else None
        raise ValidationFailed(errors, **({"code": code} if code else {}))
    return parsed


def _person_columns(data: PersonData, parsed: idnumber.ParsedID) -> dict:
    name = data.name.strip()
    columns = {
        "name": name,
        "name_initials": rules.pinyin_initials(name)[:50],
        "name_pinyin": rules.pinyin_full(name)[:200],
        "sex": parsed.sex,
        "birth_date": parsed.birth_date,
        "ethnicity": data.ethnicity,
        "village_id": data.village_code,
        "resident_type": data.resident_type,
        **person_id_fields(parsed.number),
    }
    columns.update(phone_columns(data.phone))
    if data.ss_card is not None:
        columns.update(person_ss_card_fields(data.ss_card))
    return columns


def phone_columns(phone: str) -> dict:
    phone = phone.strip()
    if not phone:
        return {"phone_enc": "", "phone_masked": ""}
    return {
        "phone_enc": crypto.encrypt(phone, context="person.phone"),
        "phone_masked": idnumber.mask_phone(phone),
    }


def do_create_person(user, data: PersonData) -> Person:
    check_can_write(user, data.village_code)
    parsed = check_person(data)
    try:
        with transaction.atomic():
            person = Person.objects.create(**_person_columns(data, parsed))
            _audit(
                user,
                "create",
                "registry.person",
                person.pk,
                person.village_id,
                fields=list(_AUDITED_PERSON_FIELDS),
            )
            return person
    except IntegrityError:
        # A concurrent request registered the same number between check and insert.
        raise ValidationFailed(
            {"id_number": "该身份证号码已登记"}, code="duplicate_id_number"
        ) from None


def do_update_person(user, person_id: int, data: PersonData) -> Person:
    with transaction.atomic():
        person = get_person(user, person_id)
        # FOR NO KEY UPDATE: a settlement or visit referencing this person checks its
        # foreign key at COMMIT with KEY SHARE, which FOR UPDATE would block (a deadlock
        # once both also wait for the audit chain's head).
        person = Person.objects.select_for_update(no_key=True).get(pk=person.pk)
        check_can_write(user, person.village_id)
        check_can_write(user, data.village_code)
        if person.status != PersonStatus.ACTIVE:
            raise Conflict("person_merged", "该居民已被合并，不能修改")
        parsed = check_person(data, exclude_id=person.pk)
        old = {f: getattr(person, f) for f in _AUDITED_PERSON_FIELDS}
        old_village = person.village_id
        for key, value in _person_columns(data, parsed).items():
            setattr(person, key, value)
        person.save()
        moves.village_changed(
            moves.VillageMove(person.pk, old_village, person.village_id, today(), user)
        )
        changes = {
            f: [str(old[f]), str(getattr(person, f))]
            for f in _AUDITED_PERSON_FIELDS
            if old[f] != getattr(person, f)
        }
        _audit(
            user,
            "update",
            "registry.person",
            person.pk,
            person.village_id,
            fields=sorted(changes),
            changes=changes,
        )
        return person


def do_record_death(user, person_id: int, death_date: datetime.date) -> Person:
    with transaction.atomic():
        person = get_person(user, person_id)
        check_can_write(user, person.village_id)
        problem = rules.check_death(person.birth_date, death_date, today())
        if problem:
            raise ValidationFailed({"death_date": problem})
        old = person.death_date
        person.death_date = death_date
        person.save(update_fields=["death_date", "updated_at"])
        _audit(
            user,
            "update",
            "registry.person",
            person.pk,
            person.village_id,
            fields=["death_date"],
            changes={"death_date": [str(old), str(death_date)]},
        )
        return person


def do_add_category(user, person_id: int, category: str, valid_from, valid_to=None, note=""):
    person = get_person(user, person_id)
    check_can_write(user, person.village_id)
    errors = {}
    if category not in SpecialCategory.values:
        errors["category"] = "人员类别不在代码表中"
    problem = rules.check_category_dates(valid_from, valid_to)
    if problem:
        errors["valid_to"] = problem
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = PersonCategory.objects.create(
            person=person,
            category=category,
            valid_from=valid_from,
            valid_to=valid_to,
            note=note,
        )
        _audit(
            user,
            "create",
            "registry.person_category",
            row.pk,
            person.village_id,
            fields=["category", "valid_from", "valid_to"],
        )
    return row


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


# ---------------------------------------------------------------- institutions


@dataclass
class InstitutionData:
    name: str
    insurance_code: str
    credit_code: str
    kind: str
    level: str
    region_code: str
    parent_id: int | None = None
    designation_status: str = "pending"
    designated_from: datetime.date | None = None
    designated_to: datetime.date | None = None
    address: str = ""


def check_institution(data: InstitutionData) -> None:
    from huimin.registry.models import DesignationStatus, InstitutionKind, InstitutionLevel

    errors = rules.check_institution_codes(data.insurance_code, data.credit_code)
    if not data.name.strip() or len(data.name.strip()) > 100:
        errors["name"] = "机构名称不能为空且不超过100字"
    if data.kind not in InstitutionKind.values:
        errors["kind"] = "机构类型不在代码表中"
    if data.level and data.level not in InstitutionLevel.values:
        errors["level"] = "医院等级应为1、2或3"
    if data.kind != InstitutionKind.PHARMACY and not data.level:
        errors["level"] = "医疗机构须有等级"
    if data.designation_status not in DesignationStatus.values:
        errors["designation_status"] = "定点状态不在代码表中"
    if not Region.objects.filter(code=data.region_code).exists():
        errors["region_code"] = "区划代码不存在"
    if data.designated_from and data.designated_to and data.designated_to < data.designated_from:
        errors["designated_to"] = "定点终止日期不能早于起始日期"
    if data.parent_id is not None and not Institution.objects.filter(pk=data.parent_id).exists():
        errors["parent_id"] = "上级机构不存在"
    if Institution.objects.filter(insurance_code=data.insurance_code).exists():
        errors.setdefault("insurance_code", "该医保机构编码已存在")
    if Institution.objects.filter(credit_code=data.credit_code).exists():
        errors.setdefault("credit_code", "该统一社会信用代码已存在")
    if errors:
        raise ValidationFailed(errors)


def do_create_institution(user, data: InstitutionData) -> Institution:
    check_can_write(user, data.region_code, permission="institution.write")
    check_institution(data)
    with transaction.atomic():
        institution = _create_institution(data)
        _audit(user, "create", "registry.institution", institution.pk, data.region_code)
    return institution


def _create_institution(data: InstitutionData) -> Institution:
    return Institution.objects.create(
        name=data.name.strip(),
        insurance_code=data.insurance_code,
        credit_code=data.credit_code,
        kind=data.kind,
        level=data.level,
        region_id=data.region_code,
        parent_id=data.parent_id,
        designation_status=data.designation_status,
        designated_from=data.designated_from,
        designated_to=data.designated_to,
        address=data.address.strip(),
    )
