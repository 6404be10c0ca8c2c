"""`pcndocs import` from the command line, on small files shaped like the national ones."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pcndocs.cli import cli
from tests.conftest import ImportNetworks

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e


def test_import_needs_a_selection(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "--epcn", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert "choose networks with --pcn CODE, --ccg CODE or --all" in result.output


def test_missing_epcn_file_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "--epcn", str(tmp_path / "x.xlsx"), "--all"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'x.xlsx'}: no such file" in result.output


@pytest.mark.national
def test_import_two_real_networks(import_networks: ImportNetworks, tmp_path: Path) -> None:
    out = tmp_path / "profiles"
    result = import_networks(out, "U35980")
    assert result.exit_code == 0, result.output
    assert "Imported 1 network, 9 practices, 104,929 registered patients" in result.output
    assert f"; 1 profile written to {out}" in result.output  # not "1 profiles"
    data = yaml.safe_load((out / "central-liverpool-pcn.yaml").read_text(encoding="utf-8"))
    assert data["network"]["name"] == "Central Liverpool PCN"
    assert data["network"]["code"] == "U35980"
    assert sum(p["list_size"] for p in data["practices"]) == 104_929
    again = import_networks(out, "U35980", lists=False)
    assert "1 profile already existed and was kept (use --force to replace it)" in again.output
