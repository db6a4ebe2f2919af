"""Recall and precision of the batch rules on the planted fraud of a synthetic year.

recall = planted cases a rule caught ÷ planted cases of its kind; precision = the
rule's findings that are planted cases ÷ all its findings in the region's year. For
claim rules a case is a settlement; for bulk swiping a burst (terminal and day); for
peer outliers the padding institution. Findings outside the planted cases are not all
wrong: the ordinary synthetic year has its own repeat stays, refills and outliers.
"""

import json
from dataclasses import dataclass

from huimin.review.models import Finding
from huimin.review.synthetic.generate import manifest_path


class NoManifest(Exception):
    pass


@dataclass(frozen=True)
class Row:
    rule: str
    planted: int
    caught: int
    findings: int
    true_findings: int

    @property
    def recall(self) -> float:
        return self.caught / self.planted if self.planted else 0.0

    @property
    def precision(self) -> float:
        return self.true_findings / self.findings if self.findings else 0.0


def recall(region: str, year: int) -> list[Row]:
    path = manifest_path(region, year)
    if not path.exists():
        raise NoManifest(
            f"没有{region} {year}年度的植入清单（{path}）：先运行 huimin generate-claims"
        )
    doc = json.loads(path.read_text(encoding="utf-8"))
    year_findings = Finding.objects.filter(
        region_code__startswith=region[:6], month__startswith=f"{year}-"
    )
    rows = []
    for rule, ids in sorted(doc["claims"].items()):
        planted = set(ids)
        hits = set(year_findings.filter(rule=rule).values_list("settlement_id", flat=True))
        rows.append(Row(rule, len(planted), len(planted & hits), len(hits), len(planted & hits)))
    bursts = set(doc["subjects"].get("bulk_swiping", []))
    if bursts:
        found = {
            f"{f.subject}@{f.service_date.isoformat()}"
            for f in year_findings.filter(rule="bulk_swiping").only("subject", "service_date")
        }
        rows.append(
            Row("bulk_swiping", len(bursts), len(bursts & found), len(found), len(bursts & found))
        )
    padders = set(doc["subjects"].get("peer_outlier", []))
    if padders:
        subjects = list(year_findings.filter(rule="peer_outlier").values_list("subject", flat=True))
        caught = padders & set(subjects)
        true = sum(1 for s in subjects if s in padders)
        rows.append(Row("peer_outlier", len(padders), len(caught), len(subjects), true))
    return rows
