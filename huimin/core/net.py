"""The client's address, believing X-Forwarded-For only from trusted reverse proxies.

The one implementation: login lockout, the audit log, institution tokens' IP-range
binding and rate limits all see the same address behind a proxy.

The address is walked from the right (the hop nearest us) and the first hop that is not
one of HUIMIN_TRUSTED_PROXIES is the client: a client cannot choose its address by
sending the header itself, because its own hop is never trusted. (django-ipware's
proxy list matches positions inside the header without checking who connected, so a
client could claim any address through it; this walk does not.)
"""

import functools
import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured


@functools.lru_cache(maxsize=8)
def _networks(raw: str) -> tuple:
    nets = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"HUIMIN_TRUSTED_PROXIES: {part!r} is not an IP address or network"
            ) from None
    return tuple(nets)


def trusted_proxies() -> tuple:
    """The reverse proxies whose X-Forwarded-For we believe (addresses or CIDR networks)."""
    return _networks(os.environ.get("HUIMIN_TRUSTED_PROXIES", ""))


def _parse(text: str):
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "10.0.0.1:5555"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    trusted = trusted_proxies()
    if not trusted or not _is_trusted(remote, trusted):
        return str(remote)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    address = remote
    for raw in reversed(hops):
        hop = _parse(raw)
        if hop is None:
            # A malformed hop: stop at the last address a trusted proxy vouched for.
            break
        address = hop
        if not _is_trusted(hop, trusted):
            break
    return str(address)


def _is_trusted(address, networks) -> bool:
    return any(address.version == net.version and address in net for net in networks)
