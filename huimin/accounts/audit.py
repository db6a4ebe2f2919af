"""Audit records from this app: huimin.audit.services.record, with the proxy-aware address.

The audit helper reads the peer address itself; behind a trusted reverse proxy that is
the proxy, so the client address from huimin.core.net is passed along explicitly.
"""

from huimin.audit.services import record as _record
from huimin.core.net import client_ip


def record(**kwargs):
    request = kwargs.get("request")
    if request is not None and not kwargs.get("source_ip"):
        kwargs["source_ip"] = client_ip(request) or ""
    return _record(**kwargs)
