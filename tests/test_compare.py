"""`pcndocs compare`: redlines read back with lxml, accepted and rejected, against real builds."""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree
from pdfua import validate

from pcndocs.cli import cli
from pcndocs.compare.run import CompareOptions, compare_profiles
from pcndocs.output.batch import build_profile
from pcndocs.output.build import BuildOptions
from pcndocs.output.ownership import Kept
from tests.readback import SOFFICE, libreoffice_pdfs, pdf_text, squash

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
Change = Callable[[dict[str, Any]], None]


# ---- reading a redlined DOCX back ------------------------------------------------------


def body_of(path: Path) -> Any:
    """Return the w:body of a DOCX, parsed with lxml."""
    import zipfile

    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    return root.find(f"{W}body")


def marked_texts(body: Any, change: str) -> list[str]:
    """Return the text of each w:ins or w:del around runs, in document order."""
    texts = []
    for mark in body.iter(f"{W}{change}"):
        if mark.getparent().tag in (f"{W}rPr", f"{W}trPr"):
            continue  # a paragraph mark or a row, not words
        texts.append("".join(t.text or "" for t in mark.iter(f"{W}t", f"{W}delText")))
    return texts


def settle(body: Any, keep: str) -> list[str]:
    """Return the paragraphs' text once every change is accepted (keep="ins") or rejected.

    Changes of the other kind are dropped: their runs, their rows, and their paragraph
    marks (the paragraph's text joins the next one's, as in Word). Empty paragraphs are left
    out, so spacing paragraphs do not count.
    """
    drop = "del" if keep == "ins" else "ins"
    body = copy.deepcopy(body)
    for row in list(body.iter(f"{W}tr")):
        if row.find(f"{W}trPr/{W}{drop}") is not None:
            row.getparent().remove(row)
    for mark in list(body.iter(f"{W}{drop}")):
        if mark.getparent().tag not in (f"{W}rPr", f"{W}trPr"):
            mark.getparent().remove(mark)
    texts: list[str] = []
    carried = ""
    for paragraph in body.iter(f"{W}p"):
        text = carried + "".join(t.text or "" for t in paragraph.iter(f"{W}t", f"{W}delText"))
        if paragraph.find(f"{W}pPr/{W}rPr/{W}{drop}") is not None:
            carried = text
            continue
        carried = ""
        if text.strip():
            texts.append(text)
    return texts


def plain_texts(path: Path) -> list[str]:
    """Return the non-empty paragraphs of an ordinary DOCX."""
    return settle(body_of(path), "ins")


# ---- the changes ---------------------------------------------------------------------


def add_practice(data: dict[str, Any]) -> None:
    data["practices"].append(
        {"name": "Meadow Lane Surgery", "ods_code": "B83001", "list_size": 6120}
    )


def remove_practice(data: dict[str, Any]) -> None:
    data["practices"] = [p for p in data["practices"] if p["ods_code"] != "A99005"]
    for lead in data["leads"]:
        if lead.get("practice") == "A99005":
            lead["practice"] = "A99001"


def rename_practice(data: dict[str, Any]) -> None:
    data["practices"][2]["name"] = "Canal Street Medical Practice"


def longer_term(data: dict[str, Any]) -> None:
    data["appointment"]["term_years"] = 4


def weighted_voting(data: dict[str, Any]) -> None:
    data["appointment"]["voting"] = "list_size_weighted"


def election_only(data: dict[str, Any]) -> None:
    data["appointment"]["method"] = "election"


def replace_director(data: dict[str, Any]) -> None:
    data["clinical_directors"][1]["name"] = "Nadia Brooks"


def add_lead(data: dict[str, Any]) -> None:
    data["leads"].append(
        {
            "name": "Dr Femi Adebayo",
            "kind": "clinical",
            "workstream": "social_prescribing",
            "practice": "A99002",
            "sessions_per_month": 1,
            "session_rate": 350,
        }
    )


# id, change, document, words inserted, words deleted, summary line
CASES: list[tuple[str, Change, str, list[str], list[str], str]] = [
    (
        "practice added",
        add_practice,
        "schedule-1",
        ["Meadow Lane Surgery", "B83001", "7"],
        ["6"],
        "Practice added: Meadow Lane Surgery (B83001)",
    ),
    (
        "practice removed",
        remove_practice,
        "schedule-1",
        ["5"],
        ["The Orchard Surgery", "A99005", "6"],
        "Practice removed: The Orchard Surgery (A99005)",
    ),
    (
        "practice renamed",
        rename_practice,
        "schedule-1",
        ["Medical "],
        [],
        "Practice renamed: Canal Street Practice → Canal Street Medical Practice (A99003)",
    ),
    ("term", longer_term, "schedule-1", ["4"], ["3"], "Term of office: 3 years → 4 years"),
    (
        "voting rule",
        weighted_voting,
        "schedule-1",
        ["Votes are weighted by list size", "Share of the vote"],
        ["Each member practice has one vote"],
        "Voting: one practice one vote → weighted by list size",
    ),
    (
        "method",
        election_only,
        "schedule-1",
        ["ballot closes", "validly nominated"],
        ["The selection panel"],
        "Method: selection followed by election → election",
    ),
    (
        "director replaced",
        replace_director,
        "schedule-1",
        ["Nadia"],
        ["Helen"],
        "Clinical director replaced: Helen Okafor (Advanced Nurse Practitioner) → "
        "Nadia Brooks (Advanced Nurse Practitioner)",
    ),
    (
        "lead added",
        add_lead,
        "leadership-summary",
        ["Dr Femi Adebayo"],
        [],
        "Lead added: Dr Femi Adebayo, clinical lead for Social prescribing",
    ),
]


@pytest.fixture(scope="module")
def versions(
    tmp_path_factory: pytest.TempPathFactory, example: dict[str, Any]
) -> dict[str, tuple[Path, Path]]:
    """Return for each case the old and new profile files."""
    import yaml

    root = tmp_path_factory.mktemp("versions")
    old = root / "old.yaml"
    old.write_text(yaml.safe_dump(example, sort_keys=False), encoding="utf-8")
    made = {}
    for index, (name, change, *_rest) in enumerate(CASES):
        data = copy.deepcopy(example)
        change(data)
        new = root / f"new-{index}.yaml"
        new.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        made[name] = (old, new)
    return made


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    import yaml

    from pcndocs.resources import example_profile

    data: dict[str, Any] = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    return data


def built(profile: Path, out: Path, document: str) -> Path:
    """Return the DOCX of one document as an ordinary build writes it."""
    result = build_profile(profile, BuildOptions(out=out, formats=("docx",), documents=(document,)))
    return next(p for p in result.written if p.suffix == ".docx")


@pytest.mark.parametrize(
    ("name", "document", "inserted", "deleted", "line"),
    [(c[0], c[2], c[3], c[4], c[5]) for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_the_redline_marks_the_change_and_settles_to_either_version(
    name: str,
    document: str,
    inserted: list[str],
    deleted: list[str],
    line: str,
    versions: dict[str, tuple[Path, Path]],
    tmp_path: Path,
) -> None:
    old, new = versions[name]
    options = CompareOptions(out=tmp_path / "changes", formats=("docx",), documents=(document,))
    result = compare_profiles(old, new, options)
    assert line in result.summary
    assert result.changed == [document]
    redline = result.folder / f"{document}-changes.docx"
    body = body_of(redline)
    ins, dels = marked_texts(body, "ins"), marked_texts(body, "del")
    for words in inserted:
        assert any(words in text for text in ins), (words, ins)
    for words in deleted:
        assert any(words in text for text in dels), (words, dels)
    assert settle(body, "ins") == plain_texts(built(new, tmp_path / "new", document))
    assert settle(body, "del") == plain_texts(built(old, tmp_path / "old", document))


def test_a_renamed_practice_is_one_changed_row_not_a_row_deleted_and_added(
    versions: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    old, new = versions["practice renamed"]
    options = CompareOptions(out=tmp_path, formats=("docx",), documents=("schedule-1",))
    body = body_of(compare_profiles(old, new, options).folder / "schedule-1-changes.docx")
    assert body.find(f".//{W}trPr/{W}del") is None
    assert body.find(f".//{W}trPr/{W}ins") is None
    assert not any("A99003" in text for text in marked_texts(body, "del"))


def test_each_change_names_its_author_and_the_newer_versions_date(
    versions: dict[str, tuple[Path, Path]],
    example: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    old, new = versions["term"]
    options = CompareOptions(
        out=tmp_path, formats=("docx",), documents=("schedule-1",), author="Network Manager"
    )
    body = body_of(compare_profiles(old, new, options).folder / "schedule-1-changes.docx")
    marks = [*body.iter(f"{W}ins"), *body.iter(f"{W}del")]
    assert marks
    assert {m.get(f"{W}author") for m in marks} == {"Network Manager"}
    approved = example["document_control"]["approval_date"]  # the newer version's date
    assert {m.get(f"{W}date") for m in marks} == {f"{approved:%Y-%m-%d}T00:00:00Z"}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    again = compare_profiles(old, new, options).folder / "schedule-1-changes.docx"
    assert {m.get(f"{W}date") for m in body_of(again).iter(f"{W}ins")} == {"2026-11-18T11:06:40Z"}
    ids = [m.get(f"{W}id") for m in marks]
    assert len(ids) == len(set(ids))


def test_clause_numbers_stay_clean_in_the_pdf(
    versions: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    old, new = versions["voting rule"]
    options = CompareOptions(out=tmp_path, formats=("pdf", "html"), documents=("schedule-1",))
    result = compare_profiles(old, new, options)
    text = squash(pdf_text(result.folder / "schedule-1-changes.pdf"))
    assert "6. Voting – Each member practice has one vote" in text
    assert "6.1 Votes are weighted by list size" in text
    assert not re.search(r"\d+\.\d+\s*\[\d", text)
    html = (result.folder / "schedule-1-changes.html").read_text(encoding="utf-8")
    assert "<del>Each member practice has one vote" in html
    assert "<ins>Votes are weighted by list size" in html
    report = validate(str(result.folder / "schedule-1-changes.pdf"))
    assert [(f.rule_id, f.message) for f in report.findings] == []


def test_an_unchanged_document_is_listed_and_not_written(
    versions: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    old, new = versions["term"]
    options = CompareOptions(
        out=tmp_path, formats=("docx", "pdf"), documents=("schedule-1", "lead-checklist")
    )
    result = compare_profiles(old, new, options)
    assert result.changed == ["schedule-1"]
    assert len(result.unchanged) == 6
    assert all(name.startswith("lead-checklist-") for name in result.unchanged)
    assert not list(result.folder.glob("lead-checklist*"))
    summary = (result.folder / "changes.txt").read_text(encoding="utf-8")
    assert "- Term of office: 3 years → 4 years" in summary
    assert "Documents that did not change (6):\n- lead-checklist-" in summary


def test_compare_since_the_last_build(
    versions: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    old, new = versions["term"]
    runner = CliRunner()
    out = tmp_path / "out"
    built = runner.invoke(
        cli, ["build", str(old), "-o", str(out), "-f", "html", "-d", "schedule-1"]
    )
    assert built.exit_code == 0, built.output
    shutil.copy(new, old)  # the profile is edited in place after its build
    result = runner.invoke(
        cli, ["compare", "--since-last-build", str(old), "-o", str(out), "-f", "html"]
    )
    assert result.exit_code == 0, result.output
    assert "Term of office: 3 years → 4 years" in result.output
    assert (out / "riverside-primary-care-network" / "schedule-1-changes.html").is_file()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("same", "is given twice: compare two versions of a profile, the older first"),
        ("other", "describes another network than"),
        ("invalid", "practices[0].list_size: practice 1 (Riverside Surgery): expected a whole"),
        ("no build", "no earlier build of Riverside Primary Care Network in"),
    ],
)
def test_bad_input_gives_one_line(
    make: str,
    message: str,
    versions: dict[str, tuple[Path, Path]],
    example: dict[str, Any],
    tmp_path: Path,
) -> None:
    import yaml

    old, _new = versions["term"]
    data = copy.deepcopy(example)
    if make == "other":
        data["network"]["code"] = "U11111"
        data["network"]["name"] = "Hilltop PCN"
    if make == "invalid":
        data["practices"][0]["list_size"] = "twelve thousand"
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    args = {
        "same": [str(old), str(old)],
        "other": [str(old), str(other)],
        "invalid": [str(old), str(other)],
        "no build": ["--since-last-build", str(old)],
    }[make]
    result = CliRunner().invoke(cli, ["compare", *args, "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_redline_and_prints_it(
    versions: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    assert SOFFICE is not None
    old, new = versions["voting rule"]
    options = CompareOptions(out=tmp_path, formats=("docx",), documents=("schedule-1",))
    redline = compare_profiles(old, new, options).folder / "schedule-1-changes.docx"
    libreoffice_pdfs([redline], tmp_path / "lo", tmp_path / "lo-profile")
    text = squash(pdf_text(tmp_path / "lo" / "schedule-1-changes.pdf"))
    assert "Votes are weighted by list size" in text
    assert "Each member practice has one vote" in text  # shown struck through, not lost


# ---- redlines left by an earlier run ----------------------------------------------------


def own_copies(pair: tuple[Path, Path], folder: Path) -> tuple[Path, Path]:
    """Return copies of two versions, so no other test's edits reach them."""
    copies = (folder / "old.yaml", folder / "new.yaml")
    for source, copy_ in zip(pair, copies, strict=True):
        shutil.copy(source, copy_)
    return copies


def test_a_redline_left_by_an_earlier_run_is_removed_once_its_document_no_longer_changes(
    versions: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    old, new = own_copies(versions["method"], tmp_path)
    options = CompareOptions(out=tmp_path, formats=("docx", "html"), documents=("schedule-1",))
    first = compare_profiles(old, new, options)
    redlines = [first.folder / "schedule-1-changes.docx", first.folder / "schedule-1-changes.html"]
    assert all(path.is_file() for path in redlines)
    same = tmp_path / "same-again.yaml"  # the newer version saved again, nothing changed
    shutil.copy(new, same)
    args = ["compare", str(new), str(same), "-o", str(tmp_path), "-d", "schedule-1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert not any(path.exists() for path in redlines)
    for path in redlines:
        assert f"removed {path}: its document has not changed" in result.output
    summary = (first.folder / "changes.txt").read_text(encoding="utf-8")
    assert "No document changed." in summary
    assert "Documents that did not change (1):\n- schedule-1" in summary


def test_a_redline_a_user_edited_is_kept_when_its_document_no_longer_changes(
    versions: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    import docx

    old, new = own_copies(versions["method"], tmp_path)
    options = CompareOptions(out=tmp_path, formats=("docx",), documents=("schedule-1",))
    redline = compare_profiles(old, new, options).folder / "schedule-1-changes.docx"
    edited = docx.Document(str(redline))
    edited.add_paragraph("Agreed at the board on 3 December: the chair's note.")
    edited.save(str(redline))
    mine = redline.read_bytes()
    same = tmp_path / "same-again.yaml"
    shutil.copy(new, same)
    result = CliRunner().invoke(cli, ["compare", str(new), str(same), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert redline.read_bytes() == mine
    assert f"kept: {redline} is not as pcndocs wrote it, so it was not removed" in result.output
    assert "out of date" in result.output


def test_a_redline_a_user_edited_is_not_replaced_by_the_next_one(
    versions: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    old, new = own_copies(versions["method"], tmp_path)
    options = CompareOptions(out=tmp_path, formats=("html",), documents=("schedule-1",))
    redline = compare_profiles(old, new, options).folder / "schedule-1-changes.html"
    written = redline.read_text(encoding="utf-8")
    redline.write_text(written.replace("</body>", "<p>Chair's note</p></body>"), encoding="utf-8")
    mine = redline.read_bytes()
    result = compare_profiles(old, new, options)
    beside = result.folder / "schedule-1-changes.new.html"
    assert result.kept == [Kept(redline, beside)]
    assert redline.read_bytes() == mine
    assert beside.read_text(encoding="utf-8") == written
    # Run again: the new one beside is pcndocs' own, so it is simply written again.
    assert compare_profiles(old, new, options).kept == [Kept(redline, beside)]
    assert beside.read_text(encoding="utf-8") == written


def test_since_a_draft_built_with_blank_the_gaps_filled_in_are_the_changes(
    example: dict[str, Any], tmp_path: Path
) -> None:
    import yaml

    draft = copy.deepcopy(example)
    del draft["practices"][0]["list_size"]
    profile = tmp_path / "network.yaml"
    profile.write_text(yaml.safe_dump(draft, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["-o", str(out), "-f", "html", "-d", "schedule-1"]
    built = runner.invoke(cli, ["build", "--blank", str(profile), *args])
    assert built.exit_code == 0, built.output
    profile.write_text(yaml.safe_dump(example, sort_keys=False), encoding="utf-8")
    result = runner.invoke(cli, ["compare", "--since-last-build", str(profile), *args])
    assert result.exit_code == 0, result.output
    assert "- Registered patients at Riverside Surgery (A99001): not set → 12,452" in result.output
    redline = (out / "riverside-primary-care-network" / "schedule-1-changes.html").read_text(
        encoding="utf-8"
    )
    gap = '<mark class="placeholder">[to be agreed: the list size of Riverside Surgery]</mark>'
    assert f"<del>{gap}</del><ins>12,452</ins>" in redline


def test_a_payee_that_becomes_another_provider_is_named_in_the_summary(
    example_data: dict[str, Any], tmp_path: Path
) -> None:
    """changes.txt names the provider, not its bare code, when the payee stops being a member."""
    import yaml

    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(yaml.safe_dump(example_data, sort_keys=False), encoding="utf-8")
    changed = copy.deepcopy(example_data)
    changed["network"].update(nominated_payee="AD5", payee_name="Riverside GP Federation")
    new.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    result = compare_profiles(
        old, new, CompareOptions(tmp_path / "out", ("html",), ("schedule-1",))
    )
    assert (
        "Nominated payee: Riverside Surgery (A99001) → Riverside GP Federation (AD5), "
        "not a member practice"
    ) in result.summary


def test_redlines_on_two_workers_are_the_bytes_of_one(
    versions: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    old, new = versions["director replaced"]
    runner = CliRunner()
    written: dict[int, dict[str, bytes]] = {}
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}"
        run = runner.invoke(
            cli,
            [
                "-q",
                "compare",
                str(old),
                str(new),
                "-o",
                str(out),
                "-f",
                "docx,pdf",
                "-j",
                str(jobs),
            ],
        )
        assert run.exit_code == 0, run.output
        folder = out / "riverside-primary-care-network"
        written[jobs] = {p.name: p.read_bytes() for p in sorted(folder.glob("*-changes.*"))}
    one, two = written[1], written[2]
    assert len(one) >= 4, "several redlines, so that two workers share them"
    assert one == two
    folder = tmp_path / "j2" / "riverside-primary-care-network"
    assert "Nadia Brooks" in marked_texts(body_of(folder / "schedule-1-changes.docx"), "ins")
    assert "Nadia Brooks" in squash(pdf_text(folder / "schedule-1-changes.pdf"))


def test_compare_warns_of_a_refused_fetch_as_build_does(
    versions: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    """A redline's render returns what a build's does (build.Rendered): its warnings too."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "pdf.css").write_text('@import url("https://example.com/evil.css");\n', "utf-8")
    old, new = next(iter(versions.values()))
    said = []
    for command in (
        ["compare", "-f", "pdf", "-j", "2", "-o", str(tmp_path / "c"), str(old), str(new)],
        ["build", "-f", "pdf", "-o", str(tmp_path / "b"), str(new)],
    ):
        result = CliRunner().invoke(cli, [*command[:1], "--templates", str(mine), *command[1:]])
        assert result.exit_code == 0, result.output
        said.append({line for line in result.stderr.splitlines() if "refused to fetch" in line})
    assert (
        said[0]
        == said[1]
        == {
            "warning: pdf.css: refused to fetch https://example.com/evil.css: only files in the "
            "template folders and data: URIs are allowed"
        }
    )
