"""This app's HUIMIN_* variables, read strictly (a malformed value names the variable).

Read on each call rather than at import so an operator's change needs only a restart and a
test can set the environment; AccountsConfig.ready() reads them all once so a bad value
stops startup instead of the first request that needs it.
"""

from huimin.core import net
from huimin.core.env import env_bool, env_int


def password_max_age_days() -> int:
    return env_int("HUIMIN_PASSWORD_MAX_AGE_DAYS", 90, 1, 3650)


def dormant_days() -> int:
    return env_int("HUIMIN_DORMANT_DAYS", 90, 1, 3650)


def loan_max_days() -> int:
    return env_int("HUIMIN_LOAN_MAX_DAYS", 7, 1, 365)


def demo_enabled() -> bool:
    return env_bool("HUIMIN_DEMO", False)


def check_all() -> None:
    password_max_age_days()
    dormant_days()
    loan_max_days()
    demo_enabled()
    net.trusted_proxies()
