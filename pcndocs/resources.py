"""Finds the files that ship with pcndocs: built-in templates and the example profile."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def _shipped(name: str) -> Path:
    """Return a folder shipped in the wheel, or the same folder of a source checkout."""
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def builtin_templates() -> Path:
    """Return the folder of the built-in templates, styles and reference document."""
    return _shipped("templates")


def example_profile() -> Path:
    """Return the example profile that `pcndocs build` uses when given none."""
    return _shipped("profiles") / "example.yaml"
