"""Tuberculosis patients (肺结核患者健康管理): notified by the county TB clinic, the
first home visit within 72 hours, a visit every 10 days in the 2-month intensive
phase and monthly after, the closing assessment when the 6-month course (8 for a
retreatment) ends.

Non-compliant cases against the specification, seen by the quality rules and listed
in `RecordBatch.injected`: a first visit after 72 hours, a missed visit (a gap), a
course over without its closing assessment.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import partial

from huimin.records.forms import tuberculosis as tb
from huimin.records.synthetic.base import add_months

# Adults with a file notified in the year (China: about 55 per 100,000 a year; rural
# counties more).
TB_RATE = 0.0012
RETREATMENT_RATE = 0.1
LATE_FIRST_VISIT_RATE = 0.1
MISSED_VISIT_RATE = 0.05  # per visit
NO_CLOSING_RATE = 0.15


class TuberculosisMixin:
    """Part of people._Person."""

    def _tuberculosis(self) -> None:
        # Its own stream, so adding TB care leaves everyone else's rows as they were.
        rng = random.Random(self.gen.seed * 7_000_003 + self.p.id)  # noqa: S311 - synthetic
        if rng.random() >= TB_RATE:
            return
        gen = self.gen
        # Notified in the year or the half-year before: some courses are over, some not.
        notified = self.day_between(
            max(gen.start - dt.timedelta(days=182), self.opened_on), self.end
        )
        prog = self.programme("tb", notified)
        retreated = rng.random() < RETREATMENT_RATE
        started = notified - dt.timedelta(days=rng.randint(0, 2))
        first = notified + dt.timedelta(days=rng.randint(0, tb.FIRST_VISIT_DAYS))
        if rng.random() < LATE_FIRST_VISIT_RATE:
            first = notified + dt.timedelta(days=rng.randint(tb.FIRST_VISIT_DAYS + 1, 10))
            if first <= self.end:
                self.inject("tb_first_visit", "late_tb_first_visit")
        intensive_end = add_months(started, tb.INTENSIVE_MONTHS)
        course_end = add_months(started, tb.TREATMENT_MONTHS["2" if retreated else "1"])
        visits, day = [], first
        while True:
            step = tb.INTENSIVE_INTERVAL_DAYS if day < intensive_end else None
            nxt = day + dt.timedelta(days=step) if step else add_months(day, 1)
            skipped = rng.random() < MISSED_VISIT_RATE
            if skipped:
                nxt += dt.timedelta(days=step or 30)  # one visit skipped
            if nxt >= course_end:
                break
            if skipped and nxt <= self.end:
                self.inject("tb_followup", "tb_visit_gap")
            visits.append(nxt)
            day = nxt
        regimen = "2H3R3Z3E3/6H3R3E3" if retreated else "2HRZE/4HR"
        self.form(
            "tb_first_visit",
            first,
            partial(_first_visit, first, started, retreated, regimen, visits, self.doctor),
            programme=prog,
        )
        for i, day in enumerate(visits):
            planned = visits[i + 1] if i + 1 < len(visits) else course_end
            month = (day - started).days // 30 + 1
            self.form(
                "tb_followup",
                day,
                partial(_followup, day, month, regimen, planned, self.doctor, {}),
                programme=prog,
            )
        if course_end > self.end:
            return
        if rng.random() < NO_CLOSING_RATE:
            if add_months(course_end, tb.CLOSING_LATE_MONTHS) <= self.end:
                self.inject("tb_followup", "missing_tb_closing")
            return
        doses = (course_end - started).days
        taken = doses - rng.randint(0, 6)
        closing = {
            "stopped_on": course_end.isoformat(),
            "stop_reason": "1",
            "visits_due": len(visits) + 2,
            "visits_done": len(visits) + 2,
            "doses_due": doses,
            "doses_taken": taken,
            "evaluator": self.doctor,
        }
        month = (course_end - started).days // 30
        at = self.form(
            "tb_followup",
            course_end,
            partial(_followup, course_end, month, regimen, None, self.doctor, closing),
            programme=prog,
        )
        if at is not None:
            row = self.batch.programmes[prog]
            if row.ended_on is None:
                row.ended_on, row.end_reason = course_end, "ruled_out"


def _first_visit(day, started, retreated, regimen, visits, doctor) -> dict:
    data = {
        "visit_date": day.isoformat(),
        "visit_mode": "2",
        "patient_type": "2" if retreated else "1",
        "sputum": "1",
        "resistance": "2",
        "symptoms": ["1", "2"],
        "treatment_started_on": started.isoformat(),
        "regimen": regimen,
        "usage": "1",
        "drug_form": ["1"],
        "supervisor": "2",
        "own_room": "1",
        "ventilation": "1",
        "drug_pickup_place": "县结核病定点医院",
        **{name: "1" for name, _ in tb.TEACHING},
        "doctor": doctor,
    }
    if visits:
        data["next_visit_date"] = visits[0].isoformat()
    return data


def _followup(day, month, regimen, planned, doctor, closing) -> dict:
    data = {
        "visit_date": day.isoformat(),
        "treatment_month": max(1, month),
        "supervisor": "2",
        "visit_mode": "2",
        "symptoms": ["0"],
        "regimen": regimen,
        "usage": "1",
        "drug_form": ["1"],
        "missed_doses": 0,
        "adverse_reaction": "1",
        "complication": "1",
        "doctor": doctor,
        **closing,
    }
    if planned is not None:
        data["next_visit_date"] = planned.isoformat()
    return data
