"""Pattern rules: what one claim cannot show, but a year, a terminal or peers can."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from huimin.core.money import r2
from huimin.review.claim import LEVEL_NAMES, Claim, History, PeerCost, TerminalActivity
from huimin.review.rules.base import (
    COUNT,
    DECIMAL,
    MINUTES,
    MONTH,
    PEERS,
    RATIO,
    TERMINAL,
    Hit,
    RuleConfig,
    money,
    rule,
)


@rule(
    "cap_bunching",
    params={"band_ratio": RATIO, "min_claim_share": RATIO, "from_month": MONTH},
    facts=("paid_after", "annual_cap", "share"),
)
def cap_bunching(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """This claim takes the year's basic-fund payments into the band just below the
    annual cap (at least `band_ratio` of it, short of it), and is itself at least
    `min_claim_share` of what was left (冲顶). Only from `from_month` on: spending up a
    remaining quota is a year-end habit."""
    p, cap = cfg.params, claim.cap
    if cap is None or cap.annual_cap <= 0 or claim.last_date.month < p["from_month"]:
        return []
    band = cap.annual_cap * p["band_ratio"]
    left = cap.annual_cap - cap.paid_before
    used = cap.paid_after - cap.paid_before
    if not (band <= cap.paid_after < cap.annual_cap) or cap.paid_before >= band:
        return []
    if left <= 0 or used < left * p["min_claim_share"]:
        return []
    share = r2(cap.paid_after * 100 / cap.annual_cap)
    facts = {
        "paid_after": money(cap.paid_after),
        "annual_cap": money(cap.annual_cap),
        "share": f"{share}%",
    }
    return [Hit(facts)]


@rule(
    "bulk_swiping",
    params={"window_minutes": MINUTES, "min_cards": COUNT},
    facts=("terminal", "institution", "cards", "minutes", "start", "end"),
    reads=TERMINAL,
    realtime=False,
)
def bulk_swiping(activity: TerminalActivity, cfg: RuleConfig) -> list[Hit]:
    """At least `min_cards` different people settled at one terminal within
    `window_minutes` (套刷). One hit per burst; a burst's claims are not counted again."""
    window = datetime.timedelta(minutes=cfg.params["window_minutes"])
    swipes = sorted(activity.swipes, key=lambda s: (s.at, s.claim_id))
    hits = []
    i = 0
    while i < len(swipes):
        j = i
        while j + 1 < len(swipes) and swipes[j + 1].at - swipes[i].at <= window:
            j += 1
        cards = {s.person_id for s in swipes[i : j + 1]}
        if len(cards) >= cfg.params["min_cards"]:
            facts = {
                "terminal": activity.terminal,
                "institution": activity.institution_name,
                "cards": str(len(cards)),
                "minutes": str(cfg.params["window_minutes"]),
                "start": swipes[i].at.strftime("%Y-%m-%d %H:%M"),
                "end": swipes[j].at.strftime("%Y-%m-%d %H:%M"),
            }
            hits.append(Hit(facts, subject=activity.terminal))
            i = j + 1
        else:
            i += 1
    return hits


# Scale factors making the MAD (and, when it is zero, the mean absolute deviation)
# estimate the standard deviation of a normal distribution (Iglewicz and Hoaglin).
MAD_FACTOR = Decimal("0.6745")
MEAN_AD_FACTOR = Decimal("1.253314")


def median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def robust_z(value: Decimal, values: list[Decimal]) -> Decimal | None:
    """The modified z-score of `value` among `values`: 0.6745 (x − median) / MAD; with a
    zero MAD, (x − median) / (1.253314 × mean absolute deviation); None if both are zero."""
    centre = median(values)
    deviations = [abs(v - centre) for v in values]
    mad = median(deviations)
    if mad > 0:
        return MAD_FACTOR * (value - centre) / mad
    mean_ad = sum(deviations, Decimal(0)) / len(deviations)
    if mean_ad > 0:
        return (value - centre) / (MEAN_AD_FACTOR * mean_ad)
    return None


@rule(
    "peer_outlier",
    params={"threshold": DECIMAL, "min_cases": COUNT, "min_peers": COUNT},
    facts=("subject", "level", "average_cost", "median", "z", "peers"),
    reads=PEERS,
    realtime=False,
)
def peer_outlier(peers: list[PeerCost], cfg: RuleConfig) -> list[Hit]:
    """An institution's or doctor's average cost per admission or visit far above peers
    of the same level: robust z-score above `threshold`. Only subjects with at least
    `min_cases` cases count, and only in levels with at least `min_peers` of them."""
    p = cfg.params
    levels: dict[str, list[PeerCost]] = {}
    for peer in peers:
        if peer.cases >= p["min_cases"]:
            levels.setdefault(peer.level, []).append(peer)
    hits = []
    for level, group in sorted(levels.items()):
        if len(group) < p["min_peers"]:
            continue
        costs = [peer.average_cost for peer in group]
        centre = median(costs)
        for peer in sorted(group, key=lambda x: x.subject_id):
            z = robust_z(peer.average_cost, costs)
            if z is not None and z > p["threshold"]:
                facts = {
                    "subject": peer.subject_name,
                    "level": LEVEL_NAMES.get(level, level),
                    "average_cost": money(peer.average_cost),
                    "median": money(centre),
                    "z": str(z.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
                    "peers": str(len(group)),
                }
                hits.append(Hit(facts, subject=peer.subject_id))
    return hits
