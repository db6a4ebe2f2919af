"""The rule library: one pure function per rule, registered with its parameters.

`REGISTRY` maps each rule code to its `RuleSpec`. A rule set (YAML) configures rules
from it; a code not in it is refused.
"""

from huimin.review.rules import admissions, identity, items, patterns  # noqa: F401 (register)
from huimin.review.rules.base import REGISTRY, Hit, RuleConfig, RuleSpec

__all__ = ["REGISTRY", "Hit", "RuleConfig", "RuleSpec"]
