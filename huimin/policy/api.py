"""The API side of the policy: every operation declares who may call it.

    @router.get("/people", auth=api_requires("person.read"), ...)     staff session + permission
    @router.get("/regions", auth=api_logged_in(), ...)                 any staff session
    Router(auth=InstitutionBearer(scopes=["settlement"]))              machine credential + scope
    @router.post("/token", auth=None) with @public("...")              anyone (the token endpoint)

The permission is checked as the operation's authentication, so a role without it is
refused (403) before its body is parsed or validated: a caller learns nothing of an
operation it may not use. `operation_policy(op)` reads what an operation declares, for
tests/policy/test_policy_matrix.py; the bearer's scopes are read from the scheme itself.
"""

from ninja.security import SessionAuth

from huimin.core.errors import PermissionDenied
from huimin.policy.permissions import has_perm
from huimin.policy.views import LOGGED_IN, PUBLIC, declared, known_permissions


class StaffSession(SessionAuth):
    """Django session authentication, then the declared permission, or any one of
    several (403 without); LOGGED_IN asks for a signed-in account only."""

    def __init__(self, *permissions: str, message: str = "您的角色无权调用此接口", refused=None):
        super().__init__()
        # refused(request): called before the refusal, for an operation whose refused
        # attempts are themselves recorded (it may raise its own, more precise refusal).
        self.refused = refused
        logged_in_only = permissions == (LOGGED_IN,)
        self.policy_permissions = permissions if logged_in_only else known_permissions(permissions)
        self.message = message

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or self.policy_permissions == (LOGGED_IN,):
            return user
        if not any(has_perm(user, p) for p in self.policy_permissions):
            if self.refused is not None:
                self.refused(request)
            raise PermissionDenied(self.message)
        return user


def api_requires(
    permission: str, message: str = "您的角色无权调用此接口", *, refused=None
) -> StaffSession:
    return StaffSession(permission, message=message, refused=refused)


def api_requires_any(*permissions: str, message: str = "您的角色无权调用此接口") -> StaffSession:
    return StaffSession(*permissions, message=message)


def api_logged_in() -> StaffSession:
    """Any signed-in staff session; the operation scopes what it returns (visible_to)."""
    return StaffSession(LOGGED_IN)


def operation_policy(operation) -> tuple[str, ...]:
    """What a ninja operation declares, one entry per authentication it accepts:
    a permission, LOGGED_IN, `token:<scope,...>` for an institution credential (any
    scheme with `scopes`), or PUBLIC for a `@public` view without authentication.
    Empty: nothing declared (the API's bare default session auth counts as nothing)."""
    found: list[str] = []
    for auth in operation.auth_callbacks or ():
        if getattr(auth, "policy_permissions", None):
            found.extend(auth.policy_permissions)
        elif hasattr(auth, "scopes"):
            found.append("token:" + ",".join(auth.scopes))
    if not operation.auth_callbacks and declared(operation.view_func) == (PUBLIC,):
        found.append(PUBLIC)
    return tuple(found)
