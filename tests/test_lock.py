"""The lock files: every dependency pinned, installed as pinned, and a version change noticed."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pcndocs.cli import cli
from pcndocs.output import manifest

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "requirements"
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;\\]+)(?:\s*;\s*(?P<marker>[^\\]+))?"
)


def _pins(lock: Path) -> dict[str, tuple[str, str | None]]:
    """Return each package of a lock file: its pinned version and the marker it applies under."""
    pins: dict[str, tuple[str, str | None]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        found = PIN.match(line)
        if found:
            marker = found["marker"].strip() if found["marker"] else None
            pins[canonicalize_name(found["name"])] = (found["version"], marker)
    return pins


def _declared(extra: str | None) -> Iterator[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    if extra:
        wanted += project["optional-dependencies"][extra]
    build = (LOCKS / "build.in").read_text(encoding="utf-8").splitlines()
    wanted += [line for line in build if line.strip() and not line.startswith("#")]
    for line in wanted:
        yield canonicalize_name(Requirement(line).name)


@pytest.mark.parametrize(("lock", "extra"), [("run.lock", None), ("dev.lock", "dev")])
def test_every_declared_dependency_is_pinned_with_checksums(lock: str, extra: str | None) -> None:
    text = (LOCKS / lock).read_text(encoding="utf-8")
    pins = _pins(LOCKS / lock)
    missing = [name for name in _declared(extra) if name not in pins]
    assert not missing, f"{lock} lacks {missing}: run make upgrade"
    # pip installs a lock with checksums only if every package has one.
    entries = re.split(r"\n(?=\S)", text.strip())
    packages = [entry for entry in entries if not entry.startswith("#")]
    assert len(packages) == len(pins)
    assert all("--hash=sha256:" in entry for entry in packages)


def test_the_rendering_libraries_are_pinned() -> None:
    pins = _pins(LOCKS / "run.lock")
    assert {canonicalize_name(name) for name in manifest.RENDERING_LIBRARIES} <= set(pins)


def test_what_is_installed_is_what_the_lock_says() -> None:
    """The environment the tests run in was installed from the lock, as make test does."""
    wrong = []
    for name, (version, marker) in _pins(LOCKS / "dev.lock").items():
        if marker is not None and not Marker(marker).evaluate():
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "absent"
        if installed != version:
            wrong.append(f"{name}: locked {version}, installed {installed}")
    assert not wrong, "; ".join(wrong)


def test_a_rendering_library_upgrade_rebuilds_the_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade made outside the lock is a change of input, never 'up to date'."""
    out = tmp_path / "out"
    args = ["build", "-o", str(out), "-f", "html", "-d", "cd-job-description", "-j", "1"]
    manifest._code_and_libraries.cache_clear()
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    same = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert "up to date" in same.output

    real_version = metadata.version

    def upgraded(name: str) -> str:
        return "999.0" if name == "weasyprint" else real_version(name)

    monkeypatch.setattr(metadata, "version", upgraded)
    manifest._code_and_libraries.cache_clear()
    try:
        again = CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        manifest._code_and_libraries.cache_clear()
    assert again.exit_code == 0
    assert "up to date" not in again.output
    assert "cd-job-description.html" in again.output
