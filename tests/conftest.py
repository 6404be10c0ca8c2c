"""Shared fixtures: the example profile, profiles made from it, and built documents."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from pcndocs.cli import cli
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions, BuildResult
from pcndocs.render.cache import ENVIRONMENT_VARIABLE, template_cache
from pcndocs.resources import example_profile

REPO = Path(__file__).resolve().parents[1]
NATIONAL_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the tests' compiled templates (and every process they start) out of ~/.cache."""
    folder = tmp_path_factory.mktemp("user-cache")
    before = os.environ.get(ENVIRONMENT_VARIABLE)
    os.environ[ENVIRONMENT_VARIABLE] = str(folder)
    template_cache.cache_clear()
    yield folder
    if before is None:
        os.environ.pop(ENVIRONMENT_VARIABLE, None)
    else:
        os.environ[ENVIRONMENT_VARIABLE] = before
    template_cache.cache_clear()


@pytest.fixture(scope="session")
def example_data() -> dict[str, Any]:
    """Return the example profile's data, to copy and change in a test."""
    data: dict[str, Any] = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    return data


@pytest.fixture
def write_profile(tmp_path: Path) -> Callable[[dict[str, Any] | str], Path]:
    """Return a function that writes profile data (or raw YAML text) to a file in tmp_path."""
    counter = iter(range(1000))

    def write(data: dict[str, Any] | str) -> Path:
        path = tmp_path / f"profile-{next(counter)}.yaml"
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """Build every document of the example profile once, in all three formats."""
    out = tmp_path_factory.mktemp("example-build")
    return build_profile(example_profile(), BuildOptions(out=out, formats=("docx", "pdf", "html")))


@pytest.fixture(scope="session")
def example_last_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an output folder holding a build of the example (its HTML: the quickest).

    `pcndocs serve -o` this folder compares the form with it; no test may write there.
    """
    out = tmp_path_factory.mktemp("last-build")
    build_profile(example_profile(), BuildOptions(out=out, formats=("html",)))
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Return one headless Chromium for the whole run, or skip where there is none."""
    from tests.browser import launched_chromium

    with launched_chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def national_data() -> Path:
    """Return the folder of real national files, or skip where it is absent."""
    if not NATIONAL_DATA.is_dir():
        pytest.skip("the national files (../shared/data) are not here")
    return NATIONAL_DATA


ImportNetworks = Callable[..., Result]


@pytest.fixture
def import_networks(national_data: Path) -> ImportNetworks:
    """Return `pcndocs import` of the given PCN codes from the national files into a folder."""

    def run(out: Path, *codes: str, lists: bool = True) -> Result:
        args = ["import", "--epcn", str(national_data / "ePCN-2019-12.xlsx")]
        if lists:
            args += ["--lists", str(national_data / "gp-reg-pat-prac-all-2021-01.csv")]
        for code in codes:
            args += ["--pcn", code]
        return CliRunner().invoke(cli, [*args, "-o", str(out)])

    return run
