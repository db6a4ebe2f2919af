"""0–6-year-olds: the newborn home visit, checks at the set months, children's TCM
guidance and immunisations by the national programme's schedule."""

from __future__ import annotations

import datetime as dt
import random
from functools import partial

from huimin.records.forms.child import MONTH_AGES, TCM_METHODS_BY_AGE, month_age_for
from huimin.records.forms.immunisation import PROGRAMME_SCHEDULE, SERIES, VACCINES
from huimin.records.forms.spec import bmi
from huimin.records.synthetic.base import add_months, clip, interpolate, village_doctor_name
from huimin.records.synthetic.problems import MISSED_CHECK_RATE, MISSED_DOSE_RATE

# Against the specification (docs/records.md, children): compliant by default, these
# non-compliant cases at realistic rates, each listed in `RecordBatch.injected` and
# seen by the quality rules, never by `clean`.
HIGH_RISK_RATE = 0.07  # preterm or low birth weight (China: about 7% of births)
LATE_NEWBORN_VISIT_RATE = 0.05  # the home visit more than 7 days after discharge
MISSED_HIGH_RISK_VISIT_RATE = 0.2  # of high-risk newborns: no second visit
MISSED_HAEMOGLOBIN_6_8_RATE = 0.04  # neither the 6- nor the 8-month check tested it
MISSED_TCM_RATE = 0.06  # per TCM occasion


class ChildMixin:
    """Part of people._Person."""

    def _child(self) -> None:
        # Discharged from the delivery unit 1–5 days after birth; the date is entered at
        # registration (the newborn visit is due within 7 days of it).
        self.discharged = self.p.birth_date + dt.timedelta(days=self.rng.randint(1, 5))
        self.discharged = min(self.discharged, self.opened_on)
        prog = self.programme("child", self.opened_on, discharge_date=self.discharged.isoformat())
        self._immunisations()
        if "child_check" in self.gen.specs:
            self._child_checks(prog)

    def _child_checks(self, prog: int) -> None:
        """The newborn home visit within a week, then the checks at the set months (a
        few missed), with TCM guidance at 6–36 months on the same day."""
        p, rng = self.p, self.rng
        girl = p.sex == "2"
        self.z = rng.gauss(0, 0.8)
        ages = [int(m) for m in MONTH_AGES]
        self.high_risk = rng.random() < HIGH_RISK_RATE
        home = self.discharged + dt.timedelta(days=rng.randint(1, 7))
        if rng.random() < LATE_NEWBORN_VISIT_RATE:
            home = self.discharged + dt.timedelta(days=rng.randint(8, 14))
            self.inject("newborn_visit", "late_newborn_visit")
        first_check = add_months(p.birth_date, 1)
        second = home + dt.timedelta(days=7) if self.high_risk else None
        if second and (second - p.birth_date).days > 28:
            second = None
        self.form(
            "newborn_visit",
            home,
            partial(self._newborn, home, second or first_check, girl),
            programme=prog,
        )
        if second is not None:
            if rng.random() < MISSED_HIGH_RISK_VISIT_RATE:
                self.inject("newborn_visit", "missed_high_risk_visit")
            else:
                self.form(
                    "newborn_visit",
                    second,
                    partial(self._newborn, second, first_check, girl),
                    programme=prog,
                )
        # Blood haemoglobin at 6 or 8 months (规范: 6～8月龄 1次), sometimes at neither.
        self.hb_6_8, self.hb_done = rng.choice((6, 8)), False
        if rng.random() < MISSED_HAEMOGLOBIN_6_8_RATE:
            self.hb_6_8 = None
            self.inject("child_check", "missing_haemoglobin_6_8")
        for i, m in enumerate(ages):
            day = add_months(p.birth_date, m) + dt.timedelta(days=rng.randint(0, 10))
            if month_age_for(p.birth_date, day) != m:
                day = add_months(p.birth_date, m)
            if day > self.end:
                break
            if rng.random() < MISSED_CHECK_RATE:
                self.inject("child_check", "missed_check")
                if m == 8 and self.hb_6_8 is not None and not self.hb_done:
                    # Neither 6–8-month check tested haemoglobin after all.
                    self.inject("child_check", "missing_haemoglobin_6_8")
                continue
            nxt = add_months(p.birth_date, ages[i + 1]) if i + 1 < len(ages) else None
            self.form(
                "child_check", day, partial(self._child_check, m, day, nxt, girl), programme=prog
            )
            if m in TCM_METHODS_BY_AGE and rng.random() < MISSED_TCM_RATE:
                self.inject("tcm_child", "missed_tcm")
            elif m in TCM_METHODS_BY_AGE:
                later = [a for a in TCM_METHODS_BY_AGE if a > m]
                tcm_next = add_months(p.birth_date, later[0]) if later else None
                services = ["1", "2", *TCM_METHODS_BY_AGE[m]]
                self.form(
                    "tcm_child",
                    day,
                    partial(_tcm_child, m, day, tcm_next, services, self.doctor),
                    programme=prog,
                )

    def _growth(self, months: int, girl: bool) -> tuple[float, float]:
        """Weight (kg) and length/height (cm) near the WHO medians for the age."""
        w = interpolate(_WEIGHT_BY_MONTH, months) * (0.95 if girl else 1.0)
        h = interpolate(_HEIGHT_BY_MONTH, months) - (1.2 if girl else 0.0)
        return w * (1 + 0.08 * self.z), h * (1 + 0.035 * self.z)

    def _newborn(self, day: dt.date, nxt: dt.date, girl: bool) -> dict:
        rng = self.rng
        # Drawn from the child's own stream so a second visit repeats the same birth.
        birth = random.Random(self.p.id)  # noqa: S311 - synthetic data
        birth_weight = clip(3.25 + birth.gauss(0, 0.4) - (0.1 if girl else 0), 2.5, 4.3)
        weeks = birth.choices((37, 38, 39, 40, 41), (8, 20, 35, 30, 7))[0]
        if self.high_risk:
            birth_weight, weeks = birth.uniform(1.9, 2.45), birth.choice((34, 35, 36, 37))
        return {
            "gestational_weeks": weeks,
            "discharge_date": self.discharged.isoformat(),
            "mother_illness": ["1"],
            "birth_conditions": [rng.choices(("1", "4"), (65, 35))[0]],
            "asphyxia": "1",
            "malformation": "1",
            "hearing_screening": "1",
            "disease_screening": ["2"],
            "birth_weight": f"{birth_weight:.2f}",
            "weight": f"{birth_weight + rng.uniform(-0.1, 0.15):.2f}",
            "birth_length": f"{rng.uniform(48, 52):.1f}",
            "feeding": rng.choices(("1", "2", "3"), (60, 30, 10))[0],
            "temperature": f"{rng.uniform(36.4, 37.2):.1f}",
            "heart_rate": rng.randint(120, 150),
            "respiration": rng.randint(35, 50),
            "complexion": "1",
            "jaundice": ["1"],
            "fontanelle": "1",
            **{k: "1" for k in _NEWBORN_EXAMS},
            "skin": "1",
            "umbilical_cord": "1",
            "referral": "1",
            "guidance": ["1", "2", "3"],
            "visit_date": day.isoformat(),
            "next_visit_date": nxt.isoformat(),
            "doctor": self.doctor,
        }

    def _child_check(self, m: int, day: dt.date, nxt: dt.date | None, girl: bool) -> dict:
        rng = self.rng
        weight, height = self._growth(m, girl)
        data = {
            "visit_date": day.isoformat(),
            "month_age": str(m),
            "weight": f"{weight:.2f}",
            "weight_eval": "2",
            "height": f"{height:.1f}",
            "height_eval": "2",
            "complexion": "1",
            "neck_mass": "1",
            **{k: "1" for k in _CHILD_EXAMS},
            "hearing": "1",
            "illnesses": ["1"],
            "referral": "1",
            "guidance": ["1", "2", "3"] if m < 36 else ["1", "3", "4", "5"],
            "doctor": self.doctor,
        }
        if m <= 30:
            data["head_circumference"] = f"{interpolate(_HEAD_BY_MONTH, m):.1f}"
            data["fontanelle"] = "2" if m <= 12 else "1"
            data["rickets_symptoms"] = ["1"]
            data["rickets_signs"] = ["1"]
        if m <= 3:
            data["umbilicus"] = "2"
        if m >= 8:
            data["teeth"] = min(20, max(0, m - 6 + rng.randint(-2, 2)))
            data["caries"] = 0 if rng.random() < 0.8 or m < 24 else 1
        if m >= 36:
            data["vision"] = rng.choice(("4.9", "5.0", "5.0", "5.1"))
            data["weight_for_height_eval"] = "2"
            data["physical_evaluation"] = "1"
            data["bmi"] = bmi(data["height"], data["weight"])
        # 规范: haemoglobin at 6–8, 18 and 30 months and yearly from 4 (also kept at 12,
        # 24 and 36 months, as many clinics do).
        six_eight = m in (6, 8) and self.hb_6_8 is not None and not self.hb_done
        if six_eight and (m == self.hb_6_8 or m == 8):  # the 8-month one if 6 was missed
            self.hb_done = True
        if m in (12, 18, 24, 30, 36, 48, 60, 72) or (six_eight and self.hb_done):
            data["haemoglobin"] = rng.randint(108, 132)
        if m <= 24:
            data["vitamin_d_iu"] = 400
        if m > 1:
            data["development"] = ["0"]
        data["outdoor_hours"] = f"{rng.choice((1, 1.5, 2)):.1f}"
        if nxt is not None:
            data["next_visit_date"] = nxt.isoformat()
        return data

    def _immunisations(self) -> None:
        """The national programme's doses a child has reached the age for, each a few
        days after its due age (never before the starting age or the minimum interval);
        some children miss their latest dose of a series and are overdue."""
        if "immunisation" not in self.gen.specs:
            return
        p, rng = self.p, self.rng
        township = p.village[:9]
        unit = self.gen.units.get(township) or "乡镇卫生院预防接种门诊"
        vaccinator = village_doctor_name(self.gen.seed, township)
        previous: dict[str, dt.date] = {}
        latest: dict[str, int] = {}  # series → index of its last dose due by the end
        for i, d in enumerate(PROGRAMME_SCHEDULE):
            if p.birth_date + dt.timedelta(days=d.due_age_days) <= self.end:
                latest[SERIES[d.vaccine]] = i
        for i, d in enumerate(PROGRAMME_SCHEDULE):
            series = SERIES[d.vaccine]
            if latest.get(series, -1) < i:
                continue
            if i == latest[series] and rng.random() < MISSED_DOSE_RATE:
                self.inject("immunisation", "missed_dose")
                continue
            delay = rng.randint(0, 1) if d.due_age_days == 0 else rng.randint(0, 20)
            day = p.birth_date + dt.timedelta(days=d.due_age_days + delay)
            months = round(d.due_age_days * 12 / 365.25)
            day = max(day, add_months(p.birth_date, months))
            if series in previous:
                day = max(day, previous[series] + dt.timedelta(days=d.min_interval_days))
            if day > self.end:
                continue
            previous[series] = day
            vaccine = VACCINES[d.vaccine]
            self.form("immunisation", day, partial(self._dose, d, vaccine, day, unit, vaccinator))

    def _dose(self, d, vaccine, day: dt.date, unit: str, vaccinator: str) -> dict:
        rng = self.rng
        route = vaccine.route
        infant = day < add_months(self.p.birth_date, 12)
        site = {
            "1": "1",
            "2": rng.choice(("1", "2")),
            "3": rng.choice(("3", "4")) if infant else rng.choice(("1", "2")),
            "4": "7",
        }[route]
        return {
            "vaccine": d.vaccine,
            "dose": d.dose,
            "vaccinated_on": day.isoformat(),
            "lot_number": f"{day.year - rng.randint(0, 1)}{rng.randint(1, 12):02d}"
            f"{rng.choice('ABCDE')}{rng.randint(100, 999)}",
            "expires_on": (day + dt.timedelta(days=rng.randint(120, 600))).isoformat(),
            "site": site,
            "route": route,
            "vaccinating_unit": unit,
            "vaccinator": vaccinator,
            "adverse_reaction": "1",
        }


_NEWBORN_EXAMS = "eyes limbs ears nose mouth anus heart_lungs chest abdomen genitals spine".split()
_CHILD_EXAMS = "skin eyes ears heart_lungs abdomen limbs gait genitals".split()
# WHO child growth medians (boys): months → weight kg, length/height cm, head cm.
_WEIGHT_BY_MONTH = {
    0: 3.3,
    1: 4.5,
    3: 6.4,
    6: 7.9,
    8: 8.6,
    12: 9.6,
    18: 10.9,
    24: 12.2,
    30: 13.3,
    36: 14.3,
    48: 16.3,
    60: 18.3,
    72: 20.5,
}
_HEIGHT_BY_MONTH = {
    0: 49.9,
    1: 54.7,
    3: 61.4,
    6: 67.6,
    8: 70.6,
    12: 75.7,
    18: 82.3,
    24: 87.8,
    30: 91.9,
    36: 96.1,
    48: 103.3,
    60: 110.0,
    72: 116.0,
}
_HEAD_BY_MONTH = {
    0: 34.5,
    1: 37.3,
    3: 40.5,
    6: 43.3,
    8: 44.5,
    12: 46.1,
    18: 47.4,
    24: 48.3,
    30: 49.0,
}


def _tcm_child(m: int, day: dt.date, nxt: dt.date | None, services: list[str], doctor: str) -> dict:
    data = {
        "visit_date": day.isoformat(),
        "month_age": str(m),
        "services": services,
        "doctor": doctor,
    }
    if nxt is not None:
        data["next_visit_date"] = nxt.isoformat()
    return data
