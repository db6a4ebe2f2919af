"""The `huimin` console script: Django's management commands under one name.

`huimin verify-audit` runs the command `verify_audit`: hyphens in the first word are
read as underscores, so operators type the names the docs use.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    if args[:1] == ["settle"]:
        # The pure engine needs no settings, secrets or database.
        from huimin.insurance.settle_cli import main as settle  # noqa: PLC0415 - the console script loads the settle engine only for `huimin settle`

        sys.exit(settle(args[1:]))
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - `huimin settle` runs without loading Django

    execute_from_command_line(["huimin", *args])


if __name__ == "__main__":
    main()
