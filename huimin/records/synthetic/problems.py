"""Deliberate quality problems, at realistic rates.

Each is listed in `RecordBatch.injected`, so a test can count them and check that they
are the only failures. Those in FAILS_CLEAN make a form fail `clean(final=True)`; the
others are visible only to the quality rules that compare forms or look for what is
missing (consistency, gaps, duplicates, a missing form or dose).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from huimin.records.forms.spec import bmi
from huimin.records.synthetic.base import FormRow

# Per follow-up unless noted.
MISSING_WEIGHT_RATE = 0.05
SWAPPED_BP_RATE = 0.004  # imported paper forms where 收缩压 and 舒张压 were swapped
HEIGHT_DROP_RATE = 0.004  # a height typed 20+ cm short
DUPLICATE_RATE = 0.01  # the same follow-up entered twice on one day
DRAFT_RATE = 0.015  # started, never signed
GAP_RATE = 0.06  # patients (per programme) who missed a quarter mid-year
LAPSE_RATE = 0.10  # patients who stopped coming before the reference date: overdue now
# After 控制不满意 (分类干预 2–3): the recheck a month later instead of within two weeks;
# a second uncontrolled visit not referred; a referral whose result the next visit
# leaves blank. Per occasion.
RECHECK_LATE_RATE = 0.08
NO_REFERRAL_RATE = 0.15
NO_REFERRAL_RESULT_RATE = 0.10
# HTN/DM patients registered under 35 (the service targets 35+) without the reason.
UNDER_35_NO_REASON_RATE = 0.2
# 65+ health checks with a part of the test panel not done (老年人 服务内容 3).
ELDERLY_PANEL_MISSING_RATE = 0.04
# Per record: no 个人基本信息表 at all, or one signed with items left blank.
MISSING_PERSONAL_INFO_RATE = 0.02
INCOMPLETE_PERSONAL_INFO_RATE = 0.02
# Per health check: 腰围 not measured (the item most often left blank).
MISSING_WAIST_RATE = 0.03
MISSED_CHECK_RATE = 0.04  # per child check due
MISSED_DOSE_RATE = 0.05  # per child, the latest dose of a series

FAILS_CLEAN = frozenset(
    {"missing_weight", "swapped_bp", "draft", "personal_info_incomplete", "missing_waist"}
)
# Items a hurried 个人基本信息表 leaves blank (all required when signing).
PERSONAL_INFO_OFTEN_BLANK = ("blood_type", "rh", "toilet", "drinking_water", "family_father")


class ProblemsMixin:
    """Problems injected into a person's follow-ups (part of people._Person)."""

    def _followup_problems(self, kind: str, at: int, i: int) -> None:
        """Deliberate quality problems on one follow-up just written."""
        rng, row = self.rng, self.batch.forms[at]
        roll = rng.random()
        if roll < MISSING_WEIGHT_RATE:
            del row.data["weight"]
            row.data.pop("bmi", None)
            self.inject(kind, "missing_weight", at)
        elif roll < MISSING_WEIGHT_RATE + SWAPPED_BP_RATE:
            # Old paper forms typed in later: the two readings in each other's box.
            row.data["systolic"], row.data["diastolic"] = (
                row.data["diastolic"],
                row.data["systolic"],
            )
            self.inject(kind, "swapped_bp", at)
        elif roll < MISSING_WEIGHT_RATE + SWAPPED_BP_RATE + HEIGHT_DROP_RATE and i > 0:
            short = Decimal(row.data["height"]) - rng.randint(20, 30)
            row.data["height"] = str(short)
            row.data["bmi"] = bmi(row.data["height"], row.data.get("weight"))
            self.inject(kind, "height_drop", at)
        else:
            self._duplicate(kind, at)

    def _duplicate(self, kind: str, at: int) -> None:
        rng, row = self.rng, self.batch.forms[at]
        if rng.random() < DUPLICATE_RATE:
            twin = FormRow(**{s: getattr(row, s) for s in FormRow.__slots__})
            twin.data = dict(row.data)
            twin.signed_at = row.signed_at + dt.timedelta(minutes=rng.randint(5, 90))
            self.batch.forms.append(twin)
            self.inject(kind, "duplicate_same_day", len(self.batch.forms) - 1)

    def _draft(self, kind: str, prog: int, drugs) -> None:
        """A follow-up started and never signed: no next date or signature yet."""
        day = self.day_between(self.gen.start, self.end)
        nxt = day + dt.timedelta(days=90)
        data = self._followup(kind, day, nxt, drugs)
        data.pop("next_visit_date")
        data.pop("doctor")
        self.batch.forms.append(
            FormRow(self.p.id, self.p.village, kind, data, signed=False, programme=prog)
        )
        self.inject(kind, "draft", len(self.batch.forms) - 1)
