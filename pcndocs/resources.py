"""Finds the files that ship with pcndocs: templates, data files and the example profile."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


@cache
def _shipped(name: str) -> Path:
    """Return a folder shipped in the wheel, or the same folder of a source checkout."""
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def read_data(name: str) -> Any:
    """Return the parsed contents of the shipped data file ``pcndocs/data/<name>.yaml``."""
    return read_yaml(_PACKAGE / "data" / f"{name}.yaml")


def read_yaml(path: Path) -> Any:
    """Return the parsed contents of a YAML file that ships with pcndocs (trusted: ours)."""
    import yaml  # here, not at the top: `pcndocs --help` imports this module

    # libyaml's parser where it is installed: the same values from our own data files, about
    # eight times faster than PyYAML's own (every process reads the facts once: about 80 ms
    # of each command's start, and of each build worker's).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def builtin_templates() -> Path:
    """Return the folder of the built-in templates, styles and reference document."""
    return _shipped("templates")


def example_profile() -> Path:
    """Return the example profile that `pcndocs build` uses when given none."""
    return _shipped("profiles") / "example.yaml"


def export_templates(folder: Path, force: bool = False) -> list[Path]:
    """Copy the built-in templates, partials, pdf.css and reference.docx into folder.

    Refuses (OutputError) to overwrite a file already there unless forced; returns the
    files written.
    """
    from pcndocs.errors import OutputError
    from pcndocs.files import write_atomically

    source = builtin_templates()
    names = sorted(
        path.relative_to(source)
        for path in source.rglob("*")
        if path.is_file() and path.suffix in (".md", ".css", ".docx")
    )
    if folder.exists() and not folder.is_dir():
        raise OutputError(folder, "is a file, not a folder")
    present = [name for name in names if (folder / name).exists()]
    if present and not force:
        others = f" and {len(present) - 1} more" if len(present) > 1 else ""
        raise OutputError(folder / present[0], f"already exists{others}; use --force to overwrite")
    # A subfolder that is a link elsewhere (partials -> /etc) is never written through.
    for parent in sorted({(folder / name).parent for name in names}):
        if parent.exists() and not parent.resolve().is_relative_to(folder.resolve()):
            raise OutputError(parent, f"is a link to a folder outside {folder}; remove it")
    for name in names:
        write_atomically(folder / name, (source / name).read_bytes())
    return [folder / name for name in names]


def write_example(path: Path) -> None:
    """Write the example profile to path, to copy and change."""
    from pcndocs.files import write_atomically

    write_atomically(path, example_profile().read_bytes())


_CHECKED = re.compile(r"^checked:\s*(\d{4}-\d{2}-\d{2})", re.MULTILINE)


def facts_checked_date() -> str:
    """Return the day the national facts were last checked, read without loading them.

    `pcndocs --version` prints it, so it reads one line of sources.yaml and imports nothing.
    """
    text = (_PACKAGE / "data" / "sources.yaml").read_text(encoding="utf-8")
    found = _CHECKED.search(text)
    return found.group(1) if found else "unknown"
