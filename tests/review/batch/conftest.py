"""The batch tests' fixture: rows written straight into the tables (support.py)."""

from tests.review.batch.support import claims  # noqa: F401
