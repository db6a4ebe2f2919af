"""Logging filters (named from settings.LOGGING)."""

from huimin.core.redact import mask_personal_numbers


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


def personal_numbers_masked():
    """A filter for every handler: ID and phone numbers in a log line are masked, whatever
    logged them (Django's "Not Found: /api/…/persons/<id>" warning among them)."""

    def mask(record):
        message = record.getMessage()
        masked = mask_personal_numbers(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True

    return mask
