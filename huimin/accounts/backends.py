"""Lockout (django-axes) in front of Django's model backend."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check for logins that come with a request (the login page).

    Calls without a request (the test client's login(), a shell) are not network
    attempts: axes would raise for them, so they pass on to the model backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
