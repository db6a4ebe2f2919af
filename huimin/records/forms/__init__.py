"""Form specifications, one module per group of forms.

Each module of this package lists its specs in `SPECS_HERE`; `SPECS` maps every form
kind to its spec, so adding a module is all it takes to add forms.
"""

import importlib
import pkgutil

from huimin.records.forms.spec import FormSpec


def _collect() -> dict[str, FormSpec]:
    specs: dict[str, FormSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for spec in getattr(module, "SPECS_HERE", ()):
            if spec.kind in specs:
                raise ValueError(f"form kind {spec.kind} declared twice")
            specs[spec.kind] = spec
    return specs


SPECS: dict[str, FormSpec] = _collect()
