"""The package's stages import only downward: profile, then rules, then render, then output.

A module of a lower stage that imported a higher one would tie the contract's rules to how a
document is drawn, or the drawing to where files are written. The commands on top (compare,
web, importer, new, the CLI) may use any stage. Imports only for type checking count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pcndocs"
# Lower first. Modules directly in pcndocs/ (errors, files, text, years, resources) are the
# base every stage may use; they import no stage themselves.
STAGES = ("base", "profile", "rules", "render", "output")


def stage_of(module: str) -> str | None:
    """Return a module's stage, or None for the commands on top of them."""
    parts = module.split(".")
    if len(parts) == 1:  # the package itself: its version
        return "base"
    if (PACKAGE / parts[1]).is_dir():  # a subpackage: its folder says its stage
        return parts[1] if parts[1] in STAGES else None
    return "base" if parts[1] not in ("cli", "__main__") else None


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Return every pcndocs module a file imports, wherever in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "pcndocs":
                continue
            for alias in node.names:  # `from pcndocs.rules import voting` imports a module
                candidate = f"{node.module}.{alias.name}"
                is_module = any(
                    (PACKAGE.parent / Path(*candidate.split("."))).with_suffix(s).exists()
                    for s in (".py", "")
                )
                found.add(candidate if is_module else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "pcndocs"}
    return found


def upward_imports() -> list[str]:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        low = stage_of(importer)
        if low is None:
            continue
        for target in sorted(imported(path)):
            high = stage_of(target)
            if high is None or STAGES.index(high) > STAGES.index(low):
                wrong.append(f"{importer} ({low}) imports {target} ({high or 'a command'})")
    return wrong


def test_no_stage_imports_a_higher_one() -> None:
    assert upward_imports() == []


@pytest.mark.parametrize(
    ("module", "stage"),
    [
        ("pcndocs.errors", "base"),
        ("pcndocs.profile.model", "profile"),
        ("pcndocs.rules.voting", "rules"),
        ("pcndocs.render.writers.docx", "render"),
        ("pcndocs.output.build", "output"),
        ("pcndocs.web.app", None),
        ("pcndocs.web", None),
        ("pcndocs.rules", "rules"),
        ("pcndocs.cli", None),
    ],
)
def test_stages_are_read_from_the_folders(module: str, stage: str | None) -> None:
    assert stage_of(module) == stage


def test_an_upward_import_is_found(tmp_path: Path) -> None:
    """The check sees an import of a higher stage, even one made inside a function."""
    module = PACKAGE / "rules" / "voting.py"
    source = module.read_text(encoding="utf-8") + (
        "\n\ndef _late() -> None:\n    from pcndocs.render import context  # noqa\n"
    )
    assert "pcndocs.render.context" in _imports_of(source, tmp_path)


def _imports_of(source: str, tmp_path: Path) -> set[str]:
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    return imported(path)
