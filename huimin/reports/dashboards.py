"""The two dashboards' data, from the aggregates only (a page view never scans the
records or settlements): tiles against targets, a monthly trend, the regions one level
down ranked, and for insurance the institutions and the review's risk colours.

Each number carries the URL of its drill-down page, so the chart code (static
reports/dashboard.js) can link every bar and point to its list.
"""

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from huimin.policy.scope import prefix_condition
from huimin.registry.models import Institution, Region
from huimin.reports import display, indicators
from huimin.reports.models import IndicatorFigure
from huimin.reports.periods import Period
from huimin.review.models import Colour, RiskScore

BOARDS = {
    "health": {
        "title": "卫生健康委看板：基本公共卫生服务",
        "tiles": [
            "record.building",
            "record.dynamic_use",
            "record.qualified",
            "htn.standard",
            "htn.control",
            "dm.standard",
            "dm.control",
            "elderly.managed",
            "child.managed",
            "child.newborn_visit",
            "maternal.early_booking",
            "maternal.postpartum_visit",
            "smi.standard",
            "tcm.elderly",
            "tcm.child",
            "nip.MMR-1",
        ],
        "trend": ["record.building", "htn.standard", "dm.standard", "elderly.managed"],
        "rank": ["record.building", "htn.standard", "dm.standard"],
    },
    "insurance": {
        "title": "医保局看板：基金运行与监管",
        "tiles": [
            "ins.enrollment",
            "ins.spend.total",
            "ins.income",
            "ins.balance",
            "ins.balance_months",
            "ins.policy_ratio",
            "ins.actual_ratio",
            "ins.admission_rate",
            "ins.out_of_area",
            "review.findings",
            "review.recovered",
        ],
        "trend": ["ins.spend.basic", "ins.spend.critical", "ins.spend.assistance", "ins.income"],
        "rank": ["ins.spend.total", "ins.enrollment", "ins.admission_rate"],
        "institutions": "ins.spend.total",
    },
}


def link(code: str, region: str, period: Period) -> str:
    query = urlencode({"region": region, "period": period.key})
    return f"{reverse('reports:indicator', args=[code])}?{query}"


def _stored(codes, regions, periods) -> dict:
    rows = IndicatorFigure.objects.filter(
        indicator__in=codes,
        region_code__in=regions,
        institution_id=0,
        period_start__in=sorted({p.start for p in periods}),
    ).values_list(
        "indicator", "region_code", "period_start", "period_end", "numerator", "denominator"
    )
    return {(i, r, Period(s, e)): (n, d) for i, r, s, e, n, d in rows}


def _number(ind, found):
    if found is None:
        return None
    v = display.value(ind, *found)
    return None if v is None else float(v)  # for the chart only; pages show the text


def build(board: str, region: str, period: Period) -> dict:
    spec = BOARDS[board]
    level = {6: "county", 9: "township", 12: "village"}[len(region)]
    months = Period.year(period.end.year).months()
    children = list(
        Region.objects.filter(parent_id=region).order_by("code").values_list("code", "name")
    )
    codes = sorted(set(spec["tiles"]) | set(spec["trend"]) | set(spec["rank"]))
    stored = _stored(codes, [region, *(c for c, _ in children)], [period, *months])

    tiles = []
    for code in spec["tiles"]:
        ind = indicators.get(code)
        if level not in ind.levels:
            continue
        found = stored.get((code, region, period))
        v = None if found is None else display.value(ind, *found)
        tiles.append(
            {
                "code": code,
                "name": ind.name,
                "text": display.text(ind, v) if found else "未汇总",
                "target": display.target_text(ind),
                "meets": display.meets(ind, v),
                "url": link(code, region, period),
            }
        )
    trend = {
        "months": [m.label for m in months],
        "series": [
            {
                "name": indicators.get(code).name,
                "unit": indicators.get(code).unit,
                "data": [
                    _number(indicators.get(code), stored.get((code, region, m))) for m in months
                ],
                "urls": [link(code, region, m) for m in months],
            }
            for code in spec["trend"]
            if level in indicators.get(code).levels
        ],
    }
    ranks = []
    for code in spec["rank"]:
        ind = indicators.get(code)
        bars = [
            {
                "name": name,
                "value": _number(ind, stored.get((code, child, period))),
                "url": link(code, child, period),
            }
            for child, name in children
            if stored.get((code, child, period)) is not None
        ]
        bars.sort(key=lambda b: (b["value"] is None, -(b["value"] or 0)))
        ranks.append({"name": ind.name, "unit": ind.unit, "bars": bars})
    data = {"tiles": tiles, "trend": trend, "ranks": ranks, "board": board}
    if board == "insurance" and level == "county":
        data["institutions"] = _institutions(spec["institutions"], region, period)
        data["colours"] = _colours(region, period)
    return data


def _institutions(code: str, region: str, period: Period) -> list[dict]:
    ind = indicators.get(code)
    rows = list(
        IndicatorFigure.objects.filter(
            indicator=code, region_code=region, period_start=period.start, period_end=period.end
        )
        .exclude(institution_id=0)
        .order_by("-numerator")
        .values_list("institution_id", "numerator", "denominator")[:15]
    )
    names = dict(Institution.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "name"))
    return [
        {
            "name": names.get(pk, str(pk)),
            "value": _number(ind, (n, d)),
            "url": link(code, region, period),
        }
        for pk, n, d in rows
    ]


def _colours(region: str, period: Period) -> dict:
    """The review's four colours for institutions in the period's last month."""
    month = f"{period.end:%Y-%m}"
    counts = dict(
        RiskScore.objects.filter(prefix_condition("region_code", region))
        .filter(subject_kind="institution", month=month)
        .exclude(colour="")
        .order_by()
        .values("colour")
        .annotate(n=Count("pk"))
        .values_list("colour", "n")
    )
    return {
        "month": month,
        "counts": [
            {
                "colour": c.value,
                "name": c.label,
                "n": counts.get(c.value, 0),
                "url": reverse("review:risk_colour", args=[c.value]),
            }
            for c in Colour
        ],
    }
