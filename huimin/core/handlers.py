"""Institutions' systems get a shorter middleware chain than people's browsers.

A hospital system calls the API with a bearer token, four or five times per patient at
the counter, all day. Sessions, CSRF, staff login and its second factor, messages,
lockout and static files are for people in a browser; walking those layers costs more
than a settlement's own reads (docs/BENCHMARKS.md). So `application` (huimin/wsgi.py)
sends a request to `/api/` that carries `Authorization: Bearer` through the chain in
`MACHINE_MIDDLEWARE`, and every other request through settings.MIDDLEWARE. Both end in
the same URLconf and the same views; nothing is authorised by the routing: a bearer
request reaching a staff endpoint is anonymous there and refused as before.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.wsgi import WSGIHandler

# The security headers, request limits and the API's error shape, as every request gets them.
MACHINE_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "huimin.core.middleware.RequestLimitsMiddleware",
    "huimin.core.middleware.ApiErrorShapeMiddleware",
    "huimin.core.handlers.AnonymousStaffMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


class AnonymousStaffMiddleware:
    """No staff session is read for a machine request: to staff-only code it is nobody.
    The Host header is checked against ALLOWED_HOSTS here, as CommonMiddleware does for
    the full chain (DisallowedHost: a 400)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.get_host()
        request.user = AnonymousUser()
        return self.get_response(request)


def is_machine_request(environ) -> bool:
    return environ.get("PATH_INFO", "").startswith("/api/") and environ.get(
        "HTTP_AUTHORIZATION", ""
    ).startswith("Bearer ")


class MachineChain:
    """A handler mixin: the middleware of MACHINE_MIDDLEWARE instead of settings'."""

    def load_middleware(self, is_async=False):
        # BaseHandler reads the chain from settings.MIDDLEWARE; this runs once, at start.
        chain = settings.MIDDLEWARE
        settings.MIDDLEWARE = MACHINE_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = chain


class MachineHandler(MachineChain, WSGIHandler):
    pass


def dispatch(people: WSGIHandler):
    """The WSGI application: machine requests to the short chain, the rest to `people`."""
    machines = MachineHandler()

    def application(environ, start_response):
        handler = machines if is_machine_request(environ) else people
        return handler(environ, start_response)

    return application
