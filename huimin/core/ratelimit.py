"""Rate limits shared by every worker process (DESIGN.md §6).

A limit is a number of hits per fixed window per subject. A subject is a string naming
who is counted: `user:17`, `credential:abc`, `ip:10.1.2.3`. `hit()` counts and refuses
with RateLimited (429) once any of the subjects is past the limit; `add()` counts an
amount (rows returned) and says how far it has got, so callers can alert as well.

The counts live in one table (core.RateCounter), each hit one upsert that adds to the
window's row and returns the total, so concurrent workers never lose a hit and a counted
request costs the same queries at any moment. Ended windows are deleted with the token
housekeeping (`purge_expired`).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.utils import timezone

from huimin.core.errors import DomainError
from huimin.core.models import RateCounter
from huimin.core.net import client_ip


@dataclass(frozen=True)
class Limit:
    name: str
    per_window: int
    window_seconds: int
    what: str  # how the refusal names what was limited, in Chinese


# What a limit counts, when it is not requests.
_UNITS = {"rows": "条"}


class RateLimited(DomainError):
    status = 429

    def __init__(self, limit: Limit, retry_after: int):
        minutes = max(1, round(limit.window_seconds / 60))
        unit = _UNITS.get(limit.name, "次")
        super().__init__(
            "rate_limited",
            f"{limit.what}过于频繁：每{minutes}分钟最多{limit.per_window}{unit}，"
            f"请{retry_after}秒后再试",
        )
        self.limit = limit
        self.retry_after = retry_after


def limit(name: str) -> Limit:
    """The configured limit by name (settings.HUIMIN_RATE_LIMITS)."""
    per, seconds, what = settings.HUIMIN_RATE_LIMITS[name]
    return Limit(name, per, seconds, what)


def _window(lim: Limit, now: datetime.datetime) -> tuple[int, datetime.datetime]:
    start = int(now.timestamp()) // lim.window_seconds * lim.window_seconds
    end = datetime.datetime.fromtimestamp(start + lim.window_seconds, tz=datetime.UTC)
    return start, end


def add(lim: Limit, subject: str, amount: int = 1, *, now=None) -> int:
    """Count `amount` against `subject` in the current window; return the new total.

    One statement whether or not the window's row exists yet (INSERT … ON CONFLICT DO
    UPDATE … RETURNING, SQLite ≥ 3.35 and PostgreSQL alike): concurrent workers never
    lose a hit, and a limited request costs the same queries at any moment."""
    now = now or timezone.now()
    start, expires = _window(lim, now)
    key = f"{lim.name}:{start}:{subject}"[:200]
    quote = connection.ops.quote_name
    table = quote(RateCounter._meta.db_table)
    key_col, count, expires_col = quote("key"), quote("count"), quote("expires_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_col}, {count}, {expires_col}) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT ({key_col}) DO UPDATE SET {count} = {table}.{count} + excluded.{count} "
            f"RETURNING {count}",
            [key, amount, connection.ops.adapt_datetimefield_value(expires)],
        )
        (total,) = cursor.fetchone()
    return total


def purge_expired(now=None) -> int:
    """Delete the counters of windows that have ended; the number deleted. Run with the
    token housekeeping (access/tokens.py), off the path of the requests it counts."""
    deleted, _ = RateCounter.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


def retry_after(lim: Limit, now=None) -> int:
    now = now or timezone.now()
    _start, end = _window(lim, now)
    return max(1, int((end - now).total_seconds()) + 1)


def hit(name: str, *subjects: str, amount: int = 1) -> None:
    """Count one use by each subject; refuse (429) when any is over the limit."""
    lim = limit(name)
    for subject in subjects:
        if subject and add(lim, subject, amount) > lim.per_window:
            raise RateLimited(lim, retry_after(lim))


def subjects_of(request) -> list[str]:
    """Who a request counts against: the staff account or the institution credential,
    and the address it came from."""
    out = []
    credential = getattr(request, "auth_credential", None)
    if credential is not None:
        out.append(f"credential:{credential.pk}")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        out.append(f"user:{user.pk}")
    ip = client_ip(request)
    if ip:
        out.append(f"ip:{ip}")
    return out


def listing(request, rows: int) -> None:
    """Count one list, search or export answer of `rows` rows: the request against the
    `list` limit (account or credential, and address), the rows against `rows` (account or
    credential). Called before the answer is shown, so a refused one shows nothing."""
    subjects = subjects_of(request)
    readers = [s for s in subjects if not s.startswith("ip:")]
    # An office's staff often share one address behind NAT: the address has its own,
    # higher limit, so colleagues do not use up each other's.
    hit("list", *readers)
    hit("list_address", *(s for s in subjects if s.startswith("ip:")))
    if rows and readers:
        hit("rows", *readers, amount=rows)


def auth_failure(request) -> int:
    """Count a failed authentication from the request's address; the count so far in
    this window. Past the limit the caller answers 429 instead of its refusal."""
    ip = client_ip(request) or "unknown"
    return add(limit("auth_failure"), f"ip:{ip}")


def refuse_if_failing(request) -> None:
    """Refuse (429) an address already past the failed-authentication limit, before its
    next attempt is even checked: the password guesser's answer is the same either way."""
    lim = limit("auth_failure")
    now = timezone.now()
    start, _end = _window(lim, now)
    ip = client_ip(request) or "unknown"
    counted = RateCounter.objects.filter(key=f"{lim.name}:{start}:ip:{ip}"[:200])
    if (counted.values_list("count", flat=True).first() or 0) >= lim.per_window:
        raise RateLimited(lim, retry_after(lim, now))


def should_audit_failure(count: int) -> bool:
    """Unauthenticated failures are audited one row per address per window at 1, 10,
    100, 1000 …: the count's order of magnitude is kept, the flood of rows is not."""
    return count >= 1 and str(count).rstrip("0") == "1"


class RateLimitedPageMiddleware:
    """Render a page view's RateLimited as the 429 page with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RateLimited) or request.path.startswith("/api/"):
            return None
        response = render(request, "429.html", {"reason": exception.message}, status=429)
        response["Retry-After"] = str(exception.retry_after)
        return response
