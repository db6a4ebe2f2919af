"""Logging filters (named from settings.LOGGING)."""


def forbidden_on_one_line():
    """A filter for django.request: a 403 (PermissionDenied) is an expected refusal, so it
    is logged as one line with its reason; its traceback would only bury real errors,
    which keep theirs."""

    def one_line(record):
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            reason = " ".join(str(record.exc_info[1]).split())  # one line, whatever it says
            message = record.getMessage()
            record.msg = f"{message} ({reason})" if reason else message
            record.args = ()
            record.exc_info = record.exc_text = None
        return True

    return one_line
