"""Every limit pcndocs sets, passed once: its message names the file and the line where there
is one (in the browser, the field), and states the limit that really holds."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import lxml.html
import pytest
import yaml
from click.testing import CliRunner

from pcndocs.cli import cli
from pcndocs.errors import PcndocsError, TemplateError
from pcndocs.importer import epcn, lists
from pcndocs.output.workspace import Workspace, WorkspaceError
from pcndocs.profile import yamlfile
from pcndocs.profile.model import MAX_ITEMS
from pcndocs.render import brand, sandbox
from pcndocs.render.document import MAX_LISTS, MAX_QUOTES, parse_markdown
from pcndocs.render.templating import Templates
from pcndocs.resources import example_profile
from pcndocs.web import guard, national
from pcndocs.web.app import Settings, create_app

from .importer.sample_files import EPCN_2019_DETAILS, EPCN_2019_PARTNERS, LISTS_2021, write_xlsx
from .webclient import PageClient

TODAY = date(2026, 6, 1)
LOCAL = "http://127.0.0.1"


def _check(path: Path, words: str) -> str:
    """Return the line `pcndocs check` prints with these words for a profile it refuses."""
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1, result.output
    return next(line for line in result.stderr.splitlines() if words in line)


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# --- profiles --------------------------------------------------------------------------------

_NESTED = "a: " + "[" * yamlfile.MAX_DEPTH + "1" + "]" * yamlfile.MAX_DEPTH + "\n"
_ALIASED = (
    "x: &deep " + "[" * (yamlfile.MAX_DEPTH - 3) + "1" + "]" * (yamlfile.MAX_DEPTH - 3) + "\n"
    "y: 1\n"
    "z: [[[*deep]]]\n"
)
_LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


def _many_practices() -> str:
    data = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    data["network"]["nominated_payee"] = "A00000"
    data["practices"] = [
        {**data["practices"][0], "ods_code": f"A{n:05d}", "name": f"Practice {n}"}
        for n in range(MAX_ITEMS + 1)
    ]
    return str(yaml.safe_dump(data, sort_keys=False))


#: name: (the file's text, the line the message must name (None: the whole file), words)
PROFILES: dict[str, tuple[Callable[[], str], int | None, str]] = {
    "over 1 MB": (
        lambda: example_profile().read_text() + "#" + "x" * yamlfile.MAX_FILE_BYTES + "\n",
        None,
        "a profile is at most 1 MB",
    ),
    "too many values": (
        lambda: "a:\n" + "  - x\n" * (yamlfile.MAX_EVENTS + 10),
        yamlfile.MAX_EVENTS - 2,  # the item the parser was reading (its events run ahead)
        f"more than {yamlfile.MAX_EVENTS:,} values",
    ),
    "nested past the limit": (
        lambda: "\n" + _NESTED,
        2,
        f"nested more than {yamlfile.MAX_DEPTH} levels deep",
    ),
    "nested past the limit through aliases": (
        lambda: _ALIASED,
        3,
        f"z: values nested more than {yamlfile.MAX_DEPTH} levels deep once its YAML aliases",
    ),
    "a billion laughs": (
        lambda: _LAUGHS,
        5,
        f"expands to more than {yamlfile.MAX_VALUES:,} values",
    ),
    "more practices than a profile holds": (
        _many_practices,
        None,  # the line of the key, worked out below
        f"practices: expected at most {MAX_ITEMS}",
    ),
}


@pytest.mark.parametrize("name", PROFILES)
def test_a_profile_past_a_limit_is_named_with_its_line(name: str, tmp_path: Path) -> None:
    make, line, words = PROFILES[name]
    text = make()
    path = tmp_path / "network.yaml"
    path.write_text(text, encoding="utf-8")
    if name == "more practices than a profile holds":
        line = _line_of(text, "practices:")
    where = f"{path}:{line}: " if line else f"{path}: "
    message = _check(path, words)
    assert message.startswith(f"error: {where}"), message


def test_the_nesting_message_says_the_limit_that_really_holds(tmp_path: Path) -> None:
    """A file nested exactly MAX_DEPTH levels deep is read; one level more is refused, and
    the message names that number, whether the nesting is written out or made by aliases."""

    def nested(levels: int) -> str:  # the top-level mapping counts as one level
        return "a: " + "[" * (levels - 1) + "1" + "]" * (levels - 1) + "\n"

    def aliased(levels: int) -> str:
        inner = levels - 4  # x's list is inside z's three and the top level
        return f"x: &d {'[' * inner}1{']' * inner}\nz: [[[*d]]]\n"

    for make in (nested, aliased):
        yamlfile.parse_yaml(make(yamlfile.MAX_DEPTH), "at-the-limit.yaml")
        with pytest.raises(PcndocsError) as caught:
            yamlfile.parse_yaml(make(yamlfile.MAX_DEPTH + 1), "past-the-limit.yaml")
        assert f"more than {yamlfile.MAX_DEPTH} levels deep" in str(caught.value)
        assert "expands to more than" not in str(caught.value)


def test_a_workspace_profile_over_1_mb_is_named(tmp_path: Path) -> None:
    (tmp_path / "riverside.yaml").write_text("#" + "x" * (2 << 20) + "\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match=r"^riverside\.yaml: is over 1 MB"):
        Workspace(tmp_path).read("riverside.yaml")


def test_a_logo_over_its_limit_is_named(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    with logo.open("wb") as file:
        file.truncate(brand.MAX_LOGO_BYTES + 1)  # sparse: no disk used
    with pytest.raises(PcndocsError) as caught:
        brand.check_logo(logo)
    assert str(caught.value).startswith(f"{logo}: is larger than")


# --- the national files ----------------------------------------------------------------------


def _lists(tmp_path: Path, rows: Iterator[list[str]]) -> Path:
    path = tmp_path / "lists.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        file.write(LISTS_2021.splitlines()[0] + "\n")
        csv.writer(file).writerows(rows)
    return path


def _row(n: int, postcode: str = "TT1 1AA") -> list[str]:
    code = f"A{n:05d}"
    return [
        "GP_PRAC_PAT_LIST",
        "01JAN2021",
        "GP",
        "99A",
        "E38000101",
        code,
        postcode,
        "ALL",
        "ALL",
        "100",
    ]


def test_a_list_file_of_too_many_practices_is_named_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lists, "MAX_PRACTICES", 3)
    path = _lists(tmp_path, (_row(n) for n in range(5)))
    with pytest.raises(PcndocsError) as caught:
        lists.read_list_sizes(path)
    assert str(caught.value).startswith(f"{path}: line 5: more than 3 practices")


def test_a_list_file_with_a_field_over_the_csv_limit_is_named_with_its_line(
    tmp_path: Path,
) -> None:
    huge = "x" * (csv.field_size_limit() + 1)
    path = _lists(tmp_path, iter([_row(1), _row(2, postcode=huge)]))
    with pytest.raises(PcndocsError) as caught:
        lists.read_list_sizes(path)
    assert str(caught.value).startswith(f"{path}: line 3: not a readable CSV file")


def test_a_list_file_over_its_size_is_named(tmp_path: Path) -> None:
    path = tmp_path / "lists.csv"
    with path.open("wb") as file:
        file.truncate(lists.MAX_LIST_BYTES + 1)  # sparse
    with pytest.raises(PcndocsError) as caught:
        lists.read_list_sizes(path)
    assert str(caught.value).startswith(f"{path}: is larger than")


def test_a_workbook_of_too_many_rows_is_named_with_its_sheet_and_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(epcn, "MAX_SHEET_ROWS", 2)
    path = write_xlsx(
        tmp_path / "e.xlsx",
        {"PCN Details": EPCN_2019_DETAILS, "PCN Core Partner Details": EPCN_2019_PARTNERS},
    )
    with pytest.raises(PcndocsError) as caught:
        epcn.read_epcn(path, TODAY)
    assert str(caught.value).startswith(f"{path}: sheet 'PCN Details', row 3: more than 2 rows")


def test_an_upload_read_past_its_time_names_the_files(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "epcn.xlsx",
        {"PCN Details": EPCN_2019_DETAILS, "PCN Core Partner Details": EPCN_2019_PARTNERS},
    )
    with pytest.raises(PcndocsError) as caught:
        national.parse_in_worker(path, None, TODAY, seconds=0.001)
    assert str(caught.value).startswith(f"{path}: reading took longer than 0.001 seconds")


# --- templates and stylesheets ----------------------------------------------------------------

#: name: (a template whose line 3 passes a limit, the words of its message)
TEMPLATES: dict[str, tuple[str, str]] = {
    "text made too long": ("{{ 'x'|center(10**7) }}", "'|center' would make more than"),
    "a macro calling itself": (
        "{% macro m(n) %}{{ m(n+1) }}{% endmacro %}{{ m(0) }}",
        f"macros call themselves more than {sandbox.MAX_DEPTH} deep",
    ),
    "a document too long": (
        "{% for i in range(99999) %}{% for j in range(99999) %}xxxx{% endfor %}{% endfor %}",
        f"the document would be longer than {sandbox.MAX_DOCUMENT:,} characters",
    ),
}


@pytest.mark.parametrize("name", TEMPLATES)
def test_a_template_past_a_limit_is_named_with_its_line(name: str, tmp_path: Path) -> None:
    text, words = TEMPLATES[name]
    (tmp_path / "doc.md").write_text(f"# A title\n\n{text}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        Templates(tmp_path, tmp_path).render("doc.md", {})
    assert caught.value.message().startswith(f"{tmp_path / 'doc.md'}:3: {words}")


def test_a_template_past_its_time_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.2)
    loop = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    (tmp_path / "doc.md").write_text(f"# A title\n\n{loop}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        Templates(tmp_path, tmp_path).render("doc.md", {})
    assert caught.value.message().startswith(f"{tmp_path / 'doc.md'}:3: the template took longer")


def test_nesting_in_a_users_template_names_its_file_and_the_limit_that_holds(
    tmp_path: Path,
) -> None:
    def listed(depth: int) -> str:
        return "".join(f"{'  ' * i}- Item {i}\n" for i in range(depth))

    parse_markdown(listed(MAX_LISTS))
    parse_markdown(">" * MAX_QUOTES + " quoted\n")
    for too_deep in (listed(MAX_LISTS + 1), ">" * (MAX_QUOTES + 1) + " quoted\n"):
        with pytest.raises(TemplateError) as caught:
            parse_markdown(too_deep)
        assert f"at most {MAX_LISTS} lists, or {MAX_QUOTES} quotes" in caught.value.message()
    # Through a build: the user's template by its path.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "leadership-summary.md").write_text(
        f"# Summary\n\n{listed(MAX_LISTS + 1)}", encoding="utf-8"
    )
    arguments = ["build", "-f", "html", "-d", "leadership-summary", "--templates", str(mine)]
    result = CliRunner().invoke(
        cli, [*arguments, "-o", str(tmp_path / "out"), str(example_profile())]
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {mine / 'leadership-summary.md'}: lists or quotes")


#: name: (the stylesheets, the file and line the message must name)
STYLESHEETS: dict[str, tuple[dict[str, str], str]] = {
    "too many imports": (
        {"pdf.css": '@import "a.css";\n' * 5, "a.css": "/* a */\n" + '@import "b.css";\n' * 5},
        "a.css:3: imports more than 20 stylesheets",  # pdf.css's 4th import, a.css's 2nd
    ),
    "a page too small": ({"pdf.css": "\n@page { size: 2px 2px }\n"}, "pdf.css:2: @page size"),
    "a margin too wide": (
        {"pdf.css": "\n\n@page { margin-left: 30cm; }\n"},
        "pdf.css:3: @page margin-left",
    ),
}


@pytest.mark.parametrize("name", STYLESHEETS)
def test_a_stylesheet_past_a_limit_is_named_with_its_line(name: str, tmp_path: Path) -> None:
    files, where = STYLESHEETS[name]
    mine = tmp_path / "mine"
    mine.mkdir()
    for file, text in files.items():
        (mine / file).write_text(text, encoding="utf-8")
    (mine / "b.css").touch()
    arguments = ["build", "-f", "pdf", "-d", "leadership-summary", "--templates", str(mine)]
    result = CliRunner().invoke(
        cli, [*arguments, "-o", str(tmp_path / "out"), str(example_profile())]
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {mine}/{where}"), result.stderr


# --- the browser: the field --------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[PageClient]:
    with PageClient(create_app(Settings(today=TODAY, workers=1)), base_url=LOCAL) as client:
        yield client


def test_a_form_past_the_items_a_profile_holds_names_the_list_as_the_page_does(
    client: PageClient,
) -> None:
    fields = {f"leads[{n}].name": f"Lead {n}" for n in range(MAX_ITEMS + 1)}
    answer = client.post("/form/check", data=fields)
    assert answer.status_code == 413
    assert answer.text.startswith(f"error: “Leads”: the form has {MAX_ITEMS + 1};")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/national", "the ePCN workbook and the list sizes uploaded are larger than"),
        ("/open", "the profile sent is larger than"),
        ("/form/check", "the form sent is larger than"),
    ],
)
def test_a_request_past_its_size_says_what_was_sent(
    client: PageClient, path: str, words: str
) -> None:
    too_big = b"x" * (guard.body_limit(path) + 1)
    answer = client.post(path, content=too_big, headers={"Content-Type": "text/plain"})
    assert answer.status_code == 413
    assert words in answer.text


def test_the_workspace_takes_national_files_as_large_as_the_start_page_does(
    tmp_path: Path,
) -> None:
    """Its import page uploads the same two files: a list-size file of a few MB (NHS Digital's
    holds rows by sex and age beside each practice's total) is read, not refused as a form."""
    workbook = write_xlsx(
        tmp_path / "epcn.xlsx",
        {"PCN Details": EPCN_2019_DETAILS, "PCN Core Partner Details": EPCN_2019_PARTNERS},
    )
    by_age = "".join(
        f"GP_PRAC_PAT_LIST,01JAN2021,GP,99A,E38000101,A00001,TT1 1AA,MALE,{age},{age}\n"
        for age in range(40_000)
    )
    sizes = (LISTS_2021 + by_age).encode()
    assert len(sizes) > guard.FORM_BYTES
    space = tmp_path / "networks"
    space.mkdir()
    settings = Settings(today=TODAY, workers=1, workspace=space, out=tmp_path / "out")
    with PageClient(create_app(settings), base_url=LOCAL) as client:
        client.take_token("/networks/import")
        page = client.get("/networks/import").text
        (action,) = lxml.html.fromstring(page).xpath("//form[.//input[@name='epcn']]/@action")
        found = client.post(
            str(action),  # the one import page's upload, reached from the workspace
            files={"epcn": ("ePCN.xlsx", workbook.read_bytes()), "lists": ("lists.csv", sizes)},
            data={"query": "testtown"},
        )
    assert found.status_code == 200, found.text
    assert "U00001" in found.text


def test_a_message_about_many_practices_stays_one_short_line(tmp_path: Path) -> None:
    """A payee that is no member, in a network of as many practices as a profile holds: the
    message names a few members and counts the rest, rather than printing 200 codes."""
    data = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    data["practices"] = [
        {**data["practices"][0], "ods_code": f"A{n:05d}", "name": f"Practice {n}"}
        for n in range(MAX_ITEMS)
    ]
    data["network"]["nominated_payee"] = "Z99999"
    for lead in data.get("leads", []):
        lead["practice"] = "A00000"
    for director in data.get("clinical_directors", []):
        director["practice"] = "A00000"
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    message = _check(path, "nominated payee")
    assert (
        f"A00000, A00001, A00002, A00003, A00004, A00005, A00006, A00007, and {MAX_ITEMS - 8} more"
        in message
    )
    assert len(message) < len(str(path)) + 250
