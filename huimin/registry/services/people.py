"""People: create, update, death, special categories."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from huimin.core import crypto, idnumber
from huimin.core.errors import Conflict, ValidationFailed
from huimin.registry import moves, rules
from huimin.registry.models import (
    Person,
    PersonCategory,
    PersonStatus,
    Region,
    SpecialCategory,
    id_number_lookups,
    person_id_fields,
    person_ss_card_fields,
    ss_card_lookups,
)
from huimin.registry.services.reads import (
    _AUDITED_PERSON_FIELDS,
    _audit,
    check_can_write,
    get_person,
    today,
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
