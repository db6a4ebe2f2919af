"""The in-repo copy of the worked example is the one in ../shared/examples."""

from pathlib import Path

import pytest

COPY = Path(__file__).resolve().parents[1] / "examples"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "examples"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not beside this checkout")
def test_copy_is_current():
    for name in (
        "plan-example.yaml",
        "claim-example.json",
        "ytd-example.json",
        "settlement-example.json",
    ):
        assert (COPY / name).read_bytes() == (SHARED / name).read_bytes(), name
