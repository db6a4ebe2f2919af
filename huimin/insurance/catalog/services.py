"""Catalog use cases: versions in force, search, import, changes, institution mappings.

check_* validates and checks access; do_* writes in one transaction with its audit row.
The settlement path calls `resolve_codes` and `terms_on`: one query each, however
many lines a claim has.
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from huimin.audit.services import record
from huimin.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from huimin.core.statements import DATE, INT, InList
from huimin.insurance.catalog import rules
from huimin.insurance.catalog.models import (
    CatalogItem,
    CatalogVersion,
    InstitutionItemMap,
    MapStatus,
)
from huimin.insurance.catalog.sheet import SheetError, read_sheet
from huimin.policy import check_institution, check_perm, has_perm, institution_of
from huimin.registry.models import Institution

# Keeps each IN (...) well under SQLite's bound on query parameters.
CHUNK = 2000


def today() -> datetime.date:
    return timezone.localdate()


class NotInForce(DomainError):
    status = 404

    def __init__(self, code: str, on: datetime.date):
        super().__init__("not_in_force", f"目录项目{code}在{on:%Y-%m-%d}没有有效版本")


# ---------------------------------------------------------------- versions in force


def in_force(on: datetime.date) -> QuerySet[CatalogVersion]:
    return CatalogVersion.objects.filter(effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )


def version_on(code: str, on: datetime.date) -> CatalogVersion | None:
    return in_force(on).select_related("item").filter(item__code=code).first()


def _usable(code) -> bool:
    # A NUL cannot be sent to PostgreSQL; no catalog or local code contains one.
    return bool(code) and isinstance(code, str) and "\x00" not in code


def _versions(codes: list[str], on: datetime.date) -> QuerySet[CatalogVersion]:
    return in_force(on).select_related("item").filter(item__code__in=codes)


# What pricing and the restriction checks need, as plain values: every fee upload reads
# one version per line, and model instances for them would cost more than the query.
# Compiled once per number of codes (core/statements.py).
_TERM_COLUMNS = tuple(rules.STORED_AS.get(f, f) for f in rules.TERM_FIELDS)
_TERMS = InList(
    lambda codes, on: _versions(codes, on).values_list("item__code", *_TERM_COLUMNS),
    on=DATE,
)


def terms_on(codes: list[str], on: datetime.date) -> dict[str, rules.Terms]:
    """The terms (rules.Terms) of the version in force on `on` for each known code, in
    one query."""
    wanted = sorted({c for c in codes if _usable(c)})
    if not wanted:
        return {}
    rows = _TERMS.tuples(wanted, on=on)
    if rows is None:  # longer than the compiled lists: the ORM as usual
        rows = _versions(wanted, on).values_list("item__code", *_TERM_COLUMNS)
    out = {}
    for code, *values in rows:
        terms = dict(zip(_TERM_COLUMNS, values, strict=True))
        terms["allowed_levels"] = rules.parse_levels_text(terms.pop("institution_levels"))
        terms["components"] = rules.parse_codes_text(terms.pop("component_codes"))
        terms["exclusive_with"] = rules.parse_codes_text(terms.pop("exclusive_codes"))
        out[code] = rules.Terms(**terms)
    return out


def get_item(code: str) -> CatalogItem:
    code = rules.normalise_code(code)
    if not _usable(code):
        raise NotFound("目录项目")
    try:
        return CatalogItem.objects.get(code=code)
    except CatalogItem.DoesNotExist:
        raise NotFound("目录项目") from None


def item_in_force(code: str, on: datetime.date) -> CatalogVersion:
    """The version of a known code in force on `on`, or a 404 saying which is missing."""
    item = get_item(code)
    version = in_force(on).filter(item=item).first()
    if version is None:
        raise NotInForce(item.code, on)
    version.item = item
    return version


def search(
    q: str = "", *, on: datetime.date, kind: str = "", item_class: str = ""
) -> QuerySet[CatalogVersion]:
    """Versions in force on `on` whose code starts with, name contains, or pinyin initials
    start with `q`; ordered by code."""
    qs = in_force(on).select_related("item")
    q = q.replace("\x00", "").strip()
    if q:
        condition = Q(item__code__startswith=q.upper()) | Q(name__contains=q)
        if q.isascii() and q.isalpha():
            condition |= Q(pinyin__startswith=q.lower())
        qs = qs.filter(condition)
    if kind:
        qs = qs.filter(item__kind=kind)
    if item_class:
        qs = qs.filter(item_class=item_class)
    return qs.order_by("item__code")


# ---------------------------------------------------------------- import and changes


class ImportRejected(ValidationFailed):
    """Some rows are bad: every one is listed, and nothing was imported."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = sorted(problems, key=lambda p: p[0])
        fields: dict[str, str] = {}
        for line, reason in self.problems:
            key = f"第{line}行"
            fields[key] = f"{fields[key]}；{reason}" if key in fields else reason
        super().__init__(
            fields,
            code="catalog_import_invalid",
            message=f"目录表格有{len(fields)}行有误，未导入任何数据",
        )


@dataclass
class ImportSummary:
    new_items: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_text(self) -> str:
        head = "校验通过（未写入）" if self.dry_run else "导入完成"
        return (
            f"{head}：新增项目{len(self.new_items)}个，新增版本{len(self.new_versions)}个，"
            f"未变化{len(self.unchanged)}个"
        )


def check_can_manage(user) -> None:
    check_perm(user, "catalog.manage", message="无权维护医保目录")


def may_map_for(user, institution) -> bool:
    """Managers map for any institution in their jurisdiction; institution staff holding
    catalog.map for their own institution only."""
    if has_perm(user, "catalog.manage"):
        try:
            check_institution(user, institution.pk)
        except PermissionDenied:
            return False
        return True
    return has_perm(user, "catalog.map") and institution_of(user) == institution.pk


def _version(item, terms: rules.Terms, effective_from, source, user) -> CatalogVersion:
    return CatalogVersion(
        item=item,
        name=terms.name,
        pinyin=terms.pinyin,
        item_class=terms.item_class,
        unit=terms.unit,
        ceiling=terms.ceiling,
        b_self_ratio=terms.b_self_ratio,
        sex=terms.sex,
        age_min=terms.age_min,
        age_max=terms.age_max,
        institution_levels=rules.levels_text(terms.allowed_levels),
        max_quantity_per_day=terms.max_quantity_per_day,
        restricted_use=terms.restricted_use,
        fee_category=terms.fee_category,
        day_based=terms.day_based,
        mue=terms.mue,
        days_supply_per_unit=terms.days_supply_per_unit,
        qualification=terms.qualification,
        component_codes=rules.codes_text(terms.components),
        exclusive_codes=rules.codes_text(terms.exclusive_with),
        effective_from=effective_from,
        effective_to=terms.effective_to,
        source=source[:200],
        created_by=user if user is not None and user.is_authenticated else None,
    )


def _chunks(values: list):
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _locked_items(codes: list[str]) -> dict[str, CatalogItem]:
    items = {}
    for part in _chunks(sorted(codes)):
        # Locked so two imports (or an import and a manual change) never both close the
        # same open version and start overlapping ones.
        items.update(
            {i.code: i for i in CatalogItem.objects.select_for_update().filter(code__in=part)}
        )
    return items


def _latest_versions(item_ids: list[int]) -> dict[int, CatalogVersion]:
    latest: dict[int, CatalogVersion] = {}
    for part in _chunks(sorted(item_ids)):
        for v in CatalogVersion.objects.filter(item_id__in=part).order_by(
            "item_id", "effective_from"
        ):
            latest[v.item_id] = v
    return latest


def _referenced(rows: list[rules.Row]) -> list[str]:
    return sorted({c for r in rows for c in (*r.terms.components, *r.terms.exclusive_with)})


def _stored_codes(codes: list[str]) -> set[str]:
    found: set[str] = set()
    for part in _chunks(codes):
        found |= set(CatalogItem.objects.filter(code__in=part).values_list("code", flat=True))
    return found


def do_import_catalog(
    user,
    rows: list[rules.Row],
    *,
    default_effective: datetime.date | None = None,
    source: str = "",
    dry_run: bool = False,
    request=None,
    sheet_problems: list[tuple[int, str]] = (),
) -> ImportSummary:
    """Import checked sheet rows, all or nothing.

    New codes become items with a first version; a row that differs from an item's
    latest version starts a new version on its effective date (closing the latest the
    day before); identical rows are skipped. `user` None is the operator's own command
    line on the server. `sheet_problems` (the bad rows found when reading the sheet) are
    reported together with those found against the stored catalog.
    """
    if user is not None:
        check_can_manage(user)
    default_effective = default_effective or today()
    summary = ImportSummary(dry_run=dry_run)
    problems: list[tuple[int, str]] = list(sheet_problems)
    with transaction.atomic():
        items = _locked_items([r.code for r in rows])
        latest = _latest_versions([i.pk for i in items.values()])
        problems += rules.unknown_references(rows, _stored_codes(_referenced(rows)))
        new_items: list[CatalogItem] = []
        new_versions: list[tuple[str, rules.Terms, datetime.date]] = []
        closed: list[CatalogVersion] = []
        seen: dict[str, int] = {}
        for row in rows:
            if row.code in seen:
                problems.append((row.line, f"编码{row.code}与第{seen[row.code]}行重复"))
                continue
            seen[row.code] = row.line
            start = row.effective_from or default_effective
            if row.terms.effective_to and row.terms.effective_to < start:
                problems.append((row.line, f"失效日期早于生效日期{start:%Y-%m-%d}"))
                continue
            item = items.get(row.code)
            if item is None:
                new_items.append(CatalogItem(code=row.code, kind=row.kind))
                new_versions.append((row.code, row.terms, start))
                summary.new_items.append(row.code)
                continue
            if item.kind != row.kind:
                problems.append(
                    (row.line, f"类型与目录中已有的{rules.KINDS[item.kind]}“{item.code}”不一致")
                )
                continue
            current = latest.get(item.pk)
            if current is not None and not rules.changed_fields(current, row.terms):
                summary.unchanged.append(row.code)
                continue
            problem = rules.version_start_problem(
                current.effective_from if current else None, start
            )
            if problem:
                problems.append((row.line, problem))
                continue
            if current is not None and (
                current.effective_to is None or current.effective_to >= start
            ):
                current.effective_to = start - datetime.timedelta(days=1)
                closed.append(current)
            new_versions.append((row.code, row.terms, start))
            summary.new_versions.append(row.code)
        if problems:
            raise ImportRejected(problems)
        if dry_run:
            return summary
        if new_items:
            CatalogItem.objects.bulk_create(new_items, batch_size=1000)
            for part in _chunks([i.code for i in new_items]):
                items.update({i.code: i for i in CatalogItem.objects.filter(code__in=part)})
        if closed:
            CatalogVersion.objects.bulk_update(closed, ["effective_to"], batch_size=500)
        CatalogVersion.objects.bulk_create(
            [_version(items[c], t, start, source, user) for c, t, start in new_versions],
            batch_size=1000,
        )
        record(
            action="update",
            object_type="catalog.catalog",
            object_id=source[:64],
            purpose=f"import:{source}",
            fields=(summary.new_items + summary.new_versions)[:100],
            changes={
                "new_items": [None, len(summary.new_items)],
                "new_versions": [None, len(summary.new_versions)],
                "unchanged": [None, len(summary.unchanged)],
            },
            actor=user,
            request=request,
        )
    return summary


def import_sheet(
    user,
    data: bytes,
    *,
    default_effective: datetime.date | None = None,
    source: str = "",
    dry_run: bool = False,
    request=None,
) -> ImportSummary:
    """Read, check and import one uploaded sheet; every bad row is reported at once."""
    if user is not None:
        check_can_manage(user)
    try:
        header, body = read_sheet(data)
    except SheetError as exc:
        raise ValidationFailed({"file": str(exc)}, code="catalog_sheet_unreadable") from None
    checked = rules.check_sheet(header, body)
    if not checked.rows:
        raise ImportRejected(checked.problems)
    return do_import_catalog(
        user,
        checked.rows,
        default_effective=default_effective,
        source=source,
        dry_run=dry_run,
        request=request,
        sheet_problems=checked.problems,
    )


def do_add_version(
    user,
    code: str,
    terms: rules.Terms,
    effective_from: datetime.date,
    *,
    kind: str | None = None,
    request=None,
) -> CatalogVersion:
    """One change to one item (a new item when `kind` is given and the code is new)."""
    code = rules.normalise_code(code)
    item = CatalogItem.objects.filter(code=code).first()
    kind = kind or (item.kind if item else rules.kind_of_code(code))
    if kind is None:
        raise ValidationFailed({"kind": "请指定项目类型"})
    row = rules.Row(line=0, code=code, kind=kind, terms=terms, effective_from=effective_from)
    problem = rules.code_problem(code, kind)
    if problem:
        raise ValidationFailed({"code": problem})
    try:
        summary = do_import_catalog(user, [row], source="manual", request=request)
    except ImportRejected as exc:
        raise ValidationFailed(
            {"effective_from": "；".join(p for _, p in exc.problems)}, code="catalog_change_invalid"
        ) from None
    if summary.unchanged:
        raise ValidationFailed(
            {"effective_from": "与现行版本相同，无需新增版本"}, code="catalog_unchanged"
        )
    return CatalogVersion.objects.select_related("item").get(
        item__code=code, effective_from=effective_from
    )


# ---------------------------------------------------------------- institution mappings


def resolve_codes(institution_id: int, codes: list[str]) -> dict[str, str]:
    """Given codes → national codes: approved mappings of the institution, in one query.

    A code with no approved mapping passes through when it has the shape of a catalog
    code; an unmapped local code is left out.
    """
    wanted = sorted({c for c in codes if _usable(c)})
    out = {c: c for c in wanted if rules.kind_of_code(c) or rules.LOCAL_CODE.fullmatch(c)}
    if wanted:
        mapped = _MAPPED.tuples(wanted, institution=institution_id)
        out.update(dict(_mapped(wanted, institution_id) if mapped is None else mapped))
    return out


def _mapped(codes: list[str], institution: int) -> QuerySet:
    return InstitutionItemMap.objects.filter(
        institution_id=institution, local_code__in=codes, status=MapStatus.APPROVED
    ).values_list("local_code", "item__code")


# Every fee upload asks this: compiled once per number of codes.
_MAPPED = InList(_mapped, institution=INT)


def _institution_for(user, institution_id: int) -> Institution:
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None or not may_map_for(user, institution):
        raise NotFound("医疗机构")
    return institution


def check_mapping(
    user, institution_id: int, local_code: str, local_name: str, code: str
) -> tuple[Institution, CatalogItem]:
    institution = _institution_for(user, institution_id)
    errors = {}
    local_code, local_name = local_code.strip(), local_name.strip()
    if not local_code:
        errors["local_code"] = "机构项目编码不能为空"
    elif len(local_code) > 40:
        errors["local_code"] = "机构项目编码不能超过40个字符"
    if not local_name:
        errors["local_name"] = "机构项目名称不能为空"
    elif len(local_name) > 200:
        errors["local_name"] = "机构项目名称不能超过200个字"
    item = CatalogItem.objects.filter(code=rules.normalise_code(code)).first()
    if item is None:
        errors["code"] = "医保目录中没有该编码"
    if errors:
        raise ValidationFailed(errors)
    return institution, item


def do_submit_mapping(
    user, institution_id: int, local_code: str, local_name: str, code: str, *, request=None
) -> InstitutionItemMap:
    institution, item = check_mapping(user, institution_id, local_code, local_name, code)
    local_code = local_code.strip()
    clash = Conflict("mapping_exists", f"机构项目编码{local_code}已有待审核或已通过的对照")
    try:
        with transaction.atomic():
            if (
                InstitutionItemMap.objects.filter(institution=institution, local_code=local_code)
                .exclude(status=MapStatus.REJECTED)
                .exists()
            ):
                raise clash
            row = InstitutionItemMap.objects.create(
                institution=institution,
                local_code=local_code,
                local_name=local_name.strip(),
                item=item,
                submitted_by=user,
            )
            record(
                action="create",
                object_type="catalog.map",
                object_id=str(row.pk),
                region_code=institution.region_id,
                institution_id=institution.pk,
                changes={"local_code": [None, local_code], "code": [None, item.code]},
                actor=user,
                request=request,
            )
    except IntegrityError:
        # Another submission of the same local code won the race.
        raise clash from None
    return row


def reviewable_maps(user) -> QuerySet[InstitutionItemMap]:
    """Mappings of the institutions in the user's jurisdiction (institution staff: of
    their own institution)."""
    return InstitutionItemMap.objects.visible_to(user).select_related(
        "institution", "item", "submitted_by", "reviewed_by"
    )


def do_review_mapping(
    user, map_id: int, *, approve: bool, note: str = "", request=None
) -> InstitutionItemMap:
    """Approve or reject a submitted mapping; rejecting an approved one withdraws it."""
    check_can_manage(user)
    note = note.strip()
    if len(note) > 200:
        raise ValidationFailed({"note": "审核意见不能超过200个字"})
    if not approve and not note:
        raise ValidationFailed({"note": "驳回时须填写审核意见"})
    with transaction.atomic():
        if not reviewable_maps(user).filter(pk=map_id).exists():
            raise NotFound("目录对照")
        row = InstitutionItemMap.objects.select_for_update().get(pk=map_id)
        allowed = {MapStatus.SUBMITTED} if approve else {MapStatus.SUBMITTED, MapStatus.APPROVED}
        if row.status not in allowed:
            raise Conflict("mapping_not_pending", "该对照已审核，不能重复审核")
        if row.submitted_by_id == user.pk:
            raise PermissionDenied("不能审核自己提交的目录对照", code="four_eyes")
        old = row.status
        row.status = MapStatus.APPROVED if approve else MapStatus.REJECTED
        row.reviewed_by = user
        row.reviewed_at = timezone.now()
        row.note = note
        row.save(update_fields=["status", "reviewed_by", "reviewed_at", "note"])
        record(
            action="approve" if approve else "reject",
            object_type="catalog.map",
            object_id=str(row.pk),
            region_code=row.institution.region_id,
            institution_id=row.institution_id,
            changes={"status": [old, row.status]},
            purpose=note,
            actor=user,
            request=request,
        )
    return row
