"""Fixtures for the importer: small national files in each layout, written by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .sample_files import (
    EPCN_2019_DETAILS,
    EPCN_2019_PARTNERS,
    EPCN_LATER_DETAILS,
    EPCN_LATER_PARTNERS,
    LISTS_2021,
    LISTS_LATER,
    write_xlsx,
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of tests that read the real national files."""
    config.addinivalue_line(
        "markers", "national: reads the real national files in ../shared/data (skipped if absent)"
    )


@pytest.fixture
def epcn_2019(tmp_path: Path) -> Path:
    """Return an ePCN workbook in the December 2019 layout."""
    return write_xlsx(
        tmp_path / "ePCN-2019-12.xlsx",
        {"PCN Details": EPCN_2019_DETAILS, "PCN Core Partner Details": EPCN_2019_PARTNERS},
    )


@pytest.fixture
def epcn_later(tmp_path: Path) -> Path:
    """Return an ePCN workbook in a later (Sub ICB Location) layout."""
    return write_xlsx(
        tmp_path / "ePCN.xlsx",
        {
            "Notes": [("About this file",)],
            "PCNDetails": EPCN_LATER_DETAILS,
            "PCN Core Partner Details": EPCN_LATER_PARTNERS,
        },
    )


@pytest.fixture
def lists_2021(tmp_path: Path) -> Path:
    """Return a list-size CSV in the January 2021 (CCG) layout."""
    path = tmp_path / "gp-reg-pat-prac-all-2021-01.csv"
    path.write_text(LISTS_2021, encoding="utf-8")
    return path


@pytest.fixture
def lists_later(tmp_path: Path) -> Path:
    """Return a list-size CSV in a later (Sub ICB Location) layout, with a byte-order mark."""
    path = tmp_path / "gp-reg-pat-prac-all.csv"
    path.write_text("\ufeff" + LISTS_LATER, encoding="utf-8")
    return path
