"""Pregnancies: early registration, antenatal visits, the postpartum visit and the
42-day check."""

from __future__ import annotations

import datetime as dt
from functools import partial

from huimin.records.forms.spec import bmi
from huimin.records.synthetic.base import age_on, clip

# Women 20–40 with a file pregnant at some time in the window (about 5.5% give birth a
# year; the window of last periods spans about a year and a half).
PREGNANCY_RATE = 0.08
# Non-compliant cases against the specification (docs/records.md, maternal), seen by
# the quality rules: an antenatal visit outside its weeks, a gestational week typed
# off the last period, the postpartum visit more than 7 days after discharge.
VISIT_OUT_OF_WINDOW_RATE = 0.03  # per antenatal follow-up
WEEKS_MISMATCH_RATE = 0.02  # per antenatal follow-up
LATE_POSTPARTUM_VISIT_RATE = 0.06


class MaternalMixin:
    """Part of people._Person."""

    def _pregnancy(self) -> None:
        """A pregnancy seen in the year: open now, or delivered, with the first visit
        mostly before 13 weeks, the 2nd–5th antenatal visits, and after delivery the
        home visit within 28 days and the 42-day check."""
        rng, gen = self.rng, self.gen
        if rng.random() >= PREGNANCY_RATE:
            return
        lmp = self.day_between(
            gen.start - dt.timedelta(days=270), gen.as_of - dt.timedelta(days=60)
        )
        lmp = max(lmp, self.opened_on)
        first = lmp + dt.timedelta(weeks=rng.randint(8, 12) if rng.random() < 0.9 else 14)
        first += dt.timedelta(days=rng.randint(0, 6))
        if first > self.end:
            return
        edd = lmp + dt.timedelta(days=280)
        delivered = lmp + dt.timedelta(days=rng.randint(266, 290))
        details = {"last_menstrual_period": lmp.isoformat(), "expected_delivery": edd.isoformat()}
        discharged = delivered + dt.timedelta(days=rng.choice((1, 2, 3, 3, 5)))
        if delivered <= self.end:
            # A delivery ends the pregnancy's antenatal care (结束管理: 分娩) with the
            # dates the postpartum visits count from.
            details["delivered_on"] = details["delivery_date"] = delivered.isoformat()
            if discharged <= self.end:
                details["discharge_date"] = discharged.isoformat()
        prog = self.programme("pregnancy", first, **details)
        if delivered <= self.end:
            row = self.batch.programmes[prog]
            if row.ended_on is None:
                row.ended_on, row.end_reason = delivered, "delivery"
        self.weight = clip(self.bmi * (self.height / 100) ** 2, 40, 95)
        visits = [(1, first)]
        for n, (low, high) in {2: (16, 20), 3: (21, 24), 4: (28, 36), 5: (37, 39)}.items():
            day = lmp + dt.timedelta(days=rng.randint(low * 7, high * 7 + 6))
            if n in (2, 3) and rng.random() < VISIT_OUT_OF_WINDOW_RATE:
                day = lmp + dt.timedelta(weeks=high + 1)  # a week past its window
            if day < delivered:
                visits.append((n, day))
        for i, (n, day) in enumerate(visits):
            nxt = visits[i + 1][1] if i + 1 < len(visits) else day + dt.timedelta(days=28)
            if n == 1:
                self.form(
                    "prenatal_first",
                    day,
                    partial(self._prenatal_first, day, lmp, nxt),
                    programme=prog,
                )
            else:
                at = self.form(
                    "prenatal_followup",
                    day,
                    partial(self._prenatal_followup, n, day, lmp, nxt),
                    programme=prog,
                )
                if at is None:
                    continue
                data = self.batch.forms[at].data
                window = {2: (16, 20), 3: (21, 24), 4: (28, 36), 5: (37, 40)}[n]
                if not window[0] <= data["gestational_weeks"] <= window[1]:
                    self.inject("prenatal_followup", "antenatal_out_of_window", at)
                elif rng.random() < WEEKS_MISMATCH_RATE:
                    data["gestational_weeks"] += 3  # typed off the last period
                    self.inject("prenatal_followup", "weeks_mismatch", at)
                    if data["gestational_weeks"] > window[1]:  # and so off its window
                        self.inject("prenatal_followup", "antenatal_out_of_window", at)
        home = discharged + dt.timedelta(days=rng.randint(1, 7))
        if rng.random() < LATE_POSTPARTUM_VISIT_RATE:
            home = discharged + dt.timedelta(days=rng.randint(8, 20))
            if home <= self.end:
                self.inject("postpartum_visit", "late_postpartum_visit")
        check = delivered + dt.timedelta(days=rng.randint(42, 50))
        self.form(
            "postpartum_visit",
            home,
            partial(self._postpartum, "visit", home, delivered, check, discharged),
            programme=prog,
        )
        self.form(
            "postpartum_42",
            check,
            partial(self._postpartum, "42", check, delivered, None, discharged),
            programme=prog,
        )

    def _bp_normal(self) -> tuple[int, int]:
        dia = self.rng.randint(62, 82)
        return dia + self.rng.randint(30, 45), dia

    def _prenatal_first(self, day: dt.date, lmp: dt.date, nxt: dt.date) -> dict:
        rng = self.rng
        births = rng.choices((0, 1, 2), (45, 45, 10))[0]
        caesarean = 1 if births and rng.random() < 0.3 else 0
        abortions = rng.choices((0, 1), (80, 20))[0]
        sys_, dia = self._bp_normal()
        return {
            "visit_date": day.isoformat(),
            "gestational_weeks": (day - lmp).days // 7,
            "age": age_on(self.p.birth_date, day),
            "gravidity": 1 + births + abortions,
            "parity_vaginal": births - caesarean,
            "parity_caesarean": caesarean,
            "induced_abortions": abortions,
            "lmp": lmp.isoformat(),
            "past_history": ["1"],
            "family_history": ["1"],
            "personal_history": ["1"],
            "gyn_surgery": "2" if caesarean else "1",
            **({"gyn_surgery_detail": "剖宫产术"} if caesarean else {}),
            "height": f"{self.height:.1f}",
            "weight": f"{self.weight:.1f}",
            "systolic": sys_,
            "diastolic": dia,
            **{k: "1" for k in ("heart", "lungs", "vulva", "vagina", "cervix", "uterus", "adnexa")},
            "haemoglobin": rng.randint(100, 135),
            "urine_protein": "1",
            "urine_glucose": "1",
            "blood_type_abo": rng.choices(("1", "2", "3", "4"), (28, 24, 41, 7))[0],
            "blood_type_rh": "2",
            "hbsag": "2" if rng.random() < 0.06 else "1",
            "syphilis": "1",
            "hiv": "1",
            "ultrasound": "宫内早孕",
            "evaluation": "1",
            "guidance": ["1", "3", "5"],
            "referral": "1",
            "next_visit_date": nxt.isoformat(),
            "doctor": self.doctor,
            "bmi": bmi(f"{self.height:.1f}", f"{self.weight:.1f}"),
            "edd": (lmp + dt.timedelta(days=280)).isoformat(),
        }

    def _prenatal_followup(self, n: int, day: dt.date, lmp: dt.date, nxt: dt.date) -> dict:
        rng = self.rng
        weeks = (day - lmp).days // 7
        sys_, dia = self._bp_normal()
        data = {
            "visit_date": day.isoformat(),
            "visit_number": n,
            "gestational_weeks": weeks,
            "complaints": "无",
            "weight": f"{self.weight + weeks * 0.35:.1f}",
            "systolic": sys_,
            "diastolic": dia,
            "haemoglobin": rng.randint(100, 130),
            "urine_protein": "1",
            "classification": "1",
            "guidance": ["1", "2", "5"] if n < 4 else ["5", "6", "7"],
            "referral": "1",
            "next_visit_date": nxt.isoformat(),
            "doctor": self.doctor,
        }
        if weeks >= 20:
            data["fundal_height"] = str(min(weeks - 2, 35))
            data["abdominal_circumference"] = str(80 + weeks)
            data["fetal_heart_rate"] = rng.randint(125, 155)
        if weeks >= 32:
            data["fetal_position"] = "头位"
        return data

    def _postpartum(
        self, which: str, day: dt.date, delivered: dt.date, nxt, discharged: dt.date
    ) -> dict:
        sys_, dia = self._bp_normal()
        data = {
            "visit_date": day.isoformat(),
            "delivery_date": delivered.isoformat(),
            "discharge_date": min(day, discharged).isoformat(),
            "general_health": "良好",
            "general_psychology": "良好",
            "systolic": sys_,
            "diastolic": dia,
            **{k: "1" for k in ("breasts", "lochia", "uterus", "wound")},
            "classification": "1",
            "doctor": self.doctor,
        }
        if which == "visit":
            data["temperature"] = f"{self.rng.uniform(36.2, 37.2):.1f}"
            data["guidance"] = ["1", "3", "4", "5"]
            data["referral"] = "1"
            data["next_visit_date"] = nxt.isoformat()
        else:
            data["guidance"] = ["1", "2", "3"]
            data["disposal"] = "1"
        return data
