#!/usr/bin/env bash
# Run the suite (SQLite, no browser) against the next Django release candidate, when one
# is published for this Python: an early warning, allowed to fail. It reports and always
# exits 0, so it never blocks `make test`; the pinned Django is what ships.
#   scripts/django-next.sh .venv
set -uo pipefail
venv=${1:-.venv}
pinned=$("$venv/bin/python" -c 'import django; print(django.__version__)')
# The newest pre-release (aN, bN, rcN) newer than the pinned version, if any.
candidate=$("$venv/bin/pip" index versions django --pre 2>/dev/null | "$venv/bin/python" -c '
import re, sys
from packaging.version import Version
pinned = Version(sys.argv[1])
text = sys.stdin.read()
found = re.search(r"Available versions: (.*)", text)
versions = [Version(v) for v in found.group(1).split(", ")] if found else []
newer = [v for v in versions if v > pinned and v.is_prerelease]
print(max(newer) if newer else "")
' "$pinned")
if [ -z "$candidate" ]; then
    echo "django-next: no Django release candidate newer than $pinned is published for this Python; skipped."
    exit 0
fi
next_venv=$(mktemp -d /tmp/huimin-django-next.XXXXXX)
trap 'rm -rf "$next_venv"' EXIT
"$venv/bin/python" -m venv "$next_venv"
"$next_venv/bin/pip" install -q -e ".[dev]" && "$next_venv/bin/pip" install -q "Django==$candidate"
if "$next_venv/bin/pytest" -m "not browser" -q -p no:randomly; then
    echo "django-next: the suite passes on Django $candidate."
else
    echo "django-next: the suite FAILS on Django $candidate (allowed to fail; see above)."
fi
exit 0
