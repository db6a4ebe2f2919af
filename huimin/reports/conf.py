"""The reports app's settings: the estimated prevalence the 管理率 indicators divide by.

The county sets its own rates (its survey, or the province's); the defaults are
illustrative rates by age band for adults, close to the national chronic-disease
surveillance (中国居民营养与慢性病状况报告（2020年）: adult hypertension 27.5%,
diabetes 11.9%), rising with age. Override with the Django setting
HUIMIN_REPORTS_PREVALENCE = {"hypertension": [(min_age, max_age_or_None, "rate"), ...]}.
"""

from decimal import Decimal

from django.conf import settings

DEFAULT_PREVALENCE: dict[str, list[tuple[int, int | None, str]]] = {
    "hypertension": [
        (18, 34, "0.05"),
        (35, 44, "0.15"),
        (45, 54, "0.25"),
        (55, 64, "0.40"),
        (65, None, "0.55"),
    ],
    "diabetes": [
        (18, 34, "0.02"),
        (35, 44, "0.06"),
        (45, 54, "0.11"),
        (55, 64, "0.17"),
        (65, None, "0.20"),
    ],
}


def prevalence(kind: str) -> list[tuple[int, int | None, Decimal]]:
    table = getattr(settings, "HUIMIN_REPORTS_PREVALENCE", None) or DEFAULT_PREVALENCE
    bands = [
        (int(lo), None if hi is None else int(hi), Decimal(str(r))) for lo, hi, r in table[kind]
    ]
    for lo, hi, rate in bands:
        if not (Decimal(0) <= rate <= Decimal(1)) or (hi is not None and hi < lo):
            raise ValueError(f"HUIMIN_REPORTS_PREVALENCE[{kind}] 的年龄段或患病率不合法")
    return bands
