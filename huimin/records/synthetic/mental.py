"""Severe mental disorders (严重精神障碍): about 0.4% of adults with a file registered,
with the supplementary information table at registration and quarterly follow-ups."""

from __future__ import annotations

import datetime as dt
from functools import partial

from huimin.records.forms.mental import RECHECK_CLASSES, RECHECK_DAYS
from huimin.records.synthetic.base import age_on, phone, some_name, years_after
from huimin.records.synthetic.problems import RECHECK_LATE_RATE

SMI_RATE = 0.0045  # of adults with a file (national registered prevalence about 0.4–0.5%)
SMI_FOLLOWUP_DAYS = 88  # at least quarterly: the next visit is asked within 92 days

_DIAGNOSES = (
    ("精神分裂症", 60),
    ("双相情感障碍", 12),
    ("偏执性精神病", 6),
    ("分裂情感性障碍", 6),
    ("癫痫所致精神障碍", 8),
    ("精神发育迟滞伴发精神障碍", 8),
)
_HOSPITALS = ("县精神病专科医院", "市第四人民医院", "省精神卫生中心")
_GUARDIANS = ("配偶", "父亲", "母亲", "子女", "兄弟姐妹")
_DRUGS = (
    ("利培酮片", "每日2次", "2"),
    ("奥氮平片", "每日1次", "10"),
    ("阿立哌唑片", "每日1次", "10"),
    ("氯氮平片", "每日2次", "50"),
    ("丙戊酸钠缓释片", "每日2次", "500"),
)


class MentalMixin:
    """Part of people._Person."""

    def _mental(self) -> None:
        p, gen, rng = self.p, self.gen, self.rng
        age = age_on(p.birth_date, gen.as_of)
        if age < 18 or rng.random() >= SMI_RATE:
            return
        earliest = max(years_after(p.birth_date, 18), self.opened_on, dt.date(2012, 1, 1))
        if earliest > self.end:
            return
        registered = self.day_between(earliest, self.end)
        prog = self.programme("smi", registered)
        drug = rng.choice(_DRUGS)
        self.form("smi_info", registered, partial(self._smi_info, registered), programme=prog)
        # Quarterly over the last year (or from soon after a recent registration).
        day = max(
            registered + dt.timedelta(days=rng.randint(7, 30)),
            gen.as_of - dt.timedelta(days=365 + rng.randint(0, 60)),
        )
        while day <= self.end:
            nxt = day + dt.timedelta(days=SMI_FOLLOWUP_DAYS + rng.randint(-3, 3))
            at = self.form(
                "smi_followup", day, partial(self._smi_followup, day, nxt, drug), programme=prog
            )
            following = day + dt.timedelta(days=SMI_FOLLOWUP_DAYS + rng.randint(-6, 2))
            if at is not None:
                self._smi_recheck(at, drug, prog, following)
            day = following

    def _smi_recheck(self, at: int, drug, prog: int, following: dt.date) -> None:
        """分类干预 2: a 基本稳定 patient is seen again within two weeks (now and then a
        month later: late); by then stable again, next seen at the quarter's visit."""
        rng, data = self.rng, self.batch.forms[at].data
        if data["classification"] not in RECHECK_CLASSES:
            return
        day0 = dt.date.fromisoformat(data["visit_date"])
        recheck = day0 + dt.timedelta(days=rng.randint(RECHECK_DAYS - 4, RECHECK_DAYS))
        data["next_visit_date"] = recheck.isoformat()
        late = rng.random() < RECHECK_LATE_RATE
        if late:
            recheck = day0 + dt.timedelta(days=rng.randint(25, 40))
        build = partial(self._smi_followup, recheck, following, drug, stable=True)
        done = self.form("smi_followup", recheck, build, programme=prog)
        if done is not None and late:
            self.inject("smi_followup", "recheck_late", done)

    def _smi_info(self, day: dt.date) -> dict:
        p, rng = self.p, self.rng
        young = years_after(p.birth_date, 16)
        onset = self.day_between(min(young, day), min(years_after(p.birth_date, 40), day))
        diagnosed = self.day_between(onset, min(onset + dt.timedelta(days=400), day))
        guardian = some_name(rng)
        diagnosis = rng.choices([d for d, _ in _DIAGNOSES], [w for _, w in _DIAGNOSES])[0]
        data = {
            "filled_date": day.isoformat(),
            "guardian_name": guardian,
            "guardian_relation": rng.choice(_GUARDIANS),
            "guardian_phone": phone(rng),
            "village_contact": some_name(rng),
            "village_contact_phone": phone(rng),
            "household": "2",
            "employment": rng.choices(("3", "4", "9"), (50, 45, 5))[0],
            "consent": "1",
            "consent_signer": guardian,
            "consent_date": day.isoformat(),
            "onset_date": onset.isoformat(),
            "past_symptoms": rng.sample(["1", "3", "4", "5", "10", "11"], 2),
            "past_lockup": "1",
            "outpatient": rng.choices(("3", "2"), (70, 30))[0],
            "first_antipsychotic_date": diagnosed.isoformat(),
            "admissions": rng.randint(0, 3),
            "diagnosis": diagnosis,
            "diagnosis_hospital": rng.choice(_HOSPITALS),
            "diagnosis_date": diagnosed.isoformat(),
            "last_effect": rng.choice(("1", "2", "2", "3")),
            "economy": rng.choices(("1", "2"), (35, 65))[0],
            "doctor": self.doctor,
        }
        if rng.random() < 0.1:
            data["minor_trouble"] = 1
        else:
            data["behaviours_none"] = True
        return data

    def _smi_followup(self, day: dt.date, nxt: dt.date, drug, stable: bool = False) -> dict:
        rng = self.rng
        risk = "0" if stable or rng.random() < 0.9 else "1"
        adherence = rng.choices(("1", "2"), (82, 18))[0]
        data = {
            "visit_date": day.isoformat(),
            "mode": rng.choices(("1", "2", "3"), (30, 60, 10))[0],
            "risk_level": risk,
            "symptoms": rng.sample(["10", "11", "3"], 1),
            "insight": rng.choice(("1", "2", "2")),
            "sleep": rng.choice(("1", "2")),
            "diet": "1",
            "personal_care": rng.choice(("1", "2")),
            "housework": rng.choice(("1", "2", "3")),
            "work": rng.choice(("2", "3", "9")),
            "learning": "2",
            "social": rng.choice(("2", "3")),
            "behaviours_none": True,
            "lockup": "1",
            "hospital": "0",
            "lab_tests": "1",
            "adherence": adherence,
            "adverse_reaction": "1",
            "effect": rng.choice(("2", "3")),
            "referral": "1",
            "medications": [{"name": drug[0], "frequency": drug[1], "dose_mg": drug[2]}],
            "rehabilitation": ["1"],
            "classification": (
                "3" if stable else "2" if risk == "1" else rng.choices(("3", "2"), (75, 25))[0]
            ),
            "next_visit_date": nxt.isoformat(),
            "doctor": self.doctor,
        }
        return data
