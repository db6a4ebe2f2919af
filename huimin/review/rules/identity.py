"""Identity rules: is this the insured person, alive, in one place at a time?"""

from huimin.review.claim import SEX_NAMES, Claim, History
from huimin.review.rules.base import (
    AGE,
    ICD_LIST,
    Hit,
    RuleConfig,
    day,
    matches,
    rule,
)


@rule("not_insured", params={}, facts=())
def not_insured(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """The person has no coverage on the visit (admission) date."""
    if claim.person.insured_on(claim.visit_date):
        return []
    return [Hit({})]


@rule("deceased", params={}, facts=("death_date",))
def deceased(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """Services dated after the person's recorded death (the day of death itself is not)."""
    died = claim.person.death_date
    if died is None:
        return []
    after = [line for line in claim.lines if line.service_date > died]
    if claim.visit_date <= died and not after:
        return []
    return [Hit({"death_date": day(died)}, tuple(line.number for line in after))]


@rule(
    "overlapping_stays",
    params={},
    facts=("other_institution", "other_admission", "other_discharge", "admission", "discharge"),
)
def overlapping_stays(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """An inpatient stay overlapping a stay at another institution. Sharing only the
    transfer day (discharged here, admitted there the same day) is not an overlap."""
    if not claim.inpatient:
        return []
    hits = []
    for stay in history.stays:
        if stay.claim_id == claim.id or stay.institution_id == claim.institution.id:
            continue
        if stay.admission_date < claim.last_date and claim.admission_date < stay.discharge_date:
            hits.append(
                Hit(
                    {
                        "other_institution": stay.institution_name,
                        "other_admission": day(stay.admission_date),
                        "other_discharge": day(stay.discharge_date),
                        "admission": day(claim.admission_date),
                        "discharge": day(claim.last_date),
                    }
                )
            )
    return hits


@rule(
    "outpatient_during_stay",
    params={},
    facts=("stay_institution", "admission", "discharge", "visit_institution", "visit_day"),
)
def outpatient_during_stay(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """An outpatient visit strictly inside an inpatient stay (the admission and discharge
    days themselves excepted): the patient was not in the bed billed (挂床 indicator).
    Either the claim is the visit and the stay is in the history, or the other way."""

    def hit(stay_inst, admission, discharge, visit_inst, visit_day):
        facts = {
            "stay_institution": stay_inst,
            "admission": day(admission),
            "discharge": day(discharge),
            "visit_institution": visit_inst,
            "visit_day": day(visit_day),
        }
        return Hit(facts)

    hits = []
    if claim.inpatient:
        for visit in history.visits:
            if visit.claim_id != claim.id and claim.admission_date < visit.date < claim.last_date:
                hits.append(
                    hit(
                        claim.institution.name,
                        claim.admission_date,
                        claim.last_date,
                        visit.institution_name,
                        visit.date,
                    )
                )
    else:
        for stay in history.stays:
            if stay.claim_id != claim.id and (
                stay.admission_date < claim.visit_date < stay.discharge_date
            ):
                hits.append(
                    hit(
                        stay.institution_name,
                        stay.admission_date,
                        stay.discharge_date,
                        claim.institution.name,
                        claim.visit_date,
                    )
                )
    return hits


@rule(
    "identity_mismatch",
    params={
        "female_only_diagnoses": ICD_LIST,
        "male_only_diagnoses": ICD_LIST,
        "pregnancy_diagnoses": ICD_LIST,
        "pregnancy_age_min": AGE,
        "pregnancy_age_max": AGE,
    },
    facts=("sex", "age", "reason"),
)
def identity_mismatch(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """A diagnosis or item the patient's body cannot have: another sex's organs, a
    pregnancy at an impossible age. The card may be someone else's (冒名 indicator).
    Unlike the catalog's payment restrictions (item_restriction), these are physiology."""
    p = cfg.params
    person = claim.person
    age = person.age_on(claim.visit_date)
    facts = {"sex": SEX_NAMES.get(person.sex, person.sex), "age": str(age)}
    hits = []
    other_sex = {"1": p["female_only_diagnoses"], "2": p["male_only_diagnoses"]}.get(person.sex)
    if other_sex and matches(claim.diagnosis, other_sex):
        hits.append(Hit({**facts, "reason": f"诊断{claim.diagnosis}仅见于异性"}))
    # a man's pregnancy is already the sex mismatch; the age is a woman's question
    elif matches(claim.diagnosis, p["pregnancy_diagnoses"]) and not (
        p["pregnancy_age_min"] <= age <= p["pregnancy_age_max"]
    ):
        hits.append(Hit({**facts, "reason": f"妊娠相关诊断{claim.diagnosis}与年龄不符"}))
    for line in claim.lines:
        only = line.item.physiological_sex
        if only and only != person.sex:
            reason = f"项目仅适用于{SEX_NAMES.get(only, only)}性"
            hits.append(Hit({**facts, "reason": reason}, (line.number,)))
    return hits
