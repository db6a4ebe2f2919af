"""The pure synthetic-records generator over a generated county of a few thousand
people: rates within tolerance, follow-ups through the year, every clean form passes
its spec when signed, and the injected problems are the only failures."""

import datetime as dt
import itertools
from collections import Counter, defaultdict

import pytest

from huimin.records.forms import SPECS
from huimin.records.forms.spec import Context, bmi, clean
from huimin.records.synthetic import FAILS_CLEAN, PersonIn, RecordsGenerator, age_on
from huimin.registry.synthetic import CountyGenerator

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def people():
    county = CountyGenerator(residents=6000, seed=11, as_of=AS_OF)
    rows = [
        PersonIn(p.key, p.sex, p.birth_date, p.death_date, p.village)
        for b in county.batches()
        for p in b.people
    ]
    return sorted(rows, key=lambda p: (p.village, p.id))


@pytest.fixture(scope="module")
def batches(people):
    return list(RecordsGenerator(2026, as_of=AS_OF, seed=5).batches(people))


def _all(batches, name):
    return [row for b in batches for row in getattr(b, name)]


def test_about_85_percent_of_residents_have_a_file(people, batches):
    living = [p for p in people if p.death_date is None]
    filed = {r.person for r in _all(batches, "records")}
    rate = sum(1 for p in living if p.id in filed) / len(living)
    assert 0.82 <= rate <= 0.88


def test_hypertension_and_diabetes_rates_among_adults_with_a_file(people, batches):
    filed = {r.person for r in _all(batches, "records")}
    adults = {
        p.id
        for p in people
        if p.id in filed and p.death_date is None and age_on(p.birth_date, AS_OF) >= 18
    }
    open_ = defaultdict(set)
    for prog in _all(batches, "programmes"):
        if prog.ended_on is None:
            open_[prog.kind].add(prog.person)
    assert open_["hypertension"] <= adults
    assert 0.13 <= len(open_["hypertension"]) / len(adults) <= 0.17
    assert 0.03 <= len(open_["diabetes"]) / len(adults) <= 0.05


def test_hypertensives_are_followed_up_about_quarterly_through_the_year(batches):
    visits = defaultdict(list)
    for f in _all(batches, "forms"):
        if f.kind == "htn_followup" and f.signed:
            visits[f.person].append(dt.date.fromisoformat(f.data["visit_date"]))
    lookback = AS_OF - dt.timedelta(days=365)
    patients = [
        p
        for p in _all(batches, "programmes")
        if p.kind == "hypertension" and p.ended_on is None and p.registered_on < lookback
    ]
    assert patients
    four = sum(1 for p in patients if len({d for d in visits[p.person] if d >= lookback}) >= 4)
    assert four / len(patients) >= 0.75  # the rest lapsed or missed a quarter
    # The next date: within two weeks after 控制不满意 or a referral (分类干预 2–3), else
    # at the quarter's visit (from a recheck, what is left of the quarter).
    short, quarterly = [], []
    for f in _all(batches, "forms"):
        if f.kind == "htn_followup" and f.signed:
            asked = (
                dt.date.fromisoformat(f.data["next_visit_date"])
                - dt.date.fromisoformat(f.data["visit_date"])
            ).days
            recheck = f.data["classification"] != "1" or "referral_reason" in f.data
            (short if recheck else quarterly).append(asked)
    assert short and all(10 <= n <= 14 for n in short)
    assert all(20 <= n <= 100 for n in quarterly)
    assert sum(1 for n in quarterly if n >= 80) / len(quarterly) > 0.6
    latest = [max(visits[p.person], default=lookback) for p in patients]
    overdue = sum(1 for day in latest if day < AS_OF - dt.timedelta(days=100))
    assert overdue > 0  # the due list has patients to chase


def test_treated_blood_pressure_and_glucose_are_realistic(batches):
    forms = [f for f in _all(batches, "forms") if f.signed]
    injected = {(b.village, i.form) for b in batches for i in b.injected if i.form is not None}
    clean_htn = [
        f.data
        for b in batches
        for n, f in enumerate(b.forms)
        if f.kind == "htn_followup" and (b.village, n) not in injected
    ]
    assert all(120 <= d["systolic"] <= 170 and 70 <= d["diastolic"] <= 100 for d in clean_htn)
    assert all(d["systolic"] > d["diastolic"] + 20 for d in clean_htn)
    glucose = [float(f.data["fasting_glucose"]) for f in forms if f.kind == "dm_followup"]
    assert glucose and all(5 <= g <= 12 for g in glucose)


def test_generated_forms_pass_their_spec_except_the_injected_problems(people, batches):
    by_id = {p.id: p for p in people}
    failing: Counter = Counter()
    for b in batches:
        injected = {i.form: i.problem for i in b.injected if i.form is not None}
        for n, f in enumerate(b.forms):
            p = by_id[f.person]
            ctx = Context(today=AS_OF, birth_date=p.birth_date, sex=p.sex, death_date=p.death_date)
            _, problems = clean(SPECS[f.kind], f.data, ctx, final=True)
            problem = injected.get(n)
            if problem in FAILS_CLEAN:
                assert problems, (problem, f.data)
                failing[problem] += 1
            else:
                assert not problems, (f.kind, problems, f.data)
    assert set(failing) == FAILS_CLEAN  # each kind of failing problem occurs


def test_quality_problems_are_injected_at_realistic_rates(batches):
    followups = sum(
        1 for f in _all(batches, "forms") if f.kind in ("htn_followup", "dm_followup") and f.signed
    )
    counts = Counter(i.problem for i in _all(batches, "injected"))
    assert 0.03 <= counts["missing_weight"] / followups <= 0.07
    for problem in ("swapped_bp", "height_drop", "duplicate_same_day", "followup_gap", "draft"):
        assert 0 < counts[problem] < 0.05 * followups, problem
    assert counts["missed_dose"] > 0
    # A duplicate is the same follow-up, entered twice on one day.
    for b in batches:
        for i in b.injected:
            if i.problem == "duplicate_same_day":
                twin = b.forms[i.form]
                same = [f for f in b.forms if f.person == twin.person and f.data == twin.data]
                assert len(same) == 2


def test_children_pregnancies_and_immunisations(people, batches):
    by_id = {p.id: p for p in people}
    kinds = Counter(f.kind for f in _all(batches, "forms"))
    assert kinds["immunisation"] > 0 and kinds["prenatal_first"] > 0
    pregnancies = [p for p in _all(batches, "programmes") if p.kind == "pregnancy"]
    assert any(p.ended_on is None for p in pregnancies)  # open now
    assert any(p.ended_on and p.ended_on.year == 2026 for p in pregnancies)  # delivered
    for p in pregnancies:
        woman = by_id[p.person]
        assert woman.sex == "2" and 20 <= age_on(woman.birth_date, AS_OF) <= 40
        assert p.details["last_menstrual_period"] < p.registered_on.isoformat()
    children = {p.person for p in _all(batches, "programmes") if p.kind == "child"}
    assert all(age_on(by_id[c].birth_date, AS_OF) < 7 for c in children)
    hep_b_1 = {
        f.person
        for f in _all(batches, "forms")
        if f.kind == "immunisation" and f.data["vaccine"] == "HepB" and f.data["dose"] == 1
    }
    assert len(hep_b_1) >= 0.9 * len(children)


def test_same_seed_same_rows_whatever_the_batching(people):
    one = list(RecordsGenerator(2026, as_of=AS_OF, seed=5).batches(people[:800]))
    two = list(RecordsGenerator(2026, as_of=AS_OF, seed=5).batches(people[:800]))
    assert [b.forms for b in one] == [b.forms for b in two]
    single = RecordsGenerator(2026, as_of=AS_OF, seed=5)
    from huimin.records.synthetic import RecordBatch

    alone = RecordBatch(village=people[500].village)
    single.person(people[500], alone)
    everyone = [f for b in one for f in b.forms if f.person == people[500].id]
    assert alone.forms == everyone


def _kinds_by_person(batches) -> dict[int, Counter]:
    out: dict[int, Counter] = defaultdict(Counter)
    for f in _all(batches, "forms"):
        if f.signed:
            out[f.person][f.kind] += 1
    return out


def test_every_record_has_personal_info_but_a_few(batches):
    records = _all(batches, "records")
    kinds = _kinds_by_person(batches)
    counts = Counter(i.problem for i in _all(batches, "injected"))
    missing = {i.person for i in _all(batches, "injected") if i.problem == "missing_personal_info"}
    for r in records:
        assert kinds[r.person]["personal_info"] == (0 if r.person in missing else 1)
    problems = counts["missing_personal_info"] + counts["personal_info_incomplete"]
    assert 0.03 <= problems / len(records) <= 0.05
    assert counts["missing_personal_info"] > 0 and counts["personal_info_incomplete"] > 0
    # The form is dated the day the file was opened.
    opened = {r.person: r.opened_on.isoformat() for r in records}
    for f in _all(batches, "forms"):
        if f.kind == "personal_info":
            assert f.data["filled_date"] == opened[f.person]


def test_elderly_and_chronic_patients_have_this_years_health_check(people, batches):
    by_id = {p.id: p for p in people}
    kinds = _kinds_by_person(batches)
    filed = {r.person for r in _all(batches, "records")}
    elderly = [
        p.id
        for p in people
        if p.id in filed and p.death_date is None and age_on(p.birth_date, AS_OF) >= 65
    ]
    programmes = defaultdict(set)
    for prog in _all(batches, "programmes"):
        programmes[prog.kind].add(prog.person)
    assert set(elderly) <= programmes["elderly"]
    assert all(age_on(by_id[p].birth_date, AS_OF) >= 65 for p in programmes["elderly"])
    checked = [p for p in elderly if kinds[p]["health_check"]]
    assert 0.65 <= len(checked) / len(elderly) <= 0.85
    assert sum(1 for p in checked if kinds[p]["elderly_selfcare"]) >= 0.9 * len(checked)
    assert 0.7 <= sum(1 for p in checked if kinds[p]["tcm_elderly"]) / len(checked) <= 0.9
    younger_patients = [
        p
        for p in programmes["hypertension"] | programmes["diabetes"]
        if age_on(by_id[p].birth_date, AS_OF) < 65 and by_id[p].death_date is None
    ]
    assert (
        0.55
        <= sum(1 for p in younger_patients if kinds[p]["health_check"]) / len(younger_patients)
        <= 0.85
    )
    nobody_else = set(programmes["elderly"]) | programmes["hypertension"] | programmes["diabetes"]
    assert {p for p, k in kinds.items() if k["health_check"]} <= nobody_else
    assert all(n <= 1 for k in kinds.values() for n in (k["health_check"], k["tcm_elderly"]))

    checks = [f for f in _all(batches, "forms") if f.kind == "health_check"]
    months = {dt.date.fromisoformat(f.data["check_date"]).month for f in checks}
    assert months == set(range(1, AS_OF.month + 1))  # spread over the year
    for f in checks:
        assert f.data["bmi"] == bmi(f.data["height"], f.data["weight"])
        assert f.data["systolic_left"] > f.data["diastolic_left"] + 20
        assert "fasting_glucose" not in f.data or 3.5 <= float(f.data["fasting_glucose"]) <= 12
    missing_waist = sum(1 for f in checks if "waist" not in f.data)
    assert 0.01 <= missing_waist / len(checks) <= 0.06
    assert missing_waist == sum(
        1 for i in _all(batches, "injected") if i.problem == "missing_waist"
    )


def test_severe_mental_illness_patients_are_followed_up_quarterly(people, batches):
    by_id = {p.id: p for p in people}
    filed_adults = {
        r.person
        for r in _all(batches, "records")
        if age_on(by_id[r.person].birth_date, AS_OF) >= 18
    }
    smi = [p for p in _all(batches, "programmes") if p.kind == "smi"]
    assert 0.002 <= len(smi) / len(filed_adults) <= 0.008
    visits = defaultdict(list)
    for f in _all(batches, "forms"):
        if f.kind == "smi_followup":
            visit = dt.date.fromisoformat(f.data["visit_date"])
            nxt = dt.date.fromisoformat(f.data["next_visit_date"])
            assert 0 < (nxt - visit).days <= 92
            visits[f.person].append(visit)
    kinds = _kinds_by_person(batches)
    for prog in smi:
        assert kinds[prog.person]["smi_info"] == 1
        dates = sorted(visits[prog.person])
        assert all((b - a).days <= 92 for a, b in itertools.pairwise(dates))
        if prog.ended_on is None and prog.registered_on < AS_OF - dt.timedelta(days=365):
            assert len([d for d in dates if d >= AS_OF - dt.timedelta(days=365)]) >= 4
