"""Run `huimin verify-audit` in a test: its exit code and what it printed."""

from django.core.management import call_command


def run_verify(capsys, **options) -> tuple[int, str, str]:
    code = 0
    try:
        call_command("verify_audit", **options)
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err
