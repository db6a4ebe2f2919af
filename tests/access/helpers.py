"""Building institutions with approved access, keys and signed assertions for the tests.

Everything goes through the real services; keys are generated with joserfc and only
their public halves are registered.
"""

import time
import uuid
from dataclasses import dataclass

from joserfc import jwt
from joserfc.jwk import ECKey

from huimin.access import conf, services
from huimin.access.models import ClientCredential, InstitutionAccess
from tests import factories

IP = "10.1.2.3"  # inside RANGES
RANGES = ["10.1.2.0/24", "192.168.50.0/24"]
OUTSIDE_IP = "10.9.9.9"


@dataclass
class Onboarded:
    institution: object
    access: InstitutionAccess
    credential: ClientCredential
    key: ECKey
    kid: str
    terminal: str

    @property
    def client_id(self) -> str:
        return self.credential.client_id


def people():
    """A submitting officer, a reviewing officer and two security administrators."""
    return {
        "submitter": factories.make_staff("officer_a", "insurance_officer"),
        "reviewer": factories.make_staff("officer_b", "insurance_officer"),
        "approver": factories.make_staff("secadmin", "security_admin"),
        "approver2": factories.make_staff("secadmin2", "security_admin"),
    }


def application_data(institution, **overrides) -> services.ApplicationData:
    values = {
        "institution_id": institution.pk,
        "kind": "institution",
        "contact_name": "王主任",
        "contact_phone": "13807391234",
        "details": "门诊收费与住院结算系统接入",
        "ip_ranges": list(RANGES),
        "terminals": [(f"HIS-{institution.pk}-01", "门诊收费1号窗口")],
        "scopes": ["settlement", "catalog.read"],
    }
    values.update(overrides)
    return services.ApplicationData(**values)


def public_jwks(*keys: ECKey) -> str:
    import json

    return json.dumps({"keys": [k.as_dict(private=False) for k in keys]})


def new_key(kid: str | None = None, curve: str = "P-256", alg: str = "ES256") -> ECKey:
    return ECKey.generate_key(
        curve, parameters={"kid": kid or uuid.uuid4().hex[:12], "alg": alg, "use": "sig"}
    )


def onboard(staff: dict, name="新邵县人民医院", scopes=None, terminal=None) -> Onboarded:
    """An institution through submit → review → approve → credential → public key."""
    institution = factories.make_institution(name)
    device = terminal or f"HIS-{institution.pk}-01"
    data = application_data(
        institution,
        terminals=[(device, "收费窗口")],
        **({"scopes": scopes} if scopes is not None else {}),
    )
    app = services.do_submit_application(staff["submitter"], data)
    services.do_review(staff["reviewer"], app.pk)
    services.do_approve(staff["approver"], app.pk)
    credential = services.do_issue_credential(staff["approver"], institution.pk)
    key = new_key()
    services.do_register_keys(staff["approver"], credential.pk, public_jwks(key))
    return Onboarded(
        institution=institution,
        access=InstitutionAccess.objects.get(institution=institution),
        credential=credential,
        key=key,
        kid=key.kid,
        terminal=device,
    )


def assertion(
    key: ECKey, client_id: str, *, alg: str = "ES256", header: dict | None = None, **claims
) -> str:
    now = int(time.time())
    body = {
        "iss": client_id,
        "sub": client_id,
        "aud": conf.token_audience(),
        "exp": now + 240,
        "iat": now,
        "jti": uuid.uuid4().hex,
    }
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode({"alg": alg, "kid": key.kid, **(header or {})}, body, key, algorithms=[alg])


def token_request(client, assertion_text: str, *, terminal: str, ip: str = IP, scope=None):
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion_text,
    }
    if scope is not None:
        data["scope"] = scope
    return client.post(
        "/api/v1/access/token",
        data,
        REMOTE_ADDR=ip,
        HTTP_X_HUIMIN_TERMINAL=terminal,
    )


def get_token(client, inst: Onboarded, **kw) -> str:
    response = token_request(
        client, assertion(inst.key, inst.client_id), terminal=inst.terminal, **kw
    )
    assert response.status_code == 200, response.json()
    return response.json()["access_token"]


def whoami(client, token: str, *, terminal: str, ip: str = IP):
    return client.get(
        "/api/v1/access/whoami",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_HUIMIN_TERMINAL=terminal,
        REMOTE_ADDR=ip,
    )


def error_code(response) -> str:
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]["code"]


def login_verified(client, user) -> None:
    """A session that passed the second factor (officers and administrators need one)."""
    from huimin.accounts.testing import verify_second_factor

    client.force_login(user)
    verify_second_factor(client, user)
