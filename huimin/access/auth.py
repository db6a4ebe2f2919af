"""django-ninja authentication for institution systems (HIS) calling the API.

    @router.post("/settle", auth=InstitutionBearer(scopes=["settlement"]))

accepts `Authorization: Bearer <token>` from POST /api/v1/access/token together with
the `X-Huimin-Terminal` header, and refuses in the contract's error shape with a
distinct machine code (401 for a missing/invalid/expired token, 403 for suspended
access, a foreign network, a wrong terminal or a missing scope). On success it sets
request.auth_institution, request.auth_terminal and request.auth_credential.
"""

from collections.abc import Iterable

from ninja.security import HttpBearer

from huimin.access import rules, tokens


class InstitutionBearer(HttpBearer):
    """`optional`: a request without a bearer header is not this scheme's to refuse (the
    next scheme, a staff session, is asked); one with a bearer token is checked fully."""

    def __init__(self, scopes: Iterable[str] = (), *, optional: bool = False):
        self.scopes = tuple(scopes)
        self.optional = optional
        unknown = [s for s in self.scopes if s not in rules.SCOPES]
        if unknown:
            raise ValueError(f"unknown scopes {unknown}")
        super().__init__()

    def __call__(self, request):
        # Unlike HttpBearer, a missing or malformed header is refused here (and audited)
        # rather than falling through to a generic 401.
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if self.optional and scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token.strip() if scheme.lower() == "bearer" else "")

    def authenticate(self, request, token: str):
        return tokens.authenticate(request, token, self.scopes)
