"""The page side of the policy: a view declares the permission it needs."""

from functools import wraps

from django.contrib.auth.decorators import login_required

from huimin.policy.permissions import check_perm


def requires(permission: str, message: str = "您的角色不能使用此页面"):
    """login_required, then the named permission (the 403 page for a role without it).

    The permission is also left on the view as `policy_permission`, so a test can walk
    the URL conf and ask every page what it declares."""

    def wrap(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            check_perm(request.user, permission, message=message)
            return view(request, *args, **kwargs)

        checked.policy_permission = permission
        return login_required(checked)

    return wrap
