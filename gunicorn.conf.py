"""gunicorn's settings for `make demo` and `make serve` (the command line adds the bind
address, workers and the access log).

gunicorn refuses an over-long request line or header itself, with an English HTML page
(a 414 at its default 4094-byte line). Its limits here are set above Huimin's own
(huimin/core/middleware.py: 4096-byte request line, 8190-byte header, 100 headers), so
such a request reaches Django and is answered in the contract's JSON error shape (a
Chinese page outside /api/). Only a request beyond gunicorn's ceiling (an 8190-byte
request line, the most gunicorn allows short of "unlimited") still gets gunicorn's page.
"""

limit_request_line = 8190
limit_request_field_size = 16380
limit_request_fields = 200

# Access log lines carry no query string and no ID or phone number (DESIGN.md §6).
logger_class = "huimin.core.accesslog.MaskedAccessLogger"
