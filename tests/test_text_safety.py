"""A user's text shows as that text, in every format, and never changes a document's shape."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest

from pcndocs.errors import OutputError
from pcndocs.files import inside, slug
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions, BuildResult
from pcndocs.render.document import parse_markdown, plain_text
from pcndocs.render.templating import escape_markdown
from tests.readback import docx_text, pdf_text

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

MARKUP = (
    "<b>bold</b> <img src=x onerror=alert(1)> <script>alert(1)</script> *star* _under_ "
    "**strong** # hash | pipe | `tick` ``` {{ network.name }} {% if true %}x{% endif %} "
    "[[placeholder]] [link](http://example.com) ![image](file:///etc/passwd) \\back "
    "::: signature - [ ] box 1. one > quote &amp; &lt; &#65; (c) -- ... \"q\" 'q' ~~del~~ "
    "<!-- comment --> --- === +++ ___"
)
SCRIPTS = "مرحبا بالعالم שלום עולם Ελληνικά Кириллица 日本語 हिन्दी café naïve Zoë e\u0301 ß"
EMOJI = "😀 👍🏽 🇬🇧 👩‍⚕️ ✅"
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 6
CONTROLS = "Tab\there, bell\x07, escape\x1b[31m, vertical\x0btab, form\x0cfeed, del\x7f, end"
CONTROLS_SHOWN = "Tab here, bell, escape[31m, vertical tab, form feed, del, end"

# Characters that text extraction adds or drops around right-to-left runs and emoji.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufe0f\\s]")


def same(text: str) -> str:
    """Return text as compared here: composed, without white space or invisible marks."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.skip += tag in ("style", "title", "head")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "title", "head")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_read(path: Path) -> tuple[str, list[str]]:
    """Return the visible text of an HTML page and the tags it holds, in order."""
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(parser.parts), parser.tags


def nasty_profile(data: dict[str, Any], bland: bool = False) -> dict[str, Any]:
    """Return the example profile with hostile and unusual text in every field shown.

    bland: the same profile with plain words instead, the shape the other must keep.
    """

    def text(value: str, limit: int = 500) -> str:
        return "Plain words" if bland else value[:limit]

    profile = dict(data)
    name = "Riverside " + text(LONG_WORD, 180) + " " + text(MARKUP, 300)
    profile["network"] = {**data["network"], "name": name}
    practices = [dict(p) for p in data["practices"]]
    practices[3] = {**practices[3], "name": text(SCRIPTS)}  # A99004, the first director's
    profile["practices"] = practices
    directors = [dict(d) for d in data["clinical_directors"]]
    directors[0] = {**directors[0], "name": "Dr " + text(EMOJI), "profession": text(CONTROLS)}
    directors[1] = {**directors[1], "name": text(LONG_WORD)}
    profile["clinical_directors"] = directors
    profile["local_cd_responsibilities"] = [
        text(MARKUP),
        text(SCRIPTS + " " + EMOJI),
        text(LONG_WORD),
    ]
    profile["document_control"] = {**data["document_control"], "author": text(MARKUP)}
    return profile


def _build(data: dict[str, Any], folder: Path, formats: tuple[str, ...]) -> BuildResult:
    import yaml

    path = folder / "profile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    options = BuildOptions(out=folder / "out", formats=formats, documents=("cd-job-description",))
    return build_profile(path, options)


@pytest.fixture(scope="module")
def nasty_build(
    example_data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> BuildResult:
    folder = tmp_path_factory.mktemp("nasty")
    return _build(nasty_profile(example_data), folder, ("html", "docx", "pdf"))


@pytest.fixture(scope="module")
def bland_build(example_data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the HTML of the same profile with plain words: the shape to keep."""
    folder = tmp_path_factory.mktemp("bland")
    return _build(nasty_profile(example_data, bland=True), folder, ("html",)).written[0]


def _written(result: BuildResult, suffix: str) -> Path:
    return next(p for p in result.written if p.suffix == suffix)


def _texts(result: BuildResult) -> dict[str, str]:
    return {
        "html": html_read(_written(result, ".html"))[0],
        "docx": docx_text(_written(result, ".docx")),
        "pdf": pdf_text(_written(result, ".pdf")).replace("\f", "\n"),  # \f: a new page
    }


@pytest.mark.parametrize(
    "text",
    [MARKUP, SCRIPTS, EMOJI, CONTROLS_SHOWN],
    ids=["markup", "scripts", "emoji", "controls"],
)
@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_user_text_shows_as_written(nasty_build: BuildResult, fmt: str, text: str) -> None:
    assert same(text) in same(_texts(nasty_build)[fmt])


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_long_words_survive_whole(nasty_build: BuildResult, fmt: str) -> None:
    # Wrapped across lines in the PDF, but every letter is there, in order.
    assert same(LONG_WORD) in same(_texts(nasty_build)[fmt])


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_control_characters_are_removed(nasty_build: BuildResult, fmt: str) -> None:
    shown = _texts(nasty_build)[fmt]
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", shown)
    assert same(CONTROLS_SHOWN) in same(shown)


def test_markup_in_user_text_adds_no_html(nasty_build: BuildResult, bland_build: Path) -> None:
    page = _written(nasty_build, ".html").read_text(encoding="utf-8")
    _, tags = html_read(_written(nasty_build, ".html"))
    _, bland_tags = html_read(bland_build)
    assert tags == bland_tags  # the same elements, in the same order: nothing added
    for raw in ("<b>bold", "<img", "<script", "<!--", 'href="http://example.com"'):
        assert raw not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_markup_in_user_text_adds_no_docx_structure(nasty_build: BuildResult) -> None:
    document = docx.Document(str(_written(nasty_build, ".docx")))
    duties = [p for p in document.paragraphs if p.text.startswith("<b>bold</b>")]
    assert len(duties) == 1  # the local duty: one list item, one run, nothing made bold
    assert [(run.text, run.bold, run.italic) for run in duties[0].runs] == [
        (MARKUP.replace("  ", " "), None, None)
    ]
    styles = {p.style.name for p in document.paragraphs if p.style and "hash" in p.text}
    assert styles <= {"Normal", "List Bullet", "List Paragraph"}


def test_right_to_left_text_keeps_its_order_in_docx(nasty_build: BuildResult) -> None:
    text = docx_text(_written(nasty_build, ".docx"))
    assert "مرحبا بالعالم שלום עולם" in text


def _words_off_the_page(pdf: Path, top: float, bottom: float) -> list[str]:
    """Return the words of a PDF that reach past a page's edge, between two heights."""
    import subprocess

    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))  # type: ignore[union-attr]
    off = []
    for match in re.finditer(
        r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="[\d.-]+">([^<]*)', boxes
    ):
        x_min, y_min, x_max = (float(match.group(i)) for i in (1, 2, 3))
        if top <= y_min <= bottom and (x_min < 0 or x_max > width):
            off.append(match.group(4))
    return off


@pytest.mark.skipif(not __import__("shutil").which("pdftotext"), reason="needs pdftotext")
def test_long_names_and_words_wrap_in_the_pdf_body(nasty_build: BuildResult) -> None:
    # The body of each A4 page: below the running header, above the footer (in points).
    assert _words_off_the_page(_written(nasty_build, ".pdf"), 60, 780) == []


@pytest.mark.skipif(not __import__("shutil").which("pdftotext"), reason="needs pdftotext")
def test_a_long_network_name_wraps_in_the_running_header(nasty_build: BuildResult) -> None:
    assert _words_off_the_page(_written(nasty_build, ".pdf"), 0, 60) == []


@pytest.mark.parametrize(
    "text",
    [
        MARKUP,
        SCRIPTS,
        EMOJI,
        LONG_WORD,
        "    four spaces make code",
        "1. not a list",
        "- not a bullet",
        "# not a heading",
        "> not a quote",
        "a | b | c",
        "line\nbreak\r\nand\u2028separator",
        "trailing spaces  \nhard break",
        "[[not a placeholder]]",
        "::: signature",
        "[ ] not a box",
        "\\*escaped\\*",
        "<https://autolink.example>",
        "www.example.com",
        "&copy; &#169; &#x1F600;",
        "no-break\u00a0space",
    ],
)
def test_escaped_text_reads_back(text: str) -> None:
    expected = " ".join(re.sub("[\n\r\u2028]", " ", text).split())
    for markdown in (escape_markdown(text), f"| {escape_markdown(text)} |\n|---|\n"):
        tree = parse_markdown(markdown).tree
        assert " ".join(plain_text(tree).split()) == expected
        kinds = {node.type for node in tree.walk()}
        assert kinds <= {"root", "paragraph", "inline", "text", "table", "thead", "tr", "th"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Riverside Primary Care Network", "riverside-primary-care-network"),
        ("..", None),
        ("../../etc", "etc"),
        ("/etc/passwd", "etc-passwd"),
        ("C:\\Windows\\System32", "c-windows-system32"),
        ("~root", "root"),
        ("CON", "con-doc"),
        ("nul", "nul-doc"),
        ("COM1", "com1-doc"),
        ("LPT9", "lpt9-doc"),
        ("Café Zoë Łódź Straße", "cafe-zoe-lodz-strasse"),
        ("مرحبا", None),
        ("日本語", None),
        ("😀", None),
        ("a" * 300, "a" * 80),
        ("name\x00with\nbreaks", "name-with-breaks"),
    ],
)
def test_slugs_stay_inside_the_output_folder(name: str, expected: str | None) -> None:
    made = slug(name)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", made)
    if expected is None:
        assert re.fullmatch(r"network-[0-9a-f]{8}", made)
    else:
        assert made == expected
    assert inside(Path("out"), made).parent == Path("out").resolve()


def test_names_in_other_scripts_get_different_folders() -> None:
    assert len({slug(n) for n in ("مرحبا", "שלום", "日本語", "Ελληνικά ΠΦΔ")}) == 4


@pytest.mark.parametrize("name", ["..", "../x", "/etc", "a/../../b"])
def test_inside_refuses_a_name_that_leaves_the_folder(name: str, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is outside the output folder"):
        inside(tmp_path / "out", name)
