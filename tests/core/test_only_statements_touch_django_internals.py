"""Hand-written SQL leans on Django internals that change between releases (compilers,
`klass_info`, related populators, `pre_save`/`get_db_prep_save` over a model's fields,
column converters). They stay in one module, huimin/core/statements.py, which the
next-Django-RC CI step and tests/insurance/test_statements.py exercise (DESIGN.md §8.8)."""

import re
from pathlib import Path

import huimin

ROOT = Path(huimin.__file__).parent
ALLOWED = {ROOT / "core" / "statements.py"}
INTERNALS = re.compile(
    r"get_related_populators|klass_info|results_iter|get_compiler\(|\.pre_save\(|"
    r"get_db_prep_save\(|get_db_converters\(|expressions import Col\b|"
    r"_meta\.concrete_fields"
)


def test_no_module_but_statements_touches_the_orms_internals():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path in ALLOWED or "migrations" in path.parts:
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INTERNALS.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT.parent)}:{no}: {line.strip()}")
    assert found == []
