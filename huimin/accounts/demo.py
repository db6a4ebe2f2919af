"""The demo county's accounts: one per role, with a public password (`huimin demo_accounts`)."""

from huimin.registry.models import Role

# Public by design: printed by `make demo` and written in the README. Meets the password
# policy (10+ characters with upper case, lower case, digits and symbols together).
DEMO_PASSWORD = "Huimin@2026"  # noqa: S105

# username, role, display name, place: county office, first township, county hospital,
# or first village clinic.
ACCOUNTS = [
    ("officer", Role.INSURANCE_OFFICER, "王经办", "county"),
    # The second pair of eyes: activates plans and confirms clearing that `officer` began.
    ("officer2", Role.INSURANCE_OFFICER, "孙复核", "county"),
    ("clerk", Role.TOWNSHIP_CLERK, "李专干", "township"),
    ("cashier", Role.CASHIER, "张收费", "hospital"),
    ("doctor", Role.DOCTOR, "刘医生", "hospital"),
    ("vdoctor", Role.VILLAGE_DOCTOR, "陈村医", "clinic"),
    ("phofficer", Role.PUBLIC_HEALTH_OFFICER, "杨公卫", "county"),
    ("assessor", Role.ASSESSOR, "赵考核", "county"),
    # The assessment's second pair of eyes: activates the scheme and publishes the scores.
    ("assessor2", Role.ASSESSOR, "钱复核", "county"),
    ("sysadmin", Role.SYSTEM_ADMIN, "黄系统", "county"),
    ("secadmin", Role.SECURITY_ADMIN, "周安全", "county"),
    ("auditadmin", Role.AUDIT_ADMIN, "吴审计", "county"),
]
assert {a[1] for a in ACCOUNTS} == set(Role), "every role needs a demo account"
