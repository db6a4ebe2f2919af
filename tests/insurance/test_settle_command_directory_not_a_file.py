"""`huimin settle` given a directory says it is not a file, not "file not found"."""

import pytest

from huimin.insurance import settle_cli
from tests.insurance.settle_cli_support import EXAMPLES, PLAN


@pytest.mark.parametrize("option", ["--plan", "--claim", "--ytd"])
def test_a_directory_is_not_a_file(tmp_path, capsys, option):
    files = {
        "--plan": PLAN,
        "--claim": str(EXAMPLES / "claim-example.json"),
        "--ytd": str(EXAMPLES / "ytd-example.json"),
    }
    files[option] = str(tmp_path)
    code = settle_cli.main([arg for pair in files.items() for arg in pair])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{option}: 不是文件（是目录）" in err
    assert "不存在" not in err


def test_a_missing_file_is_still_not_found(tmp_path, capsys):
    code = settle_cli.main(["--plan", PLAN, "--claim", str(tmp_path / "none.json")])
    assert code == 1
    assert "--claim: 文件不存在" in capsys.readouterr().err
