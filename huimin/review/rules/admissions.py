"""Admission rules: split stays (分解住院), beds without care (挂床), admissions an
outpatient visit would have served (低标准入院)."""

from huimin.review.claim import FEE_CATEGORIES, Claim, History
from huimin.review.rules.base import (
    BOOL,
    DAYS,
    FEE_CATEGORY_LIST,
    ICD_GROUPS,
    ICD_LIST,
    Hit,
    RuleConfig,
    day,
    icd_category,
    matches,
    rule,
)


def related(a: str, b: str, groups) -> bool:
    """Same ICD-10 category, or both within one configured group of related ones."""
    if icd_category(a) == icd_category(b):
        return True
    return any(matches(a, group) and matches(b, group) for group in groups)


@rule(
    "split_admission",
    params={"window_days": DAYS, "same_institution_only": BOOL, "related_categories": ICD_GROUPS},
    facts=(
        "previous_institution",
        "previous_admission",
        "previous_discharge",
        "previous_diagnosis",
        "gap_days",
        "window_days",
    ),
)
def split_admission(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """Admitted again within `window_days` of a discharge for the same or a related
    diagnosis. The rule set's exempt diagnoses (chemotherapy Z51.1, dialysis Z49…) spare
    the claim in the engine and the previous stay here."""
    if not claim.inpatient:
        return []
    p = cfg.params
    hits = []
    for stay in history.stays:
        if stay.claim_id == claim.id or cfg.exceptions.exempts_diagnosis(stay.diagnosis):
            continue
        if p["same_institution_only"] and stay.institution_id != claim.institution.id:
            continue
        gap = (claim.admission_date - stay.discharge_date).days
        if 0 <= gap <= p["window_days"] and related(
            claim.diagnosis, stay.diagnosis, p["related_categories"]
        ):
            hits.append(
                Hit(
                    {
                        "previous_institution": stay.institution_name,
                        "previous_admission": day(stay.admission_date),
                        "previous_discharge": day(stay.discharge_date),
                        "previous_diagnosis": stay.diagnosis,
                        "gap_days": str(gap),
                        "window_days": str(p["window_days"]),
                    }
                )
            )
    return hits


@rule(
    "bed_without_treatment",
    params={"min_days": DAYS, "treatment_categories": FEE_CATEGORY_LIST},
    facts=("days", "charged"),
)
def bed_without_treatment(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """A stay of at least `min_days` billing no treatment at all: only bed, nursing,
    consultation and the like (挂床 indicator)."""
    p = cfg.params
    if not claim.inpatient or claim.length_of_stay < p["min_days"]:
        return []
    treating = set(p["treatment_categories"])
    if any(line.item.category in treating for line in claim.lines):
        return []
    charged = dict.fromkeys(FEE_CATEGORIES.get(line.item.category, "") for line in claim.lines)
    facts = {"days": str(claim.length_of_stay), "charged": "、".join(c for c in charged if c)}
    return [Hit(facts, tuple(line.number for line in claim.lines))]


@rule("low_standard_admission", params={"diagnoses": ICD_LIST}, facts=())
def low_standard_admission(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """An admission for a diagnosis on the county's outpatient-manageable list."""
    if claim.inpatient and matches(claim.diagnosis, cfg.params["diagnoses"]):
        return [Hit({})]
    return []
