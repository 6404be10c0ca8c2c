"""The one page that reads the national files: upload, search, then open or add networks.

Both ways in reach it: `/national` from the start page and, with a workspace,
`/networks/import` from the networks' page; its upload always posts to `/national`, the one
address the guard lets carry the national files' size. Without a workspace a network found opens in
the form; with one, the networks chosen are added to the folder as files. The upload is
kept for the browser's session, the guard's cookie (one session per browser), and read by
one function, `receive_upload`, whichever way the page was reached.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pcndocs import years
from pcndocs.errors import PcndocsError
from pcndocs.importer.names import format_name
from pcndocs.output.workspace import network_in
from pcndocs.web import national
from pcndocs.web.http import form_of, session_of, web_of
from pcndocs.web.state import Web

MAX_CHOSEN = 400  # networks imported at once
PAGE = "import.html"


@dataclass(frozen=True)
class Search:
    """What a search of the national files was given: the upload, the words, the year."""

    upload: national.Upload
    query: str
    year: str


class SearchError(PcndocsError):
    """The files of a search could not be read; what was typed is kept to show again."""

    def __init__(self, message: str, query: str, year: str) -> None:
        super().__init__(message)
        self.query = query
        self.year = year


async def receive_upload(request: Request) -> Search:
    """Return the upload a search names, or the files it sends, read and kept for the session.

    The files go to a private folder, under the server's names, for the worker that reads
    them; the folder is removed once they are read. SearchError says what is wrong.
    """
    web = web_of(request)
    session = session_of(request)
    with tempfile.TemporaryDirectory(prefix="pcndocs-national-") as scratch:
        async with request.form(max_files=2, max_fields=10) as form:
            query = str(form.get("query", "")).strip()
            upload_id = str(form.get("upload", ""))
            year = str(form.get("year", ""))
            sent = {
                role: upload
                for role in national.NAMES
                if isinstance(upload := form.get(role), UploadFile) and upload.filename
            }
            # To disk, not memory: the worker that reads them opens them there.
            contents = {
                role: (
                    Path(upload.filename or role).name,
                    await run_in_threadpool(national.save_upload, upload.file, scratch, role),
                )
                for role, upload in sent.items()
            }
        try:
            if upload_id:
                return Search(web.uploads.get(upload_id, session), query, year)
            if "epcn" not in contents:
                raise PcndocsError("choose the ePCN workbook (.xlsx) to upload")
            found = await run_in_threadpool(web.uploads.add, contents, web.today, session)
        except PcndocsError as exc:
            raise SearchError(str(exc), query, year) from None
        return Search(found, query, year)


def page_context(web: Web, **given: Any) -> dict[str, Any]:
    """Return what the page is drawn from: the year, the upload, what was found."""
    year = given.pop("year", "") or web.year_now()
    workspace = web.workspace is not None
    return {
        "workspace": workspace,
        "heading": "Add networks from the national files"
        if workspace
        else "Start from the national files",
        "problems": [],
        "upload": "",
        "files": "",
        "query": "",
        "matches": None,
        "list_date": None,
        "year": year,
        "years": list(web.facts.funding.years),
        "population_date": web.facts.funding_year(year).population_date,
        **given,
    }


async def import_page(request: Request) -> Response:
    web = web_of(request)
    return web.page(PAGE, **page_context(web))


async def import_search(request: Request) -> Response:
    web = web_of(request)
    try:
        search = await receive_upload(request)
    except SearchError as exc:
        year = exc.year if exc.year in web.facts.funding.years else ""
        given = page_context(web, problems=[str(exc)], query=exc.query, year=year)
        return web.page(PAGE, 422, **given)
    found = search.upload
    # With a workspace an LMC adviser may want all of one commissioner's networks.
    matches = found.search(search.query, commissioner=web.workspace is not None)
    return web.page(
        PAGE,
        **page_context(
            web,
            problems=found.problems[:5],
            upload=found.key,
            files=found.names,
            query=search.query,
            year=search.year,
            list_date=found.list_date,
            matches=matches if search.query else [],
        ),
    )


async def import_choose(request: Request) -> Response:
    """Open one network found in the edit form (without a workspace): nothing is saved."""
    web = web_of(request)
    fields = await form_of(request)
    try:
        found = web.uploads.get(fields.get("upload", ""), session_of(request))
        year = _known_year(web, fields.get("year", "") or web.year_now())
        # The year the page said its list sizes are for, as when adding to a workspace.
        text = found.profile(fields.get("code", ""), web.today, year)
    except PcndocsError as exc:
        return web.page(PAGE, 422, **page_context(web, problems=[str(exc)]))
    return web.open_text(text, "imported.yaml")


async def import_add(request: Request) -> Response:
    """Add the networks chosen to the workspace, each as a file of its own."""
    web = web_of(request)
    pages = web.workspace
    async with request.form(max_fields=MAX_CHOSEN + 10, max_files=0) as form:
        codes = [str(v) for v in form.getlist("code")][:MAX_CHOSEN]
        upload_id = str(form.get("upload", ""))
        year = str(form.get("year", "")) or web.year_now()
        query = str(form.get("query", "")).strip()
    try:
        found = web.uploads.get(upload_id, session_of(request))
        _known_year(web, year)
    except PcndocsError as exc:
        return web.page(PAGE, 422, **page_context(web, problems=[str(exc)]))
    if not codes or pages is None:
        # The same networks found again, to tick: not the files to upload again.
        problems = ["Choose at least one network to add: tick the box beside its name"]
        given = page_context(
            web,
            problems=problems,
            upload=found.key,
            files=found.names,
            query=query,
            year=year,
            list_date=found.list_date,
            matches=found.search(query, commissioner=True) if query else [],
        )
        return web.page(PAGE, 422, **given)
    added = [_add_network(web, found, code, year) for code in dict.fromkeys(codes)]
    return web.page("imported.html", added=added, year=year, list_date=found.list_date)


def _known_year(web: Web, year: str) -> str:
    """Return a contract year the form sent if pcndocs knows it; PcndocsError if not."""
    if years.problem(year) or year not in web.facts.funding.years:
        raise PcndocsError(f"Contract year: '{year}' is not a year pcndocs knows")
    return year


def _add_network(web: Web, found: national.Upload, code: str, year: str) -> dict[str, Any]:
    """Return one network's line of what was added: its file, or why it was not added."""
    assert web.workspace is not None
    row: dict[str, Any] = {"code": code, "file": "", "problem": "", "cautions": []}
    try:
        text = found.profile(code, web.today, year)
        row["network"] = network_in(text) or code
        row["cautions"] = [*year_cautions(web, found, code, year), *found.cautions(code)]
        row["file"] = web.workspace.space.create(row["network"], text).name
    except PcndocsError as exc:
        row["network"] = row.get("network", code)
        row["problem"] = str(exc)
    return row


def year_cautions(web: Web, found: national.Upload, code: str, year: str) -> list[str]:
    """Return what the national files leave out of date for the year being agreed."""
    cautions = []
    wanted = web.facts.funding_year(year).population_date
    if found.list_date is not None and found.list_date != wanted:
        cautions.append(
            f"the list sizes are of {found.list_date:%d/%m/%Y}; {year} counts those of "
            f"{wanted:%d/%m/%Y}: update each practice's list size"
        )
    elif found.list_date is None:
        cautions.append("no list-size file: each practice's list size is to be filled in")
    commissioner = format_name(found.network(code).commissioner_name)
    if "CCG" in commissioner.upper().split():
        cautions.append(
            f"the commissioner, {commissioner}, is a CCG in the national files; CCGs have "
            "since been replaced by Sub ICB Locations of the ICBs: write the current one"
        )
    return cautions


ROUTES: list[Any] = [
    Route("/national", import_page),
    Route("/national", import_search, methods=["POST"]),
    Route("/national/choose", import_choose, methods=["POST"]),
]
# With a workspace: the networks' page's way in, and adding the networks chosen.
WORKSPACE_ROUTES: list[Any] = [
    Route("/networks/import", import_page),
    Route("/networks/import/add", import_add, methods=["POST"]),
]
