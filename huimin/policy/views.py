"""The page side of the policy: every routed view declares who may open it.

    @requires("ledger.read")            a named permission (login first, then 403)
    @requires_any("audit.read", ...)    any one of several permissions
    @logged_in                          any signed-in account; the view scopes what it shows
    @public("登录页")                    anyone, signed in or not, with the reason

Each leaves its declaration on the view as `policy_permissions` (a tuple: the
permissions, or PUBLIC / LOGGED_IN), so tests/policy/test_policy_matrix.py can walk the
URL conf, fail on a page that declares nothing, and run every page as every role.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required

from huimin.core.errors import PermissionDenied
from huimin.policy.permissions import PERMISSIONS, check_perm, has_perm

# Declarations that are not permissions (neither is a name in PERMISSIONS).
PUBLIC = "public"
LOGGED_IN = "logged_in"


def known_permissions(permissions) -> tuple[str, ...]:
    # A typo must not open or silently close a page: refuse it when the module loads.
    unknown = [p for p in permissions if p not in PERMISSIONS]
    if unknown or not permissions:
        raise ValueError(f"unknown permissions {unknown}")
    return tuple(permissions)


def requires(permission: str, message: str = "您的角色不能使用此页面"):
    """login_required, then the named permission (the 403 page for a role without it).

    The permission is also left on the view as `policy_permission`, so a test can walk
    the URL conf and ask every page what it declares."""
    declared = known_permissions((permission,))

    def wrap(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            check_perm(request.user, permission, message=message)
            return view(request, *args, **kwargs)

        checked.policy_permission = permission
        checked.policy_permissions = declared
        return login_required(checked)

    return wrap


def requires_any(*permissions: str, message: str = "您的角色不能使用此页面"):
    """As requires, for a page that serves holders of any one of several permissions
    (what each sees is then the view's to narrow)."""
    declared = known_permissions(permissions)

    def wrap(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not any(has_perm(request.user, p) for p in declared):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        checked.policy_permissions = declared
        return login_required(checked)

    return wrap


def logged_in(view):
    """Any signed-in account (its own profile, password, second factor; lists the view
    itself scopes with visible_to). Anonymous users are sent to log in."""
    checked = login_required(view)
    checked.policy_permissions = (LOGGED_IN,)
    return checked


def public(reason: str):
    """Open to anyone, signed in or not; the reason says why, for the reviewer."""
    if not reason:
        raise ValueError("a public page says why it is public")

    def wrap(view):
        view.policy_permissions = (PUBLIC,)
        view.policy_reason = reason
        return view

    return wrap


def declared(view) -> tuple[str, ...]:
    """What a routed view declares: its permissions, (PUBLIC,), (LOGGED_IN,) or ()."""
    return tuple(getattr(view, "policy_permissions", ()))
