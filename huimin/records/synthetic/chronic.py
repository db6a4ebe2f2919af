"""Hypertension and type-2 diabetes: registration and follow-ups through the year.

Follow-ups keep the specification's rhythm: a quarterly visit; after 控制不满意 the
medication is adjusted and the patient seen again within two weeks; still uncontrolled
then, referred (the next visit records the referral's result). Some go wrong at
realistic rates: the recheck comes late, the second uncontrolled visit is not referred,
a referral's result is not recorded, a patient under 35 is registered without a reason.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from huimin.records.forms.chronic import (
    PHONE,
    RECHECK_DAYS,
    TARGET_AGE,
    UNDER_TARGET_REASON,
    bp_controlled,
    glucose_controlled,
)
from huimin.records.forms.spec import bmi
from huimin.records.synthetic.base import age_on, clip, rate_for, years_after
from huimin.records.synthetic.problems import (
    DRAFT_RATE,
    GAP_RATE,
    LAPSE_RATE,
    NO_REFERRAL_RATE,
    NO_REFERRAL_RESULT_RATE,
    RECHECK_LATE_RATE,
    UNDER_35_NO_REASON_RATE,
)

FOLLOWUP_DAYS = 90  # HTN/DM: at least 4 follow-ups a year
# Registered prevalence by age (managed patients, not true prevalence), tuned so that a
# rural age pyramid gives about 15% (HTN) and 4% (DM) of adults with a file.
HTN_BY_AGE = ((35, 0.02), (45, 0.06), (55, 0.13), (65, 0.24), (75, 0.31), (200, 0.34))
DM_BY_AGE = ((35, 0.004), (45, 0.015), (55, 0.04), (65, 0.065), (75, 0.08), (200, 0.07))

HTN_DRUGS = (
    ("苯磺酸氨氯地平片", "5mg 每日1次"),
    ("硝苯地平缓释片", "20mg 每日2次"),
    ("厄贝沙坦片", "150mg 每日1次"),
    ("缬沙坦胶囊", "80mg 每日1次"),
    ("吲达帕胺片", "2.5mg 每日1次"),
    ("酒石酸美托洛尔片", "25mg 每日2次"),
    ("卡托普利片", "25mg 每日2次"),
)
DM_DRUGS = (
    ("盐酸二甲双胍片", "0.5g 每日3次"),
    ("格列美脲片", "2mg 每日1次"),
    ("阿卡波糖片", "50mg 每日3次"),
    ("格列齐特缓释片", "30mg 每日1次"),
)
INSULIN = "甘精胰岛素 睡前皮下注射 12单位"
REFERRAL = {
    "htn_followup": ("连续两次血压控制不满意", "县人民医院心血管内科"),
    "dm_followup": ("连续两次空腹血糖控制不满意", "县人民医院内分泌科"),
}
# How the measurements move at a recheck: after the dose is adjusted (ADJUSTED), and
# after the referral hospital's treatment (TREATED: under target).
USUAL, ADJUSTED, TREATED = 0, 1, 2


class ChronicMixin:
    """Part of people._Person: sets `chronic` (programme kind → registration date) and
    `drugs` for the health check."""

    def _chronic(self) -> None:
        p, rng, gen = self.p, self.rng, self.gen
        if age_on(p.birth_date, gen.as_of) < 18:
            return
        age = age_on(p.birth_date, gen.as_of)
        htn = rng.random() < rate_for(HTN_BY_AGE, age)
        dm = rng.random() < rate_for(DM_BY_AGE, age)
        if not (htn or dm):
            return
        adult_on = years_after(p.birth_date, 18)
        earliest = max(adult_on, self.opened_on, dt.date(2010, 1, 1))
        # Most were registered in earlier years (before the 12 months a follow-up count
        # looks back over); about one in ten this year.
        if rng.random() < 0.1:
            registered = self.day_between(max(gen.start, earliest), self.end)
        else:
            registered = self.day_between(earliest, gen.as_of - dt.timedelta(days=460))
        registered = max(registered, earliest)
        if registered > self.end:
            return
        dates, gap = self._followup_dates(registered)
        self.sys = clip(rng.gauss(138, 10), 122, 165)
        self.dia = clip(rng.gauss(84, 6), 72, 96)
        self.glucose = clip(rng.gauss(7.6, 1.4), 5.4, 11.5)
        for kind, prog_kind, on in (
            ("htn_followup", "hypertension", htn),
            ("dm_followup", "diabetes", dm),
        ):
            if not on:
                continue
            details = {}
            if age_on(p.birth_date, registered) < TARGET_AGE:
                if rng.random() < UNDER_35_NO_REASON_RATE:
                    self.inject(kind, "registered_under_35")
                else:
                    details[UNDER_TARGET_REASON] = "已确诊，本人要求纳入管理"
            prog = self.programme(prog_kind, registered, **details)
            self.chronic[prog_kind] = registered
            if gap and kind in gen.specs:
                self.inject(kind, "followup_gap")
            drugs = rng.sample(HTN_DRUGS if kind == "htn_followup" else DM_DRUGS, rng.randint(1, 2))
            self.drugs += drugs
            self.insulin = kind == "dm_followup" and rng.random() < 0.12
            for i, day in enumerate(dates):
                # The next date is asked for about a quarter later, from the visit.
                nxt = day + dt.timedelta(days=FOLLOWUP_DAYS + rng.randint(-5, 5))
                at = self.form(
                    kind, day, partial(self._followup, kind, day, nxt, drugs), programme=prog
                )
                if at is None:
                    continue
                first = self.batch.forms[at].data
                self._followup_problems(kind, at, i)
                upcoming = dates[i + 1] if i + 1 < len(dates) else None
                self._rechecks(kind, first, drugs, prog, upcoming)
            if dates and kind in gen.specs and rng.random() < DRAFT_RATE * len(dates):
                self._draft(kind, prog, drugs)

    def _followup_dates(self, registered: dt.date) -> tuple[list[dt.date], bool]:
        """Visit dates over the 12 months up to the reference date (from one visit
        before them, as last year's round left it), or from soon after a recent
        registration; about every 90 days. Some patients miss a quarter (a gap of about
        180 days: returned as True), some lapse and are overdue now."""
        rng, gen = self.rng, self.gen
        anchor = gen.as_of - dt.timedelta(days=365 + rng.randint(0, 80))
        if registered >= anchor:
            day = registered + dt.timedelta(days=rng.randint(0, 14))
        else:
            day = anchor
        stop = self.end
        if rng.random() < LAPSE_RATE:
            stop = min(stop, gen.as_of - dt.timedelta(days=rng.randint(115, 200)))
        dates = []
        while day <= stop:
            dates.append(day)
            day += dt.timedelta(days=FOLLOWUP_DAYS + rng.randint(-10, 5))
        gap = rng.random() < GAP_RATE and len(dates) >= 3
        if gap:
            del dates[rng.randint(1, len(dates) - 2)]
        return dates, gap

    def _rechecks(self, kind: str, first: dict, drugs, prog: int, upcoming) -> None:
        """After an uncontrolled visit: the recheck within two weeks (or late), and after
        a second uncontrolled one the referral and the visit that records its result."""
        rng = self.rng
        previous, level, referred = first, ADJUSTED, False
        for _ in range(2):
            # A phone call's outcome is not the face-to-face assessment that asks for it.
            if previous["classification"] == "1" or previous["mode"] == PHONE:
                return
            day0 = dt.date.fromisoformat(previous["visit_date"])
            late = not referred and rng.random() < RECHECK_LATE_RATE
            if late:
                day = day0 + dt.timedelta(days=rng.randint(25, 40))
            else:
                day = dt.date.fromisoformat(previous["next_visit_date"])
            if upcoming is not None and day >= upcoming - dt.timedelta(days=20):
                return  # the quarter's visit comes first
            nxt = day + dt.timedelta(days=FOLLOWUP_DAYS)
            nxt = min(nxt, upcoming) if upcoming is not None else nxt
            build = partial(self._followup, kind, day, nxt, drugs, level)
            at = self.form(kind, day, build, programme=prog)
            if at is None:
                return
            data = self.batch.forms[at].data
            data["mode"] = rng.choice(("1", "2"))  # the recheck is seen face to face
            if late:
                self.inject(kind, "recheck_late", at)
            if referred:
                if rng.random() < NO_REFERRAL_RESULT_RATE:
                    self.inject(kind, "no_referral_result", at)
                else:
                    data["referral_result"] = rng.choices(("1", "2"), (90, 10))[0]
            elif data["classification"] != "1":
                if rng.random() < NO_REFERRAL_RATE:
                    self.inject(kind, "no_referral", at)
                else:
                    reason, to = REFERRAL[kind]
                    data["referral_reason"] = reason
                    data["referral_to"] = to
                    data["referral_contact"] = "接诊医生 0871-6512" + str(rng.randint(1000, 9999))
                    referred = True
            self._followup_problems(kind, at, 1)
            previous, level = data, TREATED

    def _followup(self, kind: str, day: dt.date, nxt: dt.date, drugs, level: int = USUAL) -> dict:
        rng = self.rng
        sys_mean = self.sys - 12 * level
        glucose_mean = self.glucose - 1.0 * level
        sys_ = int(clip(sys_mean + rng.gauss(0, 7), 120, 170))
        dia = int(clip(self.dia - 4 * level + rng.gauss(0, 4), 70, 100))
        if level == TREATED:
            sys_, dia = min(sys_, 136), min(dia, 86)
        if sys_ < dia + 21:
            sys_ = dia + 21 + rng.randint(0, 8)
        weight = clip(self.bmi * (self.height / 100) ** 2 + rng.gauss(0, 0.8), 38, 120)
        adherence = rng.choices(("1", "2", "3"), (80, 17, 3))[0]
        data = {
            "visit_date": day.isoformat(),
            "mode": rng.choices(("1", "2", "3"), (62, 33, 5))[0],
            "systolic": sys_,
            "diastolic": dia,
            "height": f"{self.height:.1f}",
            "weight": f"{weight:.1f}",
            "weight_target": f"{min(weight, 24 * (self.height / 100) ** 2):.1f}",
            "exercise_times_week": rng.randint(0, 7),
            "exercise_minutes": rng.choice((20, 30, 30, 40, 60)),
            "psychology": rng.choices(("1", "2"), (85, 15))[0],
            "compliance": rng.choices(("1", "2"), (85, 15))[0],
            "adherence": adherence,
            "adverse_reaction": "1",
            "next_visit_date": nxt.isoformat(),
            "doctor": self.doctor,
        }
        if self.smoker:
            data["cigarettes_per_day"] = rng.choice((5, 10, 10, 20))
            data["cigarettes_target"] = rng.choice((0, 5))
        if self.drinker:
            data["alcohol_per_day"] = rng.choice((1, 2, 3))
            data["alcohol_target"] = 1
        if adherence != "3":
            data["medications"] = [{"name": n, "dose": d} for n, d in drugs]
        if kind == "htn_followup":
            data["symptoms"] = ["1"] if rng.random() < 0.8 else rng.sample(["2", "4", "6"], 1)
            data["heart_rate"] = rng.randint(60, 92)
            data["salt"] = rng.choices(("1", "2", "3"), (30, 55, 15))[0]
            data["salt_target"] = "1"
            controlled = bp_controlled(sys_, dia, age_on(self.p.birth_date, day))
        else:
            glucose = clip(glucose_mean + rng.gauss(0, 0.7), 5.0, 12.0)
            if level == TREATED:
                glucose = min(glucose, 6.8)
            data["symptoms"] = ["1"] if rng.random() < 0.8 else rng.sample(["2", "4", "5"], 1)
            data["fasting_glucose"] = f"{glucose:.1f}"
            data["dorsalis_pedis"] = rng.choices(("1", "2"), (92, 8))[0]
            data["staple_food_g"] = rng.choice((250, 300, 350, 400))
            data["staple_food_target_g"] = 250
            data["hypoglycaemia"] = "1"
            if rng.random() < 0.25:
                data["hba1c"] = f"{clip(glucose * 0.9 + 0.6, 5.5, 11):.1f}"
                data["hba1c_date"] = (day - dt.timedelta(days=rng.randint(0, 20))).isoformat()
            if self.insulin:
                data["insulin"] = INSULIN
            controlled = glucose_controlled(f"{glucose:.1f}")
        data["classification"] = "1" if controlled else "2"
        if not controlled:
            # 分类干预 2: adjust the treatment and see the patient within two weeks.
            recheck = day + dt.timedelta(days=rng.randint(RECHECK_DAYS - 4, RECHECK_DAYS))
            data["next_visit_date"] = recheck.isoformat()
            if drugs:
                name, dose = drugs[0]
                data["medication_adjustment"] = [{"name": name, "dose": f"{dose}（加量）"}]
        data["bmi"] = bmi(data["height"], data["weight"])
        return data
