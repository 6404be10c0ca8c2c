"""A user's templates and styles: every fault named by file and line, nothing fetched outside."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.render.templating import Templates
from pcndocs.render.writers.pdf import FolderFetcher
from pcndocs.resources import builtin_templates, example_profile
from tests.readback import documents_in

DOC = "cd-job-description.md"
PARTIAL = "partials/document-control.md"


def _build(folder: Path, out: Path, formats: str = "html", *more: str) -> tuple[int, str, str]:
    arguments = ["build", "-f", formats, "-d", "cd-job-description", "--templates", str(folder)]
    result = CliRunner().invoke(cli, [*arguments, *more, "-o", str(out), str(example_profile())])
    return result.exit_code, result.stdout, result.stderr


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("warning: ")]


# (the files of the user's folder, the message: {dir} stands for the folder)
TEMPLATE_CASES: dict[str, tuple[dict[str, str | bytes], str]] = {
    "syntax error": (
        {DOC: "# Title\n\n{% if network.name %}\nno end\n"},
        "{dir}/cd-job-description.md:4: Unexpected end of template. Jinja was looking for the "
        "following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be "
        "closed is 'if'.",
    ),
    "unclosed expression": (
        {DOC: "# Title\n\n{{ network.name\n"},
        "{dir}/cd-job-description.md:3: unexpected end of template, expected 'end of print "
        "statement'.",
    ),
    "unknown variable": (
        {DOC: "# Title\n\nSome text.\n\n{{ netwrok.name }}\n"},
        "{dir}/cd-job-description.md:5: unknown variable 'netwrok'",
    ),
    "unknown value": (
        {DOC: "# Title\n\n{{ network.nmae }}\n"},
        "{dir}/cd-job-description.md:3: unknown value 'nmae' of Network",
    ),
    "missing include": (
        {DOC: "# Title\n\n\n{% include 'partials/signatures.md' %}\n"},
        "{dir}/cd-job-description.md:4: no template called 'partials/signatures.md'",
    ),
    "include outside the folders": (
        {DOC: "# Title\n{% include '../../../../etc/passwd' %}\n"},
        "{dir}/cd-job-description.md:2: no template called '../../../../etc/passwd'",
    ),
    "include by absolute path": (
        {DOC: "# Title\n{% include '/etc/hostname' %}\n"},
        "{dir}/cd-job-description.md:2: no template called '/etc/hostname'",
    ),
    "syntax error in a partial": (
        {PARTIAL: "## Document control\n{% for x in %}\n"},
        "{dir}/partials/document-control.md:2: Expected an expression, got 'end of statement "
        "block'",
    ),
    "unknown variable in a partial": (
        {PARTIAL: "## Document control\n\n{{ control.versoin }}\n"},
        "{dir}/partials/document-control.md:3: unknown value 'versoin' of DocumentControl",
    ),
    "not UTF-8": (
        {DOC: "# Caf\xe9\n".encode("latin-1")},
        "{dir}/cd-job-description.md: is not UTF-8 text; save it as UTF-8",
    ),
    "a binary include": (
        {DOC: "# Title\n{% include 'photo.png' %}\n", "photo.png": b"\x89PNG\r\n\x1a\n\xff\xfe"},
        "{dir}/photo.png: is not UTF-8 text; save it as UTF-8",
    ),
    "division by zero": (
        {DOC: "# Title\n\n{{ practices|length / 0 }}\n"},
        "{dir}/cd-job-description.md:3: ZeroDivisionError: division by zero",
    ),
    "sandbox: dunder attribute": (
        {DOC: "# Title\n{{ network.__class__ }}\n"},
        "{dir}/cd-job-description.md:2: not allowed in a template: access to attribute "
        "'__class__' of 'Network' object is unsafe",
    ),
    "sandbox: changing shared data": (
        {DOC: "# Title\n{{ practices.append(1) }}\n"},
        "{dir}/cd-job-description.md:2: not allowed in a template: access to attribute "
        "'append' of 'list' object is unsafe",
    ),
    "sandbox: a huge string": (
        {DOC: "# Title\n{{ 'x' * 1000000000 }}\n"},
        "{dir}/cd-job-description.md:2: not allowed in a template: '*' makes more than "
        "100,000 of something",
    ),
    "sandbox: a huge number": (
        {DOC: "# Title\n{{ 9 ** 99999999 }}\n"},
        "{dir}/cd-job-description.md:2: not allowed in a template: '**' with a power above 64",
    ),
    "sandbox: a huge range": (
        {DOC: "# Title\n{% for i in range(10 ** 9) %}{% endfor %}\n"},
        "{dir}/cd-job-description.md:2: OverflowError: Range too big. The sandbox blocks "
        "ranges larger than MAX_RANGE (100000).",
    ),
    "stylesheet not UTF-8": (
        {"pdf.css": b"body { font-family: \xe9; }"},
        "{dir}/pdf.css: is not UTF-8 text; save it as UTF-8",
    ),
}


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", TEMPLATE_CASES)
def test_a_template_fault_gives_file_line_and_reason(name: str, tmp_path: Path) -> None:
    files, expected = TEMPLATE_CASES[name]
    folder = _write(tmp_path / "mine", files)
    code, stdout, stderr = _build(folder, tmp_path / "out")
    assert code == 1
    assert _errors(stderr) == ["error: " + expected.replace("{dir}", str(folder))]
    assert stdout == ""
    assert documents_in(tmp_path / "out") == []


def test_a_fault_in_a_built_in_template_is_a_bug_and_keeps_its_traceback(tmp_path: Path) -> None:
    builtin = _write(tmp_path / "builtin", {DOC: "# Title\n{{ 1 / 0 }}\n"})
    with pytest.raises(ZeroDivisionError):
        Templates(builtin).render(DOC, {})
    with pytest.raises(ZeroDivisionError):  # a user folder that does not hold the template
        Templates(builtin, _write(tmp_path / "mine", {"other.md": "x"})).render(DOC, {})


def test_a_reference_document_that_is_not_a_docx(tmp_path: Path) -> None:
    folder = _write(tmp_path / "mine", {"reference.docx": b"PK\x03\x04 not really a zip"})
    code, _, stderr = _build(folder, tmp_path / "out", "docx")
    assert code == 1
    assert _errors(stderr) == [
        f"error: {folder}/reference.docx: cannot be used as a reference document: "
        "it is not a Word .docx file"
    ]


@pytest.mark.e2e
def test_a_reference_document_without_a_needed_style_borrows_the_built_in_one(
    tmp_path: Path,
) -> None:
    import docx

    folder = tmp_path / "mine"
    folder.mkdir()
    docx.Document().save(str(folder / "reference.docx"))  # has no "PCN Table" style
    code, _, _ = _build(folder, tmp_path / "out", "docx")
    assert code == 0
    built = next(p for p in documents_in(tmp_path / "out") if p.suffix == ".docx")
    styles = {s.name for s in docx.Document(str(built)).styles}
    assert "PCN Table" in styles


def test_a_logo_that_is_not_an_image(tmp_path: Path) -> None:
    folder = _write(tmp_path / "mine", {"logo.png": "this is text"})
    code, _, stderr = _build(folder, tmp_path / "out", "docx")
    assert code == 1
    assert _errors(stderr) == [
        f"error: {folder}/logo.png: is not a PNG or JPEG image; save the logo as one"
    ]


# --- Nothing is fetched from outside the template folders ------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Return a file outside the template folders that a stylesheet tries to read."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(base64.b64decode(_PNG))
    return secret


_PNG = (  # a 1x1 pixel
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5Er"
    "kJggg=="
)


@pytest.mark.e2e
def test_a_stylesheet_cannot_fetch_the_network_or_files_outside(
    tmp_path: Path, outside: Path
) -> None:
    folder = tmp_path / "mine"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "inside.png").write_bytes(outside.read_bytes())
    (folder / "img" / "link.png").symlink_to(outside)
    css = '@import url("https://example.com/evil.css");\n' + (
        (builtin_templates() / "pdf.css").read_text(encoding="utf-8")
        + f'h1 {{ background: url("{outside.as_uri()}"); }}\n'
        'h2 { background: url("../secret.png"); }\n'
        'h3 { background: url("img/link.png"); }\n'
        'p { background: url("img/inside.png"); }\n'
        '@font-face { font-family: Evil; src: url("http://192.0.2.1/font.woff"); }\n'
        "h4 { font-family: Evil; }\n"
    )
    (folder / "pdf.css").write_text(css, encoding="utf-8")
    code, _, stderr = _build(folder, tmp_path / "out", "pdf")
    refused = sorted(line for line in stderr.splitlines() if "refused to fetch" in line)
    assert code == 0, stderr
    assert refused == sorted(
        f"warning: pdf.css: refused to fetch {url}: only files in the template folders and "
        "data: URIs are allowed"
        for url in (
            "https://example.com/evil.css",
            outside.as_uri(),  # named directly, reached with ../, and through a symlink
            (folder / "img" / "link.png").as_uri(),
            "http://192.0.2.1/font.woff",
        )
    )
    assert "inside.png" not in stderr
    assert len(documents_in(tmp_path / "out")) == 1


@pytest.mark.e2e
def test_strict_makes_a_refused_fetch_fail(tmp_path: Path) -> None:
    css = '@import url("https://example.com/evil.css");\n'
    folder = _write(tmp_path / "mine", {"pdf.css": css})
    code, _, stderr = _build(folder, tmp_path / "out", "pdf", "--strict")
    assert code == 1
    assert "refused to fetch https://example.com/evil.css" in stderr
    assert stderr.splitlines()[-1].startswith("error: --strict: ")


def test_markdown_images_and_links_in_a_template_fetch_nothing(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "mine",
        {DOC: "# Title\n\n![secret](file:///etc/passwd) [x](javascript:alert(1)) <img src=x>\n"},
    )
    code, _, stderr = _build(folder, tmp_path / "out", "html,pdf")
    assert code == 0, stderr
    page = next(p for p in documents_in(tmp_path / "out") if p.suffix == ".html")
    html = page.read_text(encoding="utf-8")
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert "refused" not in stderr


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/a.css",
        "https://example.com/a.css",
        "ftp://example.com/a.css",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://example.com/share/a.css",
        "{inside}/../../../../etc/passwd",
        "{inside}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "{inside}/link.css",
        "gopher://example.com/",
        "javascript:alert(1)",
        "/etc/passwd",
    ],
)
def test_the_fetcher_refuses(url: str, tmp_path: Path, outside: Path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "link.css").symlink_to(outside)
    fetcher = FolderFetcher([tmp_path / "tpl"])
    url = url.replace("{inside}", (tmp_path / "tpl").as_uri())
    with pytest.raises(ValueError, match="pcndocs fetches only files in the template folders"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_folders_and_data(tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "a.css").write_text("p {}", encoding="utf-8")
    fetcher = FolderFetcher([tmp_path / "tpl"])
    assert fetcher.fetch((tmp_path / "tpl" / "a.css").as_uri()).read() == b"p {}"
    assert fetcher.fetch("data:text/css,p%20%7B%7D").read() == b"p {}"
    assert fetcher.refused == []


def test_the_sandbox_allows_ordinary_arithmetic(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "mine",
        {DOC: "# Title\n\n{{ 50000 * 2.5 }} {{ 123456 * 1000 }} {{ 2 ** 10 }} {{ '-' * 20 }}\n"},
    )
    code, _, stderr = _build(folder, tmp_path / "out")
    assert code == 0, stderr
    (page,) = documents_in(tmp_path / "out")
    assert f"<p>125000.0 123456000 1024 {'-' * 20}</p>" in page.read_text(encoding="utf-8")
