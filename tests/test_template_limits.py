"""Templates are bounded: every way to make a huge or endless render ends in a one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.errors import TemplateError
from pcndocs.render import sandbox
from pcndocs.render.templating import Templates
from pcndocs.resources import example_profile
from tests.readback import documents_in, docx_text, pdf_text, squash

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

HOSTILE = {
    "center": ("{{ 'x'.center(10**9) }}", "'.center()' would make more than 1,000,000 characters"),
    "ljust": ("{{ 'x'.ljust(10**9) }}", "'.ljust()' would make more"),
    "zfill": ("{{ 'x'.zfill(10**9) }}", "'.zfill()' would make more"),
    "percent width": ("{{ '%999999999d' % 1 }}", "'%' would make more"),
    "format width": ("{{ '{:999999999}'.format(1) }}", "'.format()' would make more"),
    "format filter": ("{{ '%*s'|format(999999999, 'x') }}", "'|format' would make more"),
    "indent": ("{{ 'a\nb'|indent(10**9) }}", "'|indent' would make more"),
    "center filter": ("{{ 'x'|center(10**9) }}", "'|center' would make more"),
    "replace": ("{{ ('x'*100000).replace('x', 'y'*100000) }}", "'.replace()' would make more"),
    "replace filter": ("{{ ('x'*100000)|replace('x', 'y'*100) }}", "'|replace' would make more"),
    "join": ("{{ ('y'*100000).join('x'*1000) }}", "'.join()' would make more"),
    "doubling with +": (
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
        "{% endfor %}",
        "'+' would make more",
    ),
    "doubling with ~": (
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}",
        "'~' would make more",
    ),
    "lipsum": ("{{ lipsum(10**6) }}", "'lipsum()' would make more"),
    "a macro calling itself twice": (
        "{% macro m(n) %}{{ m(n+1) }}{{ m(n+1) }}{% endmacro %}{{ m(0) }}",
        "macros call themselves more than 50 deep",
    ),
    "40 bytes writing 300 MB": (
        "{% for i in range(99999) %}{% for j in range(99999) %}xxxx{% endfor %}{% endfor %}",
        "the document would be longer than 5,000,000 characters",
    ),
}


def _render(folder: Path, text: str) -> str:
    folder.mkdir(exist_ok=True)
    (folder / "doc.md").write_text(text, encoding="utf-8")
    return Templates(folder, folder).render("doc.md", {})


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_template_is_refused_with_one_line(name: str, tmp_path: Path) -> None:
    text, reason = HOSTILE[name]
    with pytest.raises(TemplateError) as caught:
        _render(tmp_path / "mine", text)
    message = caught.value.message()
    assert "doc.md" in message
    assert reason in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "text",
    [
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
        "{% macro m(n) %}{% if n < 40 %}{{ m(n+1) }}{{ m(n+1) }}{% endif %}{% endmacro %}"
        "{{ m(0) }}",
        "{% for a in 'x' * 99999 %}{% for b in 'x' * 99999 %}{% endfor %}{% endfor %}",
    ],
)
def test_a_template_that_runs_too_long_is_stopped(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.5)
    with pytest.raises(TemplateError, match=r"doc\.md.*took longer than 0\.5 seconds"):
        _render(tmp_path / "mine", text)


def test_ordinary_formatting_still_works(tmp_path: Path) -> None:
    text = (
        "{{ 'abc'|center(9) }}|{{ '%5d' % 3 }}|{{ '{:>4}'.format(7) }}|{{ 'a' ~ 'b' }}|"
        "{{ ', '.join(['x', 'y']) }}|{{ 'a-b'.replace('-', '+') }}|{{ [1, 2]|join('/') }}"
    )
    # Printed values are escaped for Markdown, with runs of spaces made one.
    assert _render(tmp_path / "mine", text) == " abc | 3| 7|ab|x\\, y|a\\+b|1\\/2"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{{ 'abc'|truncate(1) }}", "expected length >= 3, got 1"),
        ("{{ [1]|map('nofilter')|list }}", "No filter named 'nofilter'"),
        ("{{ [1]|select('x')|list }}", "No test named 'x'"),
        ("{{ 'abc'|dictsort }}", "'str' object has no attribute 'items'"),
        ("{{ 1.5|round(method='x') }}", "method must be common, ceil or floor"),
    ],
)
def test_a_filter_misused_in_a_users_template_is_a_user_error(
    text: str, reason: str, tmp_path: Path
) -> None:
    with pytest.raises(TemplateError) as caught:
        _render(tmp_path / "mine", f"# Title\n\n{text}\n")
    assert caught.value.line == 3
    assert reason in caught.value.message()


CONTROLS = ["\x0b", "\x0c", "\x01", "\x1b", "\ufffe"]


def test_control_characters_in_template_text_reach_no_format(tmp_path: Path) -> None:
    # Pasted from Word: a manual line break is a vertical tab. Each used to crash the DOCX.
    folder = tmp_path / "mine"
    folder.mkdir()
    words = "".join(f"word{i}{c}" for i, c in enumerate(CONTROLS))
    (folder / "cd-job-description.md").write_text(f"# Title\n\n{words}end.\n", encoding="utf-8")
    arguments = ["build", "-f", "html,docx,pdf", "-d", "cd-job-description"]
    arguments += ["--templates", str(folder), "-o", str(tmp_path / "out"), str(example_profile())]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    for path in documents_in(tmp_path / "out"):
        text = {".docx": docx_text, ".pdf": _pdf_pages}.get(path.suffix, _read)(path)
        assert not any(c in text for c in CONTROLS), path.name
        assert "word0 word1 word2word3word4end." in squash(text), path.name


def _pdf_pages(path: Path) -> str:
    return pdf_text(path).replace("\f", "")  # pdftotext ends each page with a form feed


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- Templates cannot read outside their folders -------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("SECRET-VALUE\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("link", "template", "formats"),
    [
        ("partials/secret.md", "# Title\n{% include 'partials/secret.md' %}\n", "html"),
        ("cd-job-description.md", None, "html"),
        ("logo.png", "# Title\n", "html"),
        ("pdf.css", "# Title\n", "html"),
        ("reference.docx", "# Title\n", "docx"),
    ],
)
def test_a_link_out_of_the_template_folder_is_refused(
    link: str, template: str | None, formats: str, tmp_path: Path, secret: Path
) -> None:
    folder = tmp_path / "mine"
    (folder / "partials").mkdir(parents=True)
    if template is not None:
        (folder / "cd-job-description.md").write_text(template, encoding="utf-8")
    (folder / link).symlink_to(secret)
    arguments = ["build", "-f", formats, "-d", "cd-job-description", "--templates", str(folder)]
    result = CliRunner().invoke(
        cli, [*arguments, "-o", str(tmp_path / "out"), str(example_profile())]
    )
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: {folder / link}: is a link to a file outside the template folders; "
        "copy the file in\n"
    )
    assert documents_in(tmp_path / "out") == []


def test_a_link_inside_the_template_folder_is_followed(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "real.md").write_text("# Linked title\n", encoding="utf-8")
    (folder / "cd-job-description.md").symlink_to(folder / "real.md")
    arguments = ["build", "-f", "html", "-d", "cd-job-description", "--templates", str(folder)]
    result = CliRunner().invoke(
        cli, [*arguments, "-o", str(tmp_path / "out"), str(example_profile())]
    )
    assert result.exit_code == 0, result.output
    assert "Linked title" in documents_in(tmp_path / "out")[0].read_text(encoding="utf-8")


def test_templates_export_never_writes_through_a_linked_subfolder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "partials").symlink_to(elsewhere, target_is_directory=True)
    result = CliRunner().invoke(cli, ["templates", "export", "--force", str(folder)])
    assert result.exit_code == 1, result.output
    assert "is a link to a folder outside" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert list(folder.iterdir()) == [folder / "partials"]  # refused before writing anything


# --- No text silently dropped ---------------------------------------------------------------


def _build_template(tmp_path: Path, text: str) -> tuple[int, str, list[Path]]:
    folder = tmp_path / "mine"
    folder.mkdir(exist_ok=True)
    (folder / "cd-job-description.md").write_text(text, encoding="utf-8")
    arguments = ["build", "-f", "html,docx,pdf", "-d", "cd-job-description"]
    arguments += ["--templates", str(folder), "-o", str(tmp_path / "out"), str(example_profile())]
    result = CliRunner().invoke(cli, arguments)
    return result.exit_code, result.stderr, documents_in(tmp_path / "out")


def test_every_paragraph_of_a_deeply_nested_template_reaches_every_format(
    tmp_path: Path,
) -> None:
    nested = "".join(f"{'  ' * i}- Item{i}\n" for i in range(10))
    quotes = "> " * 10 + "Quoted\n"
    numbered = "".join(f"{'   ' * i}1. Clause{i}\n" for i in range(10))
    paragraphs = [f"Paragraph{i} ends here." for i in range(5)]
    text = "\n\n".join(
        ["# Title", nested, paragraphs[0], quotes, paragraphs[1], numbered, *paragraphs[2:]]
    )
    code, stderr, written = _build_template(tmp_path, text + "\n")
    assert code == 0, stderr
    expected = [*(f"Item{i}" for i in range(10)), "Quoted", *(f"Clause{i}" for i in range(10))]
    expected += paragraphs
    for path in written:
        shown = squash({".docx": docx_text, ".pdf": _pdf_pages}.get(path.suffix, _read)(path))
        missing = [words for words in expected if words not in shown]
        assert missing == [], path.name


def test_nesting_beyond_the_parsers_limit_is_refused_not_dropped(tmp_path: Path) -> None:
    nested = "".join(f"{'  ' * i}- Item{i}\n" for i in range(60))
    code, stderr, written = _build_template(tmp_path, f"# Title\n\n{nested}\nAfter.\n")
    assert code == 1
    mine = tmp_path / "mine" / "cd-job-description.md"
    assert stderr.startswith(f"error: {mine}: lists or quotes nested too deep")
    assert stderr.count("\n") == 1
    assert written == []


# --- Stylesheets ----------------------------------------------------------------------------

STYLESHEETS: dict[str, tuple[dict[str, str], str]] = {
    "imports itself twice": (
        {"pdf.css": '@import "pdf.css";\n@import "pdf.css";\n'},
        "pdf.css:1: imports itself (pdf.css -> pdf.css)",
    ),
    "a loop of two": (
        {"pdf.css": '@import url("a.css");\n', "a.css": "@import 'pdf.css';\n"},
        "a.css:1: imports itself (pdf.css -> a.css -> pdf.css)",
    ),
    "a runaway of imports": (
        {"pdf.css": '@import "a.css";\n' * 5, "a.css": '@import "b.css";\n' * 5, "b.css": ""},
        "a.css:2: imports more than 20 stylesheets",  # pdf.css's 4th import, a.css's 2nd
    ),
    "a page 2 px square": (
        {"pdf.css": '@import "builtin/pdf.css";\n@page { size: 2px 2px }\n'},
        "pdf.css:2: @page size '2px 2px' is not a real page: each side must be 50 to 2000 mm",
    ),
    "a margin wider than the page": (
        {"pdf.css": "@page :first { margin-left: 30cm; }\n"},
        "pdf.css:1: @page margin-left '30cm' is wider than 100 mm",
    ),
}


@pytest.mark.parametrize("name", STYLESHEETS)
def test_a_hostile_stylesheet_is_refused_with_one_line(name: str, tmp_path: Path) -> None:
    files, reason = STYLESHEETS[name]
    folder = tmp_path / "mine"
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    arguments = ["build", "-f", "pdf", "-d", "cd-job-description", "--templates", str(folder)]
    result = CliRunner().invoke(
        cli, [*arguments, "-o", str(tmp_path / "out"), str(example_profile())]
    )
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {folder}/{reason}\n"
    assert documents_in(tmp_path / "out") == []


def test_an_ordinary_stylesheet_with_imports_and_a5_pages_is_used(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "pdf.css").write_text(
        '@import "builtin/pdf.css";\n@import "extra.css";\n@page { size: A5; margin: 15mm }\n',
        encoding="utf-8",
    )
    (folder / "extra.css").write_text("h1 { color: #003087 }\n", encoding="utf-8")
    arguments = ["build", "-f", "pdf", "-d", "cd-job-description", "--templates", str(folder)]
    result = CliRunner().invoke(
        cli, [*arguments, "-o", str(tmp_path / "out"), str(example_profile())]
    )
    assert result.exit_code == 0, result.output
