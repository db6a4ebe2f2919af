"""The audit log as ops sees it: `huimin.audit.services.record`, once that app provides it.

TODO: import record directly once huimin/audit/services.py has landed; until then ops
code calls this and writes nothing when the audit helper is missing.
"""


def record(**kwargs):
    try:
        from huimin.audit.services import record as audit_record
    except ImportError:
        return None
    return audit_record(**kwargs)


def available() -> bool:
    try:
        from huimin.audit.services import record  # noqa: F401
    except ImportError:
        return False
    return True
