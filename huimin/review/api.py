"""/api/v1/review/: findings, decisions, appeals and risk scores (issue 14)."""

from ninja import Router

router = Router(tags=["review"])
