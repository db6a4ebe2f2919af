"""Monthly risk scores and four colours (四色预警) per institution and per doctor.

The rule set's thresholds (red 60, orange 30, yellow 15, blue 5 in the default) are
written for one claim's score. An institution's or doctor's month is scored per 100
claims, so a busy hospital is not red merely for being busy:

    score = 100 × Σ claim scores ÷ claims settled that month
          + Σ pattern findings' weight × severity factor (bursts, peer outliers)

where a claim's score is engine.risk_score's: Σ over the rules that fired on it of
weight × severity factor, each rule once however many lines it named. Two split
admissions among 100 claims (2 × 15 × 2 = 60) make a month red. The sums are one SQL
aggregation per subject kind; the colour change is the pure `colour_change`, and each
change raises one notice.

Scores follow decisions (`finding_value`): a finding a reviewer dismissed (排除疑点, or
an appeal granted) counts 0; one confirmed (核实违规, after the second reviewer where
one is needed; still so while an appeal is pending) counts the rule set's
`confirmed_factor` times (default 2); an undecided one (open, waiting for its second
reviewer or an inspection) counts once. When a decision makes a finding final,
`rescore_finding` rescores that month for the finding's institution and doctor, in the
decision's transaction, and a colour change raises its notice then.
"""

import calendar
import datetime
import zlib
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count

from huimin.insurance.models import Settlement, Visit
from huimin.oversight import notices
from huimin.registry.models import Institution
from huimin.review import engine
from huimin.review.models import Finding, FindingStatus, RiskScore, SubjectKind
from huimin.review.rule_sets import active_rule_set
from huimin.review.ruleset import RuleSet

PER_CLAIMS = 100
# Lowest first: a change towards the end of the list is a rise.
ORDER = (None, "blue", "yellow", "orange", "red")
COLOUR_NAMES = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色", None: "无"}
NOTICE_SEVERITY = {"red": "high", "orange": "medium", "yellow": "low", "blue": "low"}


def colour_change(previous: str | None, current: str | None) -> str | None:
    """ "up", "down" or None (no change): what a new score does to a subject's colour."""
    previous, current = previous or None, current or None
    if previous == current:
        return None
    return "up" if ORDER.index(current) > ORDER.index(previous) else "down"


def normalised(claim_sum: Decimal, claims: int, pattern_sum: Decimal) -> Decimal:
    """The month's score (see the module's doc), two decimals half up."""
    per = claim_sum * PER_CLAIMS / claims if claims else Decimal(0)
    return (per + pattern_sum).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# How a finding's status weighs in the scores: its factor on weight × severity factor.
DISMISSED_STATUSES = frozenset({FindingStatus.DISMISSED})
CONFIRMED_STATUSES = frozenset({FindingStatus.CONFIRMED, FindingStatus.APPEALED})


def status_factor(status: str, rule_set: RuleSet) -> Decimal:
    """0 for a dismissed finding, the rule set's confirmed factor for a confirmed one
    (an appeal pending leaves the confirmation standing), 1 while undecided."""
    if status in DISMISSED_STATUSES:
        return Decimal(0)
    if status in CONFIRMED_STATUSES:
        return rule_set.confirmed_factor
    return Decimal(1)


def weighs_differently(old: str, new: str) -> bool:
    """Whether a finding moving from status `old` to `new` changes what it adds to the
    scores (whatever the factor's value): only a final decision does."""

    def kind(status):
        return status in DISMISSED_STATUSES, status in CONFIRMED_STATUSES

    return kind(old) != kind(new)


def finding_value(weight: Decimal, severity: str, status: str, rule_set: RuleSet) -> Decimal:
    """What one finding adds to a score: weight × severity factor × status factor."""
    return weight * rule_set.severity_factors[severity] * status_factor(status, rule_set)


def claim_score(findings, rule_set: RuleSet) -> Decimal:
    """A claim's score from its stored findings [(rule, weight, severity, status)]: each
    rule once, at its highest value (a rule confirmed on one line and pending on another
    counts as confirmed)."""
    by_rule: dict[str, Decimal] = {}
    for rule, weight, severity, status in findings:
        value = finding_value(weight, severity, status, rule_set)
        by_rule[rule] = max(by_rule.get(rule, Decimal(0)), value)
    return sum(by_rule.values(), Decimal(0))


def _month_bounds(month: str) -> tuple[datetime.date, datetime.date]:
    year, mon = (int(x) for x in month.split("-"))
    return datetime.date(year, mon, 1), datetime.date(year, mon, calendar.monthrange(year, mon)[1])


def _num(value):
    # SQLite multiplies REAL; the factor goes in as float there and the sum is rounded
    return float(value) if connection.vendor == "sqlite" else value


def _dec(value) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def _sums(region: str, month: str, rule_set: RuleSet, column: str, only=None) -> dict:
    """{subject: (claim score sum, pattern sum, finding count)} from the month's findings,
    each rule counted once per claim; `only`: one institution id or doctor code."""
    f = Finding._meta.db_table
    v = Visit._meta.db_table
    factors = rule_set.severity_factors
    params = {
        "region": f"{region}%",
        "month": month,
        "dismissed": FindingStatus.DISMISSED,
        "fb": _num(factors["blocking"]),
        "fw": _num(factors["warning"]),
        "fi": _num(factors["information"]),
        "fc": _num(rule_set.confirmed_factor),
        "confirmed": FindingStatus.CONFIRMED,
        "appealed": FindingStatus.APPEALED,
        "only": only,
    }
    # finding_value in SQL (dismissed findings are left out by the WHERE)
    value = (
        "f.weight * CASE f.severity WHEN 'blocking' THEN %(fb)s "
        "WHEN 'warning' THEN %(fw)s ELSE %(fi)s END"
        " * CASE WHEN f.status IN (%(confirmed)s, %(appealed)s) THEN %(fc)s ELSE 1 END"
    )
    subject = "f.institution_id" if column == "institution" else "v.doctor_code"
    join = f"JOIN {v} v ON v.id = f.visit_id" if column == "doctor" else ""
    # pattern findings count one by one; a claim's rule once however many times it fired
    each = "CASE WHEN f.subject_kind = 'claim' THEN 0 ELSE f.id END"
    sql = f"""
    WITH per_rule AS (
        SELECT {subject} AS subject, f.settlement_id AS sid, f.rule, f.subject_kind,
               MAX({value}) AS v, COUNT(*) AS n
        FROM {f} f {join}
        WHERE f.month = %(month)s AND f.region_code LIKE %(region)s
          AND f.status <> %(dismissed)s AND {subject} IS NOT NULL
          {"AND v.doctor_code <> ''" if column == "doctor" else ""}
          {"AND f.subject_kind = 'claim'" if column == "doctor" else ""}
          {f"AND {subject} = %(only)s" if only is not None else ""}
        GROUP BY {subject}, f.settlement_id, f.rule, f.subject_kind, {each})
    SELECT subject,
           SUM(CASE WHEN subject_kind = 'claim' THEN v ELSE 0 END) AS claim_sum,
           SUM(CASE WHEN subject_kind = 'claim' THEN 0 ELSE v END) AS pattern_sum,
           SUM(n) AS findings
    FROM per_rule GROUP BY subject"""  # noqa: S608 (table names and %(name)s only)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {r[0]: (_dec(r[1]), _dec(r[2]), int(r[3])) for r in cursor.fetchall()}


def _claims(region: str, month: str, column: str, only=None) -> dict:
    first, last = _month_bounds(month)
    rows = Settlement.objects.filter(
        kind="settle",
        reversed_at__isnull=True,
        region_code__startswith=region,
        visit__visit_date__range=(first, last),
    )
    if only is not None:
        rows = rows.filter(
            **{"visit__doctor_code" if column == "doctor" else "institution_id": only}
        )
    if column == "doctor":
        rows = rows.exclude(visit__doctor_code="").values("visit__doctor_code")
        key = "visit__doctor_code"
    else:
        rows, key = rows.values("institution_id"), "institution_id"
    return {r[key]: r["n"] for r in rows.annotate(n=Count("id")).order_by()}


def score_month(
    region: str,
    month: str,
    rule_set: RuleSet,
    *,
    institution_id: int | None = None,
    doctor_code: str | None = None,
) -> list[RiskScore]:
    """Compute and store the month's scores for institutions and doctors; raise one
    notice per colour change. Returns the rows written.

    Given `institution_id` or `doctor_code` (a decision's rescore), only that
    institution's and that doctor's scores are computed: the same SQL narrowed to them."""
    written = []
    narrowed = institution_id is not None or doctor_code is not None
    for kind, column, only in (
        (SubjectKind.INSTITUTION, "institution", institution_id),
        (SubjectKind.DOCTOR, "doctor", doctor_code or None),
    ):
        if narrowed and only is None:
            continue
        sums = _sums(region, month, rule_set, column, only)
        counts = _claims(region, month, column, only)
        subjects = set(sums) | set(counts)
        if column == "institution":
            insts = {
                i["pk"]: i
                for i in Institution.objects.filter(pk__in=subjects).values(
                    "pk", "insurance_code", "region_id", "name"
                )
            }
        else:
            # a doctor's institution: where most of the month's claims were
            first, last = _month_bounds(month)
            home = {}
            for code, iid in (
                Visit.objects.filter(doctor_code__in=subjects, visit_date__range=(first, last))
                .values_list("doctor_code", "institution_id")
                .order_by("doctor_code", "id")
            ):
                home.setdefault(code, iid)
            insts_rows = Institution.objects.filter(pk__in=set(home.values())).values(
                "pk", "insurance_code", "region_id", "name"
            )
            by_pk = {i["pk"]: i for i in insts_rows}
            insts = {code: by_pk.get(iid) for code, iid in home.items()}
        rows = []
        for subject in subjects:
            inst = insts.get(subject)
            if inst is None:
                continue
            claim_sum, pattern_sum, n = sums.get(subject, (Decimal(0), Decimal(0), 0))
            score = normalised(claim_sum, counts.get(subject, 0), pattern_sum)
            name = inst["insurance_code"] if column == "institution" else subject
            rows.append(
                (
                    name,
                    inst,
                    score,
                    engine.colour(score, rule_set),
                    n,
                    counts.get(subject, 0),
                )
            )
        written += _store(kind, month, rows)
    return written


def _store(kind: str, month: str, rows) -> list[RiskScore]:
    names = [r[0] for r in rows]
    existing = {
        s.subject: s
        for s in RiskScore.objects.filter(subject_kind=kind, month=month, subject__in=names)
    }
    earlier = {}
    for s in (
        RiskScore.objects.filter(subject_kind=kind, subject__in=names, month__lt=month)
        .order_by("subject", "-month")
        .only("subject", "colour")
    ):
        earlier.setdefault(s.subject, s.colour)
    out = []
    with transaction.atomic():
        for name, inst, score, colour, n, claims in rows:
            row = existing.get(name)
            before = row.colour if row is not None else earlier.get(name, "")
            if row is None:
                row = RiskScore(subject_kind=kind, subject=name, month=month)
            row.institution_id = inst["pk"]
            row.region_code = inst["region_id"]
            row.score, row.colour = score, colour or ""
            row.previous_colour = before or ""
            row.finding_count, row.claim_count = n, claims
            row.save()
            out.append(row)
            change = colour_change(before, colour)
            if change:
                who = "定点机构" if kind == SubjectKind.INSTITUTION else "医师"
                notices.raise_notice(
                    "review.colour_change",
                    "风险预警颜色变化",
                    NOTICE_SEVERITY.get(colour or before, "low"),
                    f"{who}{name} {month}",
                    {
                        "subject_kind": kind,
                        "subject": name,
                        "institution": inst["name"],
                        "month": month,
                        "from": COLOUR_NAMES[before or None],
                        "to": COLOUR_NAMES[colour],
                        "direction": "升高" if change == "up" else "降低",
                        "score": str(score),
                    },
                    dedupe_key=f"{kind}:{name}:{month}:{before or 'none'}:{colour or 'none'}",
                    audience="review.read",
                    region_code=inst["region_id"],
                )
    return out


# pg_advisory_xact_lock class ids ("RSCI", "RSCD"): one per subject kind
_LOCK_INSTITUTION, _LOCK_DOCTOR = 0x52534349, 0x52534344


def _serialise(institution_id: int, doctor_code: str | None) -> None:
    """Two decisions on one institution's (or doctor's) month rescore one after the
    other: the second computes after the first committed (READ COMMITTED reads afresh
    per statement), so neither stores a sum that misses the other's decision. Always the
    institution first, then the doctor, so rescorings never wait on each other in a
    circle. PostgreSQL only: SQLite runs one writing transaction at a time already."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        sql = "SELECT pg_advisory_xact_lock(%s, %s)"
        cursor.execute(sql, [_LOCK_INSTITUTION, institution_id % 2**31])
        if doctor_code:
            cursor.execute(sql, [_LOCK_DOCTOR, zlib.crc32(doctor_code.encode()) % 2**31])


def rescore_finding(finding: Finding) -> list[RiskScore]:
    """A decision made `finding` final: rescore its month for its institution and its
    claim's doctor, with the rule set the batch scores that county and year with. Called
    inside the decision's transaction, so a refused decision changes no score."""
    if finding.institution_id is None:
        return []
    region = finding.region_code[:6]
    rule_set = active_rule_set(region, int(finding.month[:4]))
    doctor = ""
    if finding.subject_kind == SubjectKind.CLAIM and finding.visit_id:
        codes = Visit.objects.filter(pk=finding.visit_id).values_list("doctor_code", flat=True)
        doctor = codes.first() or ""
    _serialise(finding.institution_id, doctor or None)
    return score_month(
        region,
        finding.month,
        rule_set,
        institution_id=finding.institution_id,
        doctor_code=doctor or None,
    )


def months_between(first: datetime.date, last: datetime.date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
