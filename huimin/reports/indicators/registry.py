"""The indicator catalogue: every definition by code."""

from huimin.reports.indicators.base import Indicator

_REGISTRY: dict[str, Indicator] = {}


def register(*indicators: Indicator) -> None:
    for ind in indicators:
        if ind.code in _REGISTRY and _REGISTRY[ind.code] is not ind:
            raise ValueError(f"indicator {ind.code} defined twice")
        _REGISTRY[ind.code] = ind


def get(code: str) -> Indicator:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise KeyError(f"未知指标：{code}") from None


def all_indicators(group: str | None = None) -> list[Indicator]:
    return [i for i in _REGISTRY.values() if group is None or i.group == group]
