"""Designated institutions: create."""

import datetime
from dataclasses import dataclass

from django.db import transaction

from huimin.core.errors import ValidationFailed
from huimin.registry import rules
from huimin.registry.models import (
    DesignationStatus,
    Institution,
    InstitutionKind,
    InstitutionLevel,
    Region,
)
from huimin.registry.services.reads import (
    _audit,
    check_can_write,
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
