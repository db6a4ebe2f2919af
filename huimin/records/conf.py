"""The records app's HUIMIN_* variables, read strictly on each call (a malformed value
names the variable), as the other apps' conf modules do."""

from huimin.core.env import env_int

# How long a closed record (death, emigration) is kept before it may be appraised for
# destruction. The basic public-health service specification gives no figure; the 2009
# guidance (卫生部关于规范城乡居民健康档案管理的指导意见) keeps a record for the
# resident's lifetime, so only closed records count. After closing we mirror the
# outpatient medical-record retention of at least 15 years from the last visit
# (医疗机构病历管理规定 2013, 第二十九条).
DEFAULT_RETENTION_YEARS = 15


def retention_years() -> int:
    # Below 15 would undercut the figure the default is founded on.
    return env_int("HUIMIN_RECORD_RETENTION_YEARS", DEFAULT_RETENTION_YEARS, 15, 100)
