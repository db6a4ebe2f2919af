"""Regenerate the endpoint table of docs/api.md from the OpenAPI schema.

HUIMIN_DEBUG=1 .venv/bin/python scripts/api_doc.py > /tmp/table.md
"""

import os
import re

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
django.setup()

from huimin.api import api  # noqa: E402

schema = api.get_openapi_schema(path_prefix="/api/v1/")
print("| method | path | transaction | what |")
print("|---|---|---|---|")
for path, ops in schema["paths"].items():
    for method, op in ops.items():
        summary = op.get("summary", "")
        codes = "/".join(re.findall(r"\b(\d{4})\b", summary))
        text = re.sub(r"（\s*）|\(\s*\)", "", re.sub(r"\b\d{4}\b\s*", "", summary)).strip()
        print(f"| {method.upper()} | `{path}` | {codes} | {text} |")
