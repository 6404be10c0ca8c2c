"""Generated profiles, valid and broken, with any Unicode: every build ends well.

"Well" is one of two things: exit code 0 and documents that open (python-docx, pypdf and an
HTML parser read them back) with the user's text intact; or exit code 1 and one line per
problem, each naming the profile. Anything else (a traceback, another exit code) is a bug.
The examples are derandomized and no database is kept, so a run is the same everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from pcndocs.cli import cli
from tests.readback import documents_in, docx_text, pdf_text

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

SETTINGS: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}

BASE: dict[str, Any] = {
    "network": {
        "name": "Riverside Primary Care Network",
        "code": "U99999",
        "population_date": "2025-01-01",
        "nominated_payee": "A99001",
    },
    "contract_year": "2025/26",
    "practices": [
        {"name": "Riverside Surgery", "ods_code": "A99001", "list_size": 12000},
        {"name": "Millbrook Medical Centre", "ods_code": "A99002", "list_size": 9000},
    ],
    "clinical_directors": [
        {
            "name": "Dr Jane Example",
            "profession": "GP",
            "practice": "A99001",
            "sessions_per_week": 1.5,
        }
    ],
    "appointment": {"method": "election", "term_years": 3},
    "leads": [
        {
            "name": "Dr Sam Example",
            "kind": "clinical",
            "workstream": "cvd_prevention",
            "practice": "A99002",
            "sessions_per_month": 2,
            "session_rate": 350,
        }
    ],
    "local_cd_responsibilities": ["Chair the network board."],
    "document_control": {"author": "Network Manager", "approved_by": "Network Board"},
}

# Scripts, marks and symbols the fonts here can draw, for text that must read back from a PDF.
DRAWABLE = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    "àéîõüçñßæøåÀÉÎÕÜÇÑ"
    "αβγδεζηθλμπσφωΑΒΓΔΩ"
    "абвгдежзийклмнопрстуфхцчшщыэюяЖЩЯ"
    "אבגדהוזחטיכלמנסעפצקרשת"
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    "\u0301\u0308"  # combining acute and diaeresis
    "€£§°±\u00d7\u00f7…\u2013\u2014\u2018\u2019“”•™©®"  # times, divide, dashes, quotes
)
CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9b\u2028\u2029\ufeff\ufffe"
EMOJI = "😀👍🏽🇬🇧👩\u200d⚕\ufe0f✅🎉"
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")

any_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40)
rich_text = st.text(st.sampled_from(DRAWABLE + CONTROLS + EMOJI), min_size=1, max_size=60)
drawable_text = st.text(st.sampled_from(DRAWABLE + CONTROLS), min_size=1, max_size=60).filter(
    lambda t: any(c.isalnum() for c in t)
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates().map(str),
    any_text,
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
)

# The places in a profile whose text the clinical director's job description shows.
TEXT_PLACES: list[tuple[str | int, ...]] = [
    ("network", "name"),
    ("practices", 0, "name"),
    ("clinical_directors", 0, "name"),
    ("clinical_directors", 0, "profession"),
    ("local_cd_responsibilities", 0),
    ("document_control", "author"),
    ("document_control", "approved_by"),
]


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = yaml.safe_load(yaml.safe_dump(data))
    return copied


def _set(data: Any, place: tuple[str | int, ...], value: Any) -> None:
    for part in place[:-1]:
        data = data[part]
    data[place[-1]] = value


def _places(data: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Return every key path in data."""
    found: list[tuple[str | int, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        found.append((*prefix, key))
        if isinstance(value, dict | list) and value:
            found.extend(_places(value, (*prefix, key)))
    return found


@st.composite
def texts_in_places(draw: st.DrawFn, text: st.SearchStrategy[str]) -> dict[str, Any]:
    """Return the base profile with generated text in some of the places shown."""
    data = _copy(BASE)
    for place in draw(st.lists(st.sampled_from(TEXT_PLACES), min_size=1, unique=True)):
        _set(data, place, draw(text))
    return data


@st.composite
def broken_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """Return the base profile with values replaced, keys removed or added, anywhere."""
    data = _copy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        places = _places(data)
        place = draw(st.sampled_from(places))
        container: Any = data
        for part in place[:-1]:
            container = container[part]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "remove" and isinstance(container, dict):
            del container[place[-1]]
        elif action == "add" and isinstance(container, dict):
            container[draw(any_text)] = draw(values)
        else:
            container[place[-1]] = draw(values)
    return data


@st.composite
def mangled_yaml(draw: st.DrawFn) -> str:
    """Return the base profile's YAML with characters inserted, removed or lines moved."""
    text = yaml.safe_dump(BASE, sort_keys=False, allow_unicode=True)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "duplicate", "indent"]))
        if edit == "insert":
            chunk = draw(
                st.one_of(
                    st.text(st.sampled_from(":-[]{}&*!|>'\"#%@`\t \n?,"), max_size=4),
                    st.sampled_from(["&a [*a, *a]", "*a", "!!python/object:os.system", "<<"]),
                    any_text,
                )
            )
            text = text[:at] + chunk + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        else:
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = lines[i] * 2 if edit == "duplicate" else " " + lines[i]
            text = "".join(lines)
    return text


# --- Running a build and judging how it ended ------------------------------------------------


def _write(folder: Path, content: dict[str, Any] | str) -> Path:
    path = folder / "profile.yaml"
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8", "surrogatepass"))
    else:
        text = yaml.safe_dump(content, sort_keys=False, allow_unicode=True)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


def _build(path: Path, out: Path, formats: str) -> Result:
    arguments = ["build", "-f", formats, "-d", "cd-job-description", "-o", str(out), str(path)]
    return CliRunner().invoke(cli, arguments)


def _ended_well(result: Result, path: Path, out: Path) -> bool:
    """Assert a build either wrote documents (return True) or gave one line per problem."""
    event(f"exit code {result.exit_code}")  # see pytest --hypothesis-show-statistics
    if result.exit_code == 0:
        assert result.exception is None
        return True
    assert result.exit_code == 1, result.exception
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines
    for line in lines:
        assert line.startswith(f"error: {path}:"), line
    assert documents_in(out) == []
    return False


_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufe0f\\s]")
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")


def same(text: str) -> str:
    """Return text as compared: composed, without white space, controls or invisible marks."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", _FORBIDDEN.sub("", text)))


def _shown_values(data: dict[str, Any]) -> list[str]:
    """Return the text values of a profile that the document must show."""
    shown = []
    for place in TEXT_PLACES:
        value: Any = data
        for part in place:
            value = value[part]
        shown.append(str(value))
    return shown


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_head |= tag == "head"
        if tag not in ("meta", "br", "hr", "input", "link", "img", "col"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.in_head &= tag != "head"
        assert self.open and self.open.pop() == tag, tag  # well nested: nothing injected

    def handle_data(self, data: str) -> None:
        if not self.in_head:
            self.text.append(data)


def read_back(path: Path) -> str:
    """Return the text of a document as its readers see it, failing if it will not open."""
    if path.suffix == ".html":
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        page.close()
        assert page.open == []
        return " ".join(page.text)
    if path.suffix == ".docx":
        docx.Document(str(path))
        return docx_text(path)
    assert len(PdfReader(str(path)).pages) > 0
    return pdf_text(path)


def _intact(value: str, shown: str, in_pdf: bool) -> bool:
    want, got = same(value), same(shown)
    if not want:
        return True
    if in_pdf and RTL.search(want):
        # Extraction may order mixed right-to-left and left-to-right runs visually.
        return not Counter(want) - Counter(got)
    return want in got


# --- The properties --------------------------------------------------------------------------


@settings(max_examples=30, **SETTINGS)
@given(data=texts_in_places(st.one_of(any_text, rich_text)))
def test_any_unicode_text_ends_in_documents_with_it_or_one_line_errors(
    data: dict[str, Any], tmp_path_factory: Any
) -> None:
    folder = tmp_path_factory.mktemp("text")
    path, out = _write(folder, data), folder / "out"
    result = _build(path, out, "html,docx")
    if _ended_well(result, path, out):
        documents = documents_in(out)
        assert [p.suffix for p in documents] == [".docx", ".html"]
        for document in documents:
            shown = read_back(document)
            for value in _shown_values(data):
                assert _intact(value, shown, in_pdf=False), (document.suffix, value)


@settings(max_examples=8, **SETTINGS)
@given(data=texts_in_places(drawable_text))
def test_text_reads_back_from_the_pdf(data: dict[str, Any], tmp_path_factory: Any) -> None:
    folder = tmp_path_factory.mktemp("pdf")
    path, out = _write(folder, data), folder / "out"
    result = _build(path, out, "pdf")
    if _ended_well(result, path, out):
        (document,) = documents_in(out)
        shown = read_back(document)
        # In the PDF, a table cell's wrapped lines may interleave with its neighbours', so
        # the values checked are those written as paragraphs and list items.
        for value in (data["network"]["name"], data["local_cd_responsibilities"][0]):
            assert _intact(str(value), shown, in_pdf=True), value


@settings(max_examples=40, **SETTINGS)
@given(data=broken_profiles())
def test_broken_profiles_end_in_documents_or_one_line_errors(
    data: dict[str, Any], tmp_path_factory: Any
) -> None:
    folder = tmp_path_factory.mktemp("broken")
    path, out = _write(folder, data), folder / "out"
    if _ended_well(_build(path, out, "html,docx"), path, out):
        for document in documents_in(out):
            read_back(document)


@settings(max_examples=40, **SETTINGS)
@given(text=mangled_yaml())
def test_mangled_yaml_ends_in_documents_or_one_line_errors(
    text: str, tmp_path_factory: Any
) -> None:
    folder = tmp_path_factory.mktemp("mangled")
    path, out = _write(folder, text), folder / "out"
    if _ended_well(_build(path, out, "html"), path, out):
        for document in documents_in(out):
            read_back(document)
