# gunicorn settings shared by `make demo`, `make serve` and the benchmarks.
# Access log lines carry no query string and no ID or phone number (DESIGN.md §6).
logger_class = "huimin.core.accesslog.MaskedAccessLogger"
