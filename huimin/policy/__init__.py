"""The policy layer: who may do what, where (DESIGN.md §2, §6).

    from huimin.policy import check_perm, get_visible_or_404, has_perm, visible_to

- permissions.py: PERMISSIONS, DEFAULT_GRANTS, ADMIN_ROLES, PERSONAL_DATA_PERMISSIONS,
  has_perm, check_perm, check_institution, grants_changed (per-request freshness).
- scope.py: jurisdiction_of, institution_of, ScopedQuerySet (a model's queryset declares
  region_field and institution_field once), visible_to, register_scope_extension.
- lookup.py: get_visible_or_404 (scoped, audited read of one row).
- views.py: requires(permission), requires_any, logged_in, public: what a page declares.
- api.py: api_requires(permission), api_logged_in(): what an API operation declares.
- roles.py: Role, INSTITUTION_ROLES, ADMIN_ROLES; rules.py: the pure rules.

The names are loaded on first use rather than imported here: registry.models builds on
policy.scope and policy.roles, while permissions.py reads the registry's grant table,
so importing everything eagerly would make registry.models import itself.
"""

import importlib

_EXPORTS = {
    "ADMIN_ROLES": "roles",
    "INSTITUTION_ROLES": "roles",
    "Role": "roles",
    "DEFAULT_GRANTS": "permissions",
    "PERMISSIONS": "permissions",
    "PERSONAL_DATA_PERMISSIONS": "permissions",
    "PERSONAL_DATA_REASONS": "permissions",
    "ADMIN_ACTIONS": "permissions",
    "ADMIN_PERMISSION_OWNERS": "permissions",
    "check_institution": "permissions",
    "check_perm": "permissions",
    "grants_changed": "permissions",
    "grants_of": "permissions",
    "has_perm": "permissions",
    "role_permissions": "permissions",
    "check_jurisdiction": "scope",
    "in_jurisdiction": "scope",
    "institution_of": "scope",
    "is_institution_staff": "scope",
    "jurisdiction_of": "scope",
    "register_scope_extension": "scope",
    "visible_to": "scope",
    "get_visible_or_404": "lookup",
    "requires": "views",
    "requires_any": "views",
    "logged_in": "views",
    "public": "views",
    "PUBLIC": "views",
    "LOGGED_IN": "views",
    "api_requires": "api",
    "api_logged_in": "api",
    "api_requires_any": "api",
    "operation_policy": "api",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'huimin.policy' has no attribute {name!r}")
    return getattr(importlib.import_module(f"huimin.policy.{module}"), name)
