"""Searches whose filters may hold an ID or phone number, kept out of URLs (DESIGN.md §6).

A search form posts. Its filters are the posted values; any value holding a personal
number is put in the session under a short random search token, and the page's links
(next page, export) carry `st=<token>` in its place. A GET with `st` gets the value back
from the session, so paging through a search by ID number never writes the number into
an address bar, a browser history, a Referer or an access log.
"""

import secrets

from django.http import QueryDict

from huimin.core.redact import has_personal_number

TOKEN_PARAM = "st"  # noqa: S105 - a query parameter's name, not a secret
_SESSION_KEY = "huimin_search_tokens"
_KEEP = 20  # tokens a session keeps: the newest searches' links keep working


def search_data(request) -> QueryDict:
    """The filters a list page is asked for, from a posted search or from its links."""
    if request.method == "POST":
        data = request.POST.copy()
        data.pop("csrfmiddlewaretoken", None)
        return data
    data = request.GET.copy()
    token = data.pop(TOKEN_PARAM, [""])[-1]
    stored = request.session.get(_SESSION_KEY, {}).get(token) if token else None
    for name, values in (stored or {}).items():
        data.setlist(name, values)
    return data


def link_query(request, data: QueryDict, *drop: str) -> QueryDict:
    """What the page's own links carry: the filters without `drop` (the pager's keys),
    a personal number replaced by a search token."""
    out = QueryDict(mutable=True)
    hidden: dict[str, list[str]] = {}
    for name, values in data.lists():
        if name in drop or name == TOKEN_PARAM:
            continue
        if any(has_personal_number(v) for v in values):
            hidden[name] = values
        else:
            out.setlist(name, values)
    if hidden:
        tokens = dict(request.session.get(_SESSION_KEY, {}))
        token = next((t for t, v in tokens.items() if v == hidden), None)
        if token is None:
            token = secrets.token_urlsafe(9)
            tokens[token] = hidden
            tokens = dict(list(tokens.items())[-_KEEP:])
            request.session[_SESSION_KEY] = tokens
        out[TOKEN_PARAM] = token
    return out
