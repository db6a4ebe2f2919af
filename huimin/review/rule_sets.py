"""Rule sets in the database: upload, validate, activate with four eyes, reject, find.

A region's rule set for a year is the YAML of docs/review.md. One holder of review.rules
uploads it (refused whole, every problem named by path, when it does not parse); a
second, different holder activates it, which supersedes the set in force for that region
and year; or rejects it with a reason. Every step is audited. Real time and the batch
read the set in force through `active_rule_set`, parsed once per row.
"""

import dataclasses
import logging
import re
from importlib import resources

from django.db import transaction
from django.db.models.functions import Length

from huimin.core.errors import ValidationFailed
from huimin.core.statements import INT, InList
from huimin.policy.four_eyes import FourEyesDocuments
from huimin.review.models import ReviewRuleSet, RuleSetStatus
from huimin.review.ruleset import RuleSet, RuleSetError, default_rule_set, parse_rule_set

log = logging.getLogger(__name__)

PERMISSION = "review.rules"
# What findings made under the shipped default say, so a reviewer sees no local set was
# in force.
DEFAULT_NOTE = "（未启用本地规则集，按系统默认规则）"


def check_document(document: str) -> RuleSet:
    """The parsed rule set, or ValidationFailed with every problem under document.<path>."""
    try:
        return parse_rule_set(document)
    except RuleSetError as exc:
        raise ValidationFailed(
            {f"document.{k}": v for k, v in exc.problems.items()},
            code="rule_set_invalid",
            message="审核规则集有误，未上传："
            + "；".join(f"{k} {v}" for k, v in exc.problems.items()),
        ) from None


RULE_SETS = FourEyesDocuments(
    model=ReviewRuleSet,
    object_type="review.rule_set",
    label="审核规则集",
    permission=PERMISSION,
    check_document=check_document,
    code="rule_set",
)


def get_rule_set(user, rule_set_id: int) -> ReviewRuleSet:
    """A rule set of the user's jurisdiction, or NotFound."""
    return RULE_SETS.get(user, rule_set_id)


def do_upload_rule_set(user, document: str, note: str = "", *, request=None) -> ReviewRuleSet:
    return RULE_SETS.upload(user, document, note, request=request)


def do_activate_rule_set(user, rule_set_id: int, *, request=None) -> ReviewRuleSet:
    """Four eyes; supersedes the set in force for the same region and year."""
    return RULE_SETS.activate(user, rule_set_id, request=request)


def do_reject_rule_set(user, rule_set_id: int, reason: str, *, request=None) -> ReviewRuleSet:
    return RULE_SETS.reject(user, rule_set_id, reason, request=request)


# ---------------------------------------------------------------- the set in force

# Every settlement asks this: compiled once per number of prefixes (core.statements).
_ACTIVE = InList(
    lambda prefixes, year: (
        ReviewRuleSet.objects.filter(
            region_code__in=prefixes, year=year, status=RuleSetStatus.ACTIVE
        )
        .order_by()
        .values_list("pk", "region_code", "activated_at")
    ),
    year=INT,
)
# An active row's document is never edited, so its parsed form is cached — by id and
# activation time: an id alone can come back for another row after a rollback (SQLite
# reuses it), and a stale set would then review claims.
_parsed: dict[tuple, RuleSet] = {}


def _prefixes(region_code: str) -> list[str]:
    return sorted({region_code[:n] for n in (6, 9, 12) if len(region_code) >= n})


def _active(region_code: str, year: int) -> tuple | None:
    found = _ACTIVE.tuples(_prefixes(region_code), year=year) or []
    if not found:
        return None
    return max(found, key=lambda row: len(row[1]))


def active_rule_set_row(region_code: str, year: int) -> int | None:
    """The id of the active set of the pooling region containing `region_code` (a person's
    village code starts with it; the longest such code wins), or None."""
    row = _active(region_code, year)
    return row[0] if row else None


def parsed_rule_set(rule_set_id: int, activated_at=None) -> RuleSet:
    rule_set = _parsed.get((rule_set_id, activated_at)) if activated_at else None
    if rule_set is None:
        document, activated_at = ReviewRuleSet.objects.values_list("document", "activated_at").get(
            pk=rule_set_id
        )
        rule_set = _parsed.setdefault((rule_set_id, activated_at), parse_rule_set(document))
    return rule_set


def active_rule_set(region_code: str, year: int) -> RuleSet:
    """The rule set in force for a person's region and a year; the shipped default (its
    name saying so) when the region has activated none for that year."""
    row = _active(region_code, year)
    return rule_set_in_force(row[0] if row else None, row[2] if row else None, region_code, year)


def active_rows(prefixes: list[str], year: int):
    """The active sets of the regions `prefixes` name, the narrowest (longest code) first:
    `active_rule_set`'s choice for a caller that reads it inside its own statement (real
    time reads it with the visit)."""
    return ReviewRuleSet.objects.filter(
        region_code__in=prefixes, year=year, status=RuleSetStatus.ACTIVE
    ).order_by(Length("region_code").desc(), "-pk")


def rule_set_in_force(rule_set_id, activated_at, region_code: str, year: int) -> RuleSet:
    """The parsed set of an active row read by the caller, or the shipped default when
    there is none (rule_set_id None)."""
    if rule_set_id is not None:
        return parsed_rule_set(rule_set_id, activated_at)
    return _default_for(region_code[:6], year)


_defaults: dict[tuple[str, int], RuleSet] = {}


def _default_for(region: str, year: int) -> RuleSet:
    found = _defaults.get((region, year))
    if found is None:
        base = default_rule_set()
        log.warning("review: no active rule set for %s/%s, using the shipped default", region, year)
        found = _defaults.setdefault(
            (region, year),
            dataclasses.replace(
                base, name=f"{base.name}{DEFAULT_NOTE}"[:100], region=region, year=year
            ),
        )
    return found


# ---------------------------------------------------------------- the demo's set


def default_document(region_code: str, year: int, region_name: str = "") -> str:
    """The shipped default YAML with its name, region and year lines rewritten."""
    text = resources.files("huimin.review").joinpath("default_rules.yaml").read_text("utf-8")
    name = f"{region_name or region_code}智能审核规则{year}年度"
    for pattern, line in (
        (r"^rule_set: .*$", f'rule_set: "{name}"'),
        (r'^region: "\d+"', f'region: "{region_code}"'),
        (r"^year: \d{4}", f"year: {year}"),
    ):
        text, n = re.subn(pattern, line, text, count=1, flags=re.MULTILINE)
        if n != 1:
            raise ValueError(f"default_rules.yaml lacks a line matching {pattern}")
    return text


def seed_rule_set(uploader, reviewer, region_code: str, year: int, region_name: str = ""):
    """Upload the default set for a region and year as one officer and activate it as
    another (four eyes as ever); (row, created). Leaves a region's set in force alone."""
    existing = active_rule_set_row(region_code, year)
    if existing is not None:
        return ReviewRuleSet.objects.get(pk=existing), False
    document = default_document(region_code, year, region_name)
    with transaction.atomic():
        row = do_upload_rule_set(uploader, document, "演示规则集（huimin seed-review-rules）")
        row = do_activate_rule_set(reviewer, row.pk)
    return row, True
