"""Running `huimin settle` in-process on a changed copy of the shared worked example."""

import json
from pathlib import Path

from huimin.insurance import settle_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CLAIM = json.loads((EXAMPLES / "claim-example.json").read_text(encoding="utf-8"))
YTD = json.loads((EXAMPLES / "ytd-example.json").read_text(encoding="utf-8"))
PLAN = str(EXAMPLES / "plan-example.yaml")


def settle(tmp_path, capsys, claim=None, ytd=None, *, claim_text=None, ytd_text=None):
    """(exit code, stdout, stderr); a text given as such is written as it is."""
    claim_file = tmp_path / "claim.json"
    claim_file.write_text(claim_text or json.dumps(claim or CLAIM, ensure_ascii=False))
    args = ["--plan", PLAN, "--claim", str(claim_file)]
    if ytd is not None or ytd_text is not None:
        ytd_file = tmp_path / "ytd.json"
        ytd_file.write_text(ytd_text or json.dumps(ytd, ensure_ascii=False))
        args += ["--ytd", str(ytd_file)]
    code = settle_cli.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def line0(**changes) -> dict:
    return {**CLAIM, "lines": [{**CLAIM["lines"][0], **changes}, *CLAIM["lines"][1:]]}
