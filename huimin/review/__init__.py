"""Claim review and fund supervision (智能审核 / 基金监管), issue 14.

Above insurance and registry; neither imports it. The pure core:

- `claim`   — what rules read, as frozen dataclasses (the claim in hand, recent history,
              aggregated inputs for the pattern rules);
- `ruleset` — the rule library as data: a YAML document per pooling region and year,
              parsed strictly (`parse_rule_set`), and the default set shipped here;
- `rules`   — one pure function per rule, returning hits;
- `engine`  — `review()` runs the real-time rules over a claim; `risk_score()` and
              `colour()` weigh findings into the four-colour warning.

Findings are indications for a reviewer (疑似…), never verdicts.
"""
