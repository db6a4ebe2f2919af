"""The indicators as data (base.py says what one is); importing the package registers
every definition (health.py, insurance.py) in the catalogue (registry.py)."""

from huimin.reports.indicators import health, insurance  # noqa: F401  (registers them)
from huimin.reports.indicators.registry import all_indicators, get, register

__all__ = ["all_indicators", "get", "register"]
