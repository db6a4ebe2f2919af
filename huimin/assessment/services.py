"""Assessment services: the scheme's life (four eyes), scoring a county into a draft
version, publishing it (a second assessor; posts the public-health funds), and the
village doctors' monthly statement. Thin over the pure scheme.py / scoring.py."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from huimin.assessment import scoring
from huimin.assessment.models import (
    AssessmentScheme,
    Publication,
    PublicationStatus,
    RegionScore,
)
from huimin.assessment.scheme import Scheme, SchemeError, parse_scheme
from huimin.audit.services import record
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.core.models import DocumentStatus
from huimin.insurance.ledger import rules as ledger_rules
from huimin.insurance.ledger import services as ledger
from huimin.policy import check_perm
from huimin.policy.four_eyes import FourEyesDocuments
from huimin.records.models import Form, FormStatus
from huimin.registry.models import Region
from huimin.reports import figures, indicators
from huimin.reports.periods import Period

PERMISSION = "assessment.manage"
POPULATION = "record.building"  # its denominator: the resident population
QUALITY = "record.qualified"  # its rate: the clinic's quality-rule pass rate


def check_document(document: str) -> Scheme:
    known = {i.code for i in indicators.all_indicators()}
    try:
        return parse_scheme(document, known_indicators=known)
    except SchemeError as exc:
        raise ValidationFailed(
            {f"document.{k}": v for k, v in exc.problems.items()},
            code="scheme_invalid",
            message="考核方案有误，未上传："
            + "；".join(f"{k} {v}" for k, v in exc.problems.items()),
        ) from None


SCHEMES = FourEyesDocuments(
    model=AssessmentScheme,
    object_type="assessment.scheme",
    label="考核方案",
    permission=PERMISSION,
    check_document=check_document,
    code="scheme",
)


def active_scheme(county: str, year: int) -> AssessmentScheme | None:
    return AssessmentScheme.objects.filter(
        region_code=county, year=year, status=DocumentStatus.ACTIVE
    ).first()


# ---------------------------------------------------------------- reading the records


def _figures(codes: list[str], parent: str, period: Period) -> dict[str, dict]:
    """child region -> indicator -> (num, den): one breakdown per indicator."""
    out: dict[str, dict] = defaultdict(dict)
    for code in codes:
        for f in figures.breakdown(code, parent, period):
            out[f.region_code][code] = (f.numerator, f.denominator)
    return out


def workload_counts(county: str, year: int, *, by_month: bool = False) -> dict:
    """Signed forms in force, per village and kind (and month): the clinics' counted
    services. One grouped query."""
    qs = Form.objects.filter(
        region_code__startswith=county,
        status=FormStatus.SIGNED,
        service_date__year=year,
    ).order_by()
    keys = ["region_code", "kind"] + (["month"] if by_month else [])
    if by_month:
        qs = qs.annotate(month=ExtractMonth("service_date"))
    out: dict = defaultdict(dict)
    for row in qs.values(*keys).annotate(n=Count("pk")):
        if by_month:
            out[row["region_code"]].setdefault(row["month"], {})[row["kind"]] = row["n"]
        else:
            out[row["region_code"]][row["kind"]] = row["n"]
    return out


def _line_json(ln: scoring.Line) -> dict:
    ind = indicators.get(ln.code)
    return {
        "code": ln.code,
        "name": ind.name,
        "kind": ln.kind,
        "numerator": str(ln.numerator),
        "denominator": str(ln.denominator),
        "rate": None if ln.rate is None else str(ln.rate),
        "weight": str(ln.weight),
        "points": str(ln.points),
        "lost": str(ln.lost),
        "explanation": ln.explanation,
        "has_list": ind.members is not None,
    }


# ---------------------------------------------------------------- scoring and publishing


def do_score(user, county: str, year: int, *, request=None) -> Publication:
    """Score every township and village of the county against the active scheme into a
    new draft version. Reads the figures once; the rows are what everything after reads."""
    check_perm(user, PERMISSION, county, message="无权进行绩效考核")
    row = active_scheme(county, year)
    if row is None:
        raise Conflict("scheme_missing", f"{year}年度没有已启用的考核方案")
    scheme = parse_scheme(row.document)
    period = Period.year(year)
    codes = sorted({*scheme.codes, POPULATION, QUALITY})
    towns = list(
        Region.objects.filter(parent_id=county).order_by("code").values_list("code", "name")
    )
    villages = defaultdict(list)
    for code, name, parent in Region.objects.filter(
        parent_id__in=[t for t, _ in towns]
    ).values_list("code", "name", "parent_id"):
        villages[parent].append((code, name))
    town_figs = _figures(codes, county, period)
    work = workload_counts(county, year)
    with transaction.atomic():
        # Two scorings of one county and year take their version numbers in turn (FOR
        # UPDATE cannot go with an aggregate: the scheme row is the lock).
        AssessmentScheme.objects.select_for_update(no_key=True).filter(pk=row.pk).first()
        last = Publication.objects.filter(region_code=county, year=year).aggregate(
            v=Max("version")
        )["v"]
        pub = Publication.objects.create(
            scheme=row, region_code=county, year=year, version=(last or 0) + 1, scored_by=user
        )
        rows = []
        for town, town_name in towns:
            figs = town_figs.get(town, {})
            result = scoring.score_region(scheme, figs)
            village_figs = _figures(codes, town, period)
            points, passes, vrows = {}, {}, []
            for vcode, vname in sorted(villages[town]):
                vf = village_figs.get(vcode, {})
                vres = scoring.score_region(scheme, vf)
                points[vcode] = scoring.workload_points(scheme, work.get(vcode, {}))
                passes[vcode] = scoring.rate(*vf.get(QUALITY, (0, 0)))
                vrows.append((vcode, vname, vres, vf))
            funds = scoring.township_funds(
                scheme, figs.get(POPULATION, (0, Decimal(0)))[1], result.tier, any(points.values())
            )
            shares = scoring.clinic_shares(funds.village_pool, points, passes)
            rows.append(
                RegionScore(
                    publication=pub,
                    region_code=town,
                    parent_code=county,
                    name=town_name,
                    score=result.score,
                    earned=result.earned,
                    deducted=result.deducted,
                    tier_label=result.tier.label,
                    tier_ratio=result.tier.ratio,
                    lines=[_line_json(ln) for ln in result.lines],
                    population=figs.get(POPULATION, (0, Decimal(0)))[1],
                    funds_full=funds.full,
                    funds_allocated=funds.allocated,
                    village_pool=funds.village_pool,
                    retained=funds.retained,
                    workload=sum(points.values(), Decimal(0)),
                )
            )
            for vcode, vname, vres, vf in vrows:
                rows.append(
                    RegionScore(
                        publication=pub,
                        region_code=vcode,
                        parent_code=town,
                        name=vname,
                        score=vres.score,
                        earned=vres.earned,
                        deducted=vres.deducted,
                        tier_label=vres.tier.label,
                        tier_ratio=vres.tier.ratio,
                        lines=[_line_json(ln) for ln in vres.lines],
                        population=vf.get(POPULATION, (0, Decimal(0)))[1],
                        workload=points[vcode],
                        workload_by_kind=work.get(vcode, {}),
                        pass_rate=passes[vcode],
                        clinic_amount=shares.get(vcode, Decimal("0.00")),
                    )
                )
        RegionScore.objects.bulk_create(rows)
        record(
            action="create",
            object_type="assessment.publication",
            object_id=str(pub.pk),
            region_code=county,
            purpose=f"绩效考核评分 {year} 第{pub.version}版",
            actor=user,
            request=request,
        )
    return pub


def _post_funds(pub: Publication, sign: int) -> None:
    """The public-health funds of a publication, on the county's books (sign -1 takes a
    superseded version's back). One entry per township centre and one per clinic."""
    L = ledger_rules.Line
    kind = "assessment.allocation" if sign > 0 else "assessment.reversal"
    for s in pub.scores.all().order_by("region_code"):
        amount, payable = (
            (s.retained, "7201") if s.level == "township" else (s.clinic_amount, "7202")
        )
        if not amount:
            continue
        lines = [L("7501", debit=amount), L(payable, credit=amount)]
        if sign < 0:
            lines = [L("7501", credit=amount), L(payable, debit=amount)]
        who = "乡镇卫生院" if s.level == "township" else "村卫生室"
        what = "应拨" if sign > 0 else "冲回"
        ledger.post(
            region_code=pub.region_code,
            year=pub.year,
            source_type=kind,
            source_id=f"{pub.pk}:{s.region_code}",
            purpose="基本公卫经费",
            memo=f"{pub.year}年度考核第{pub.version}版 {s.name}{who} {what}",
            lines=lines,
        )


def do_publish(user, publication_id: int, *, request=None) -> Publication:
    """Four eyes: never by the assessor who scored it. Supersedes (keeps) the version in
    force, reverses its funds and posts the new ones, in one transaction."""
    check_perm(user, PERMISSION, message="无权发布考核结果")
    with transaction.atomic():
        pub = Publication.objects.select_for_update().filter(pk=publication_id).first()
        if pub is None:
            raise NotFound("考核结果")
        check_perm(user, PERMISSION, pub.region_code, message="该县不在您的辖区内")
        if pub.status != PublicationStatus.DRAFT:
            raise Conflict("publication_not_draft", "只有待发布的考核结果可以发布")
        if pub.scored_by_id == user.pk:
            raise PermissionDenied(
                "评分人不能发布自己评出的考核结果，须由另一位考核人员复核发布", code="four_eyes"
            )
        previous = list(
            Publication.objects.select_for_update().filter(
                region_code=pub.region_code, year=pub.year, status=PublicationStatus.PUBLISHED
            )
        )
        for old in previous:
            old.status = PublicationStatus.SUPERSEDED
            old.save(update_fields=["status"])
            _post_funds(old, -1)
        pub.status = PublicationStatus.PUBLISHED
        pub.published_by = user
        pub.published_at = timezone.now()
        pub.save(update_fields=["status", "published_by", "published_at"])
        _post_funds(pub, +1)
        record(
            action="approve",
            object_type="assessment.publication",
            object_id=str(pub.pk),
            region_code=pub.region_code,
            changes={"status": ["draft", "published"], "superseded": [p.pk for p in previous]},
            purpose=f"发布绩效考核结果 {pub.year} 第{pub.version}版",
            actor=user,
            request=request,
        )
    return pub


def published(county: str, year: int) -> Publication | None:
    return Publication.objects.filter(
        region_code=county, year=year, status=PublicationStatus.PUBLISHED
    ).first()


# ---------------------------------------------------------------- village doctors


def monthly_statement(pub: Publication, village: RegionScore) -> list[dict]:
    """A clinic's year month by month: services by kind, points, and the subsidy — its
    published share split over the months by points, adding up to it to the fen."""
    scheme = parse_scheme(pub.scheme.document)
    by_month = workload_counts(village.region_code, pub.year, by_month=True).get(
        village.region_code, {}
    )
    points = {m: scoring.workload_points(scheme, by_month.get(m, {})) for m in range(1, 13)}
    money = scoring.split(village.clinic_amount, {f"{m:02d}": p for m, p in points.items()})
    return [
        {
            "month": m,
            "counts": by_month.get(m, {}),
            "services": sum(by_month.get(m, {}).values()),
            "points": points[m],
            "subsidy": money[f"{m:02d}"],
        }
        for m in range(1, 13)
    ]


# ---------------------------------------------------------------- the funds' books


def fund_books(county: str, year: int) -> dict:
    """The public-health accounts of the county's ledger and what each centre and clinic
    is owed, entry by entry: two grouped queries over the `phf` postings."""
    from huimin.insurance.ledger.models import Posting  # noqa: PLC0415 - only this page reads postings

    accounts = [b for b in ledger.balances(county, year) if b["group"] == "phf"]
    owed: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    rows = (
        Posting.objects.filter(
            entry__region_code=county,
            entry__year=year,
            entry__group="phf",
            account__code__in=["7201", "7202"],
        )
        .values_list("entry__source_id", "debit", "credit")
        .order_by()
    )
    for source_id, debit, credit in rows:
        region = source_id.rsplit(":", 1)[-1]
        owed[region] += credit - debit
    names = dict(Region.objects.filter(code__in=list(owed)).values_list("code", "name"))
    payees = [
        {"code": code, "name": names.get(code, code), "owed": amount, "clinic": len(code) == 12}
        for code, amount in sorted(owed.items())
    ]
    return {"accounts": accounts, "payees": payees}
