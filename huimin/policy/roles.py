"""The staff roles. Roles are data (which permissions each holds is the RolePermission
table); these names are what a Staff row and a grant refer to.

Kept here rather than in registry/models.py so the policy layer can say who is
institution staff or an administrator without importing the registry's tables
(registry.models imports the scope machinery from this package).
"""

from django.db import models


class Role(models.TextChoices):
    INSURANCE_OFFICER = "insurance_officer", "县医保经办人员"
    TOWNSHIP_CLERK = "township_clerk", "乡镇经办人员"
    CASHIER = "cashier", "医疗机构收费员"
    DOCTOR = "doctor", "医生"
    VILLAGE_DOCTOR = "village_doctor", "乡村医生"
    PUBLIC_HEALTH_OFFICER = "public_health_officer", "公共卫生人员"
    ASSESSOR = "assessor", "卫健委考核人员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


# Staff of a designated institution: they act for it and read only its rows.
INSTITUTION_ROLES = frozenset({Role.CASHIER, Role.DOCTOR, Role.VILLAGE_DOCTOR})

# 三员分立: the three administrators (DESIGN.md §6).
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
