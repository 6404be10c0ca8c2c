"""The web interface's pages and JSON API: a thin shell over the same core as the CLI.

The whole profile travels with each request as the form's fields (or as YAML for the
API): the server keeps no one's profile, only recent previews and uploaded national files
for a few minutes, in memory. Nothing the browser sends names a file on this machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import tempfile
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pcndocs import __version__
from pcndocs.compare.run import NoBuildError
from pcndocs.errors import PcndocsError, Problem, ProfileError, WorkerDiedError
from pcndocs.files import slug
from pcndocs.new.answers import contract_year_now
from pcndocs.output.build import DocumentOptions, house_lines
from pcndocs.profile.yamlfile import dotted, read_text
from pcndocs.render.documents import DOCUMENTS
from pcndocs.render.wording import WORKSPACE_FILE
from pcndocs.render.writers.registry import (
    WRITERS,
    UnknownFormatError,
    default_formats,
    parse_formats,
    writer_for,
)
from pcndocs.resources import example_profile
from pcndocs.rules.facts import Facts, load_facts
from pcndocs.rules.funding import sessions_text, wte_text
from pcndocs.web import national
from pcndocs.web.changes import Comparisons, since_last_build
from pcndocs.web.fields import Group, Input, Repeat, profile_form
from pcndocs.web.formdata import (
    LOCAL_WORKSTREAM,
    MAX_FORM_FIELDS,
    OTHER_PROVIDER,
    PROVIDER_CODE,
    FormLimitError,
    apply_operation,
    data_from_form,
    field_id,
    refuse_too_many_items,
    too_many_fields,
)
from pcndocs.web.guard import PAGE_TOKEN_FIELD, Guard, TooLargeError, is_loopback, page_token
from pcndocs.web.service import (
    BuildPool,
    BusyError,
    Checked,
    check_data,
    check_text,
    documents_of,
    figures,
    pack_zip,
    parse_text,
    profile_yaml,
    read_profile_text,
)
from pcndocs.web.view import FormView, Option, drawn, normalised, place

HERE = Path(__file__).resolve().parent
MIN_TOKEN = 16  # characters of a --token: shorter could be guessed by trying
PREVIEWS_KEPT = 32
# A document shown in a frame (a preview, a redline): its own style inline, no script at all.
DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)


@dataclass(frozen=True)
class Settings:
    """How the server was started: from the command line, never from the browser."""

    host: str = "127.0.0.1"
    token: str | None = None
    templates: Path | None = None  # the user's templates folder (--templates)
    workers: int | None = None  # build processes; default: one per core
    profile: Path | None = None  # the profile given on the command line, opened at /given
    out: Path = Path("output")  # where `pcndocs build` writes (--out): compare looks there
    today: date | None = None  # fixed in tests; otherwise the day of each request
    warm: bool = False  # start the build workers with the server, not at the first build
    workspace: Path | None = None  # the folder of profiles the server opens and saves into
    wording: Path | None = None  # the house wording file (--wording, or the workspace's own)


class Web:
    """The application's state: the facts, the pages, the build pool, recent previews."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.facts: Facts = load_facts()
        self.pool = BuildPool(settings.workers)
        self.previews: OrderedDict[str, str] = OrderedDict()
        self.uploads = national.Uploads()
        self.comparisons = Comparisons()
        self.comparing = threading.Lock()  # one comparison at a time (redlines: on the workers)
        self.workspace: Any = None  # web/workspace_routes.WorkspacePages, with a workspace
        self.pages = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates")),
            extensions=["jinja2.ext.do"],
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.pages.globals.update(
            static=lambda name: f"/static/{name}?v={__version__}",
            fid=field_id,
            dotted=dotted,
            yes_no=[Option("yes", "Yes"), Option("no", "No")],
            local=LOCAL_WORKSTREAM,
            other_provider=OTHER_PROVIDER,
            provider_code=PROVIDER_CODE,
            output_folder=str(settings.out),
            # Every page carries the token its posts must send back (see guard.py): in a
            # meta element for htmx and form.js, and as the first field of each form.
            page_token=page_token,
            token_field=lambda: markupsafe.Markup(
                f'<input type="hidden" name="{PAGE_TOKEN_FIELD}" value="{page_token()}">'
            ),
        )
        # Figures read as in the documents and `check`: 2.5 sessions, 0.2956 WTE, £45,500.
        self.pages.filters.update(sessions=sessions_text, wte=wte_text)
        self.pages.tests.update(
            input_node=lambda n: isinstance(n, Input),
            repeat_node=lambda n: isinstance(n, Repeat),
            mapping=lambda v: isinstance(v, Mapping),
        )

    @property
    def today(self) -> date:
        """Return the day checks compare dates with."""
        return self.settings.today or date.today()

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """Return a page rendered from templates/NAME."""
        return HTMLResponse(self.pages.get_template(name).render(**context), status_code=status)

    # --- the edit page -------------------------------------------------------------------

    def view_of(self, data: dict[str, Any], checked: Checked, focus: str | None) -> FormView:
        shown = normalised(data)
        messages = place(checked.errors, "error", shown, checked.only_missing)
        messages += place(checked.warnings, "warning", shown)
        return FormView(shown, self.facts, messages, focus)

    def form_context(
        self, data: dict[str, Any], chosen: str = "", focus: str | None = None
    ) -> dict[str, Any]:
        """Return what the edit page and its parts are drawn from."""
        checked = check_data(data, self.facts, self.today)
        view = self.view_of(data, checked, focus)
        choices = document_choices(data)
        return {
            "view": view,
            "root": profile_form(),
            "checked": checked,
            "only_missing": checked.only_missing,
            "left_out": checked.left_out,
            "numbers": figures(checked.loaded, self.facts) if checked.loaded else None,
            "choices": choices,
            "chosen": chosen if chosen in {c.value for c in choices} else choices[0].value,
            "heading": _network_name(data) or "A new network",
        }

    def edit_page(
        self,
        data: dict[str, Any],
        status: int = 200,
        chosen: str = "",
        focus: str | None = None,
        changes: dict[str, Any] | None = None,
        workspace: dict[str, Any] | None = None,
    ) -> HTMLResponse:
        """Return the edit page; `workspace` is its file's part, when it is in a workspace."""
        context = self.form_context(data, chosen, focus)
        return self.page("edit.html", status, **context, changes=changes, workspace=workspace)

    def changes_context(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return what "What changed since the last build" shows for the form's data.

        One of: the form's errors (nothing is compared until they are put right), no build
        to compare with, a message why the comparison failed, or what changed.
        """
        checked = check_data(data, self.facts, self.today)
        if checked.errors:
            return {
                "errors": place(checked.errors, "error", normalised(data), checked.only_missing)
            }
        assert checked.loaded is not None
        try:
            with self.comparing:
                found = since_last_build(
                    checked.loaded,
                    self.facts,
                    self.settings.out,
                    self.settings.templates,
                    self.today,
                    self.settings.wording,
                )
        except NoBuildError:
            return {"no_build": _network_name(data)}
        except PcndocsError as exc:  # the kept profile no longer loads, or a template is wrong
            return {"failed": str(exc)}
        self.comparisons.remember(found)
        return {"found": found}

    def redline(self, key: str, file: str) -> tuple[str, bytes] | None:
        """Return (format, bytes) of a redline of a recent comparison, or None.

        Rendered on the build workers, as every document is: their limits apply, and
        WeasyPrint's memory is theirs, not the server's. Raises BusyError when they are.
        """
        found = self.comparisons.redline(key, file)
        if found is None:
            return None
        fmt, task = found
        data: bytes = self.pool.render(task)
        return fmt, data

    def new_profile(self) -> dict[str, Any]:
        """Return the data of a new network: this contract year, one practice, one director."""
        year = contract_year_now(self.today)
        if year not in self.facts.funding.years:
            year = list(self.facts.funding.years)[-1]
        return {
            "network": {"population_date": self.facts.funding_year(year).population_date},
            "contract_year": year,
            "practices": [{}],
            "clinical_directors": [{}],
            "appointment": {},
            "leads": [],
        }

    def open_text(self, text: str, name: str) -> HTMLResponse:
        """Return the edit page for a profile's text, or the start page if it is not YAML."""
        try:
            document = parse_text(text, name)
        except ProfileError as exc:
            return self.page("start.html", 422, problems=[str(p) for p in exc.problems])
        return self.edit_page(document.data)

    def remember_preview(self, html: str) -> str:
        """Keep a preview for its frame to fetch, and return its address."""
        key = hashlib.sha256(html.encode()).hexdigest()[:32]
        self.previews[key] = html
        self.previews.move_to_end(key)
        while len(self.previews) > PREVIEWS_KEPT:
            self.previews.popitem(last=False)
        return f"/preview/{key}"


def _network_name(data: dict[str, Any]) -> str:
    network = data.get("network")
    name = network.get("name") if isinstance(network, dict) else None
    return name.strip() if isinstance(name, str) else ""


def document_choices(data: dict[str, Any]) -> list[Option]:
    """Return the documents of a profile's data as options; a lead's are kept by position.

    A lead's documents are named by their position (lead-checklist:0), not their file name,
    so the choice survives the lead's name being typed.
    """
    leads = data.get("leads")
    leads = leads if isinstance(leads, list) else []
    options = []
    for kind in DOCUMENTS:
        if not kind.per_lead:
            options.append(Option(kind.name, kind.title))
            continue
        for i, lead in enumerate(leads):
            name = lead.get("name") if isinstance(lead, dict) else None
            who = name.strip() if isinstance(name, str) and name.strip() else f"lead {i + 1}"
            options.append(Option(f"{kind.name}:{i}", f"{kind.title}: {who}"))
    return options


def build_name(names: list[tuple[str, str]], choice: str) -> tuple[str, str] | None:
    """Return (file name, title) of a chosen document among a build's, or None."""
    kind, _, index = choice.partition(":")
    if not index:
        return next((n for n in names if n[0] == kind), None)
    matching = [n for n in names if n[0].startswith(kind + "-")]
    position = int(index) if index.isdigit() else -1
    return matching[position] if 0 <= position < len(matching) else None


async def form_of(request: Request) -> dict[str, str]:
    """Return the text fields of a posted form, the first value of each name.

    A form larger than any profile is refused as it is read (FormLimitError): past
    MAX_FORM_FIELDS fields, or with more items in a list than a profile may hold.
    """
    try:
        async with request.form(max_fields=MAX_FORM_FIELDS, max_files=0) as form:
            fields = {k: v for k, v in form.multi_items()[::-1] if isinstance(v, str)}
    except HTTPException as exc:
        if exc.status_code == 400 and "fields" in str(exc.detail):
            raise too_many_fields() from None
        raise
    refuse_too_many_items(fields)
    return fields


def off_the_loop(
    handler: Callable[[Request, dict[str, str]], Response],
) -> Callable[[Request], Awaitable[Response]]:
    """Return an endpoint that reads the form, then does the work in a thread.

    Turning a form into a profile, checking it and drawing the page take a while for a
    large profile; in a thread, every other client is still answered meanwhile.
    """

    async def endpoint(request: Request) -> Response:
        form = await form_of(request)
        return await run_in_threadpool(handler, request, form)

    return endpoint


# --- routes ----------------------------------------------------------------------------------


def _house(settings: Settings) -> list[str]:
    """Return what a pack takes from the house wording, for still-to-agree.txt."""
    return house_lines(DocumentOptions(out=settings.out, wording=settings.wording))


def create_app(settings: Settings | None = None) -> Starlette:
    """Return the web application, guarded by host, token and body limits."""
    settings = settings or Settings()
    if settings.wording is None and settings.workspace is not None:
        # The workspace's own house wording, used once the wording page (or anyone) makes it.
        settings = replace(settings, wording=settings.workspace / WORKSPACE_FILE)
    web = Web(settings)

    async def start(_request: Request) -> Response:
        return web.page("start.html", problems=[])

    async def new(_request: Request) -> Response:
        return web.edit_page(web.new_profile())

    async def example(_request: Request) -> Response:
        return web.open_text(example_profile().read_text(encoding="utf-8"), "example.yaml")

    async def given(_request: Request) -> Response:
        if settings.profile is None:
            return RedirectResponse("/", status_code=303)
        try:
            text = await run_in_threadpool(_read_given, settings.profile)
        except PcndocsError as exc:
            return web.page("start.html", 422, problems=[str(exc)])
        return web.open_text(text, settings.profile.name)

    async def open_upload(request: Request) -> Response:
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("profile")
            if not isinstance(upload, UploadFile):
                return web.page("start.html", 400, problems=["choose a profile file to open"])
            name = Path(upload.filename or "profile.yaml").name  # the name only, for messages
            raw = await upload.read()
        try:
            text = read_profile_text(raw, name)
        except PcndocsError as exc:
            return web.page("start.html", 422, problems=[str(exc)])
        return web.open_text(text, name)

    def edit(request: Request, form: dict[str, str]) -> Response:
        data = data_from_form(form)
        data, focus_key = apply_operation(data, form.get("_op", ""))
        focus = _focus_id(focus_key, form.get("_op", ""), data)
        if request.headers.get("hx-request"):
            context = web.form_context(data, form.get("doc", ""), focus)
            html = web.pages.get_template("fields.html").render(**context)
            # After the swap: the check and the preview are of the form as redrawn.
            return HTMLResponse(html, headers={"HX-Trigger-After-Settle": "recheck"})
        return web.edit_page(data, chosen=form.get("doc", ""), focus=focus)

    def form_check(_request: Request, form: dict[str, str]) -> Response:
        data = data_from_form(form)
        context = web.form_context(data, form.get("doc", ""))
        shown = list(drawn(context["view"].data))
        context["slots"] = [dotted(path) for path, _node in shown]
        # The practice drop-downs follow the practices as they are typed, and the workstream
        # drop-downs the contract year: their options only are replaced, so a drop-down keeps
        # the focus and nothing being typed is lost.
        context["practice_fields"] = [
            (path, node)
            for path, node in shown
            if isinstance(node, Input) and node.kind in ("practice", "payee", "workstream")
        ]
        return web.page("check.html", **context)

    async def form_preview(request: Request) -> Response:
        form = await form_of(request)
        data = await run_in_threadpool(data_from_form, form)
        checked = await run_in_threadpool(check_data, data, web.facts, web.today)
        loaded = checked.loaded
        if loaded is None:
            count = sum(1 for p in checked.errors if p.kind != "missing")
            reason = (
                f"Not updated: put right the {count} error{'s' if count != 1 else ''} "
                "listed above first."
            )
            html = web.pages.get_template("preview.html").render(url=None, reason=reason, keep=True)
            return HTMLResponse(html, headers={"HX-Reswap": "none"})
        names = documents_of(loaded, web.facts)
        choice = form.get("doc", "") or DOCUMENTS[0].name
        chosen = build_name(names, choice) or names[0]
        try:
            # On the workers, as every render: their time, memory and page limits apply.
            built = await web.pool.build(
                loaded, ("html",), [chosen[0]], settings.templates, web.today, settings.wording
            )
        except (BusyError, WorkerDiedError) as exc:
            reason = f"Not updated: {exc}."
            html = web.pages.get_template("preview.html").render(url=None, reason=reason, keep=True)
            return HTMLResponse(html, status_code=503, headers={"HX-Reswap": "none"})
        except PcndocsError as exc:  # such as a mistake in a --templates template
            reason = f"Not updated: {exc}"
            html = web.pages.get_template("preview.html").render(url=None, reason=reason, keep=True)
            return HTMLResponse(html, headers={"HX-Reswap": "none"})
        html = next((data.decode("utf-8") for _n, _f, data in built.files), "")
        url = web.remember_preview(html)
        return web.page("preview.html", url=url, title=chosen[1], blank=bool(loaded.gaps))

    async def preview(request: Request) -> Response:
        html = web.previews.get(request.path_params["key"])
        if html is None:
            return HTMLResponse("<p>This preview has expired.</p>", status_code=404)
        return HTMLResponse(html, headers={"Content-Security-Policy": DOCUMENT_POLICY})

    async def form_changes(request: Request) -> Response:
        form = await form_of(request)
        data = await run_in_threadpool(data_from_form, form)
        changes = await run_in_threadpool(web.changes_context, data)
        if request.headers.get("hx-request"):
            return web.page("changes.html", changes=changes)
        status = 422 if "errors" in changes else 200
        return web.edit_page(data, status, chosen=form.get("doc", ""), changes=changes)

    async def redline(request: Request) -> Response:
        file = request.path_params["file"]
        try:
            found = await run_in_threadpool(web.redline, request.path_params["key"], file)
        except (BusyError, WorkerDiedError) as exc:  # the next request is served
            return PlainResponse(str(exc), 503)
        except PcndocsError as exc:  # such as a mistake in a --templates template
            return PlainResponse(f"error: {exc}", 422)
        if found is None:
            return HTMLResponse(
                "<p>These changes are no longer kept: ask again for what changed since "
                "the last build.</p>",
                status_code=404,
            )
        fmt, content = found
        if fmt == "html":
            return HTMLResponse(content, headers={"Content-Security-Policy": DOCUMENT_POLICY})
        return _attachment(content, file, writer_for(fmt).media_type)

    def download_profile(_request: Request, form: dict[str, str]) -> Response:
        data = data_from_form(form)
        name = slug(_network_name(data) or "network") + ".yaml"
        text = profile_yaml(data, web.facts, name, web.today)
        return _attachment(text.encode("utf-8"), name, "application/yaml")

    async def download(request: Request) -> Response:
        form = await form_of(request)
        data = await run_in_threadpool(data_from_form, form)
        checked = await run_in_threadpool(check_data, data, web.facts, web.today)
        if checked.loaded is None:
            return web.edit_page(data, status=422, chosen=form.get("doc", ""))
        loaded = checked.loaded
        names = documents_of(loaded, web.facts)
        try:
            if request.url.path.endswith("/pack"):
                built = await web.pool.build(
                    loaded,
                    default_formats(),
                    [n for n, _t in names],
                    settings.templates,
                    web.today,
                    settings.wording,
                )
                folder = slug(loaded.profile.network.name or "network")
                return _attachment(
                    pack_zip(loaded, built, house=_house(settings)),
                    f"{folder}.zip",
                    "application/zip",
                )
            fmt = form.get("format", "pdf")
            chosen = build_name(names, form.get("doc", "")) or names[0]
            if fmt not in WRITERS:
                return PlainResponse(str(UnknownFormatError(fmt)), 400)
            built = await web.pool.build(
                loaded, (fmt,), [chosen[0]], settings.templates, web.today, settings.wording
            )
        except (BusyError, WorkerDiedError) as exc:  # the next request is served
            return PlainResponse(str(exc), 503)
        except PcndocsError as exc:  # such as a mistake in a --templates template
            return PlainResponse(f"error: {exc}", 422)
        _name, _fmt, content = built.files[0]
        return _attachment(content, f"{chosen[0]}.{fmt}", writer_for(fmt).media_type)

    async def api_check(request: Request) -> Response:
        try:
            text = read_profile_text(await request.body())
        except ProfileError as exc:
            return _problems_json(exc.problems, [])
        except PcndocsError as exc:
            return _problems_json([Problem("", None, "", str(exc))], [])
        checked = await run_in_threadpool(check_text, text, web.facts, web.today)
        return _problems_json(checked.errors, checked.warnings)

    async def api_build(request: Request) -> Response:
        try:
            formats = parse_formats(request.query_params.getlist("format"))
        except UnknownFormatError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        blank = request.query_params.get("blank", "0") in ("1", "true", "yes")
        try:
            text = read_profile_text(await request.body())
        except ProfileError as exc:
            return _problems_json(exc.problems, [], 422)
        except PcndocsError as exc:
            return _problems_json([Problem("", None, "", str(exc))], [], 422)
        checked = await run_in_threadpool(check_text, text, web.facts, web.today)
        loaded = checked.loaded
        if loaded is None or (checked.errors and not blank):
            return _problems_json(checked.errors, [], 422)
        names = [n for n, _t in documents_of(loaded, web.facts)]
        try:
            built = await web.pool.build(
                loaded, formats, names, settings.templates, web.today, settings.wording
            )
        except (BusyError, WorkerDiedError) as exc:  # the next request is served
            return _problems_json([Problem("", None, "", str(exc))], [], 503)
        except PcndocsError as exc:  # such as a mistake in a --templates template
            return JSONResponse({"error": str(exc)}, status_code=422)
        folder = slug(loaded.profile.network.name or "network")
        return _attachment(
            pack_zip(loaded, built, blank, _house(settings)), f"{folder}.zip", "application/zip"
        )

    async def national_page(_request: Request) -> Response:
        return web.page("national.html", problems=[], upload="", files="", query="", matches=None)

    async def national_search(request: Request) -> Response:
        session = request.cookies.get(national.SESSION_COOKIE) or secrets.token_urlsafe(16)
        with tempfile.TemporaryDirectory(prefix="pcndocs-national-") as folder:
            async with request.form(max_files=2, max_fields=10) as form:
                query = str(form.get("query", "")).strip()
                upload_id = str(form.get("upload", ""))
                files = [
                    (role, upload)
                    for role in ("epcn", "lists")
                    if isinstance(upload := form.get(role), UploadFile) and upload.filename
                ]
                # To disk, not memory: the worker that reads them opens them there.
                contents = {
                    role: (
                        Path(upload.filename or role).name,
                        await run_in_threadpool(national.save_upload, upload.file, folder, role),
                    )
                    for role, upload in files
                }
            try:
                if upload_id:
                    found = web.uploads.get(upload_id)
                else:
                    if "epcn" not in contents:
                        raise PcndocsError("choose the ePCN workbook (.xlsx) to upload")
                    found = await run_in_threadpool(web.uploads.add, contents, web.today, session)
                    upload_id = found.key
            except PcndocsError as exc:
                return web.page(
                    "national.html",
                    422,
                    problems=[str(exc)],
                    upload="",
                    files="",
                    query=query,
                    matches=None,
                )
        page = web.page(
            "national.html",
            problems=found.problems[:5],
            upload=upload_id,
            files=found.names,
            query=query,
            matches=found.search(query) if query else [],
        )
        page.set_cookie(
            national.SESSION_COOKIE, session, path="/national", httponly=True, samesite="strict"
        )
        return page

    async def national_choose(request: Request) -> Response:
        fields = await form_of(request)
        try:
            found = web.uploads.get(fields.get("upload", ""))
            text = found.profile(fields.get("code", ""), web.today)
        except PcndocsError as exc:
            return web.page(
                "national.html",
                422,
                problems=[str(exc)],
                upload="",
                files="",
                query="",
                matches=None,
            )
        return web.open_text(text, "imported.yaml")

    async def too_large(_request: Request, _exc: Exception) -> Response:
        return PlainResponse("the request is too large", 413)

    async def form_too_large(_request: Request, exc: Exception) -> Response:
        return PlainResponse(f"error: {exc}", 413)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if settings.warm:  # start the workers while the user reads the first page
            threading.Thread(target=web.pool.warm, daemon=True).start()
        try:
            yield
        finally:
            web.pool.shutdown()

    routes = [
        Route("/", start),
        Route("/new", new),
        Route("/example", example),
        Route("/given", given),
        Route("/open", open_upload, methods=["POST"]),
        Route("/edit", off_the_loop(edit), methods=["POST"]),
        Route("/form/check", off_the_loop(form_check), methods=["POST"]),
        Route("/form/preview", form_preview, methods=["POST"]),
        Route("/preview/{key:str}", preview),
        Route("/form/changes", form_changes, methods=["POST"]),
        Route("/changes/{key:str}/{file:str}", redline),
        Route("/download/profile", off_the_loop(download_profile), methods=["POST"]),
        Route("/download/document", download, methods=["POST"]),
        Route("/download/pack", download, methods=["POST"]),
        Route("/api/check", api_check, methods=["POST"]),
        Route("/api/build", api_build, methods=["POST"]),
        Route("/national", national_page),
        Route("/national", national_search, methods=["POST"]),
        Route("/national/choose", national_choose, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    if settings.workspace is not None:
        from pcndocs.web.workspace_routes import routes as workspace_routes

        routes = [*workspace_routes(web, settings.workspace), *routes]
    from pcndocs.web.wording_routes import routes as wording_routes

    routes = [*wording_routes(web), *routes]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={TooLargeError: too_large, FormLimitError: form_too_large},
    )
    app.state.web = web
    guarded = Guard(app, settings.token, loopback_only=is_loopback(settings.host))
    return guarded  # type: ignore[return-value]


class PlainResponse(Response):
    """A one-line plain-text answer."""

    media_type = "text/plain; charset=utf-8"

    def __init__(self, text: str, status: int) -> None:
        super().__init__(text + "\n", status_code=status)


def _attachment(content: bytes, name: str, media: str) -> Response:
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _problems_json(errors: list[Problem], warnings: list[Problem], status: int = 200) -> Response:
    problems = [
        {
            "severity": severity,
            "kind": p.kind,
            "line": p.line,
            "key": p.key,
            "item": p.item,
            "message": p.text,
        }
        for severity, found in (("error", errors), ("warning", warnings))
        for p in found
    ]
    return JSONResponse({"problems": problems}, status_code=status)


def _read_given(path: Path) -> str:
    return read_text(path)


def _focus_id(key: str | None, operation: str, data: dict[str, Any]) -> str | None:
    """Return the id to focus after an operation: a new item's first field, or the button."""
    if key is None:
        return None
    verb = operation.partition(":")[0]
    if verb == "add":
        node = _repeat_at(key.rsplit("[", 1)[0])
        if node is not None and node.item.fields:
            return field_id(f"{key}.{node.item.fields[0].name}")
    if verb == "remove":
        return "op-add-" + field_id(key.rsplit("[", 1)[0] if "[" in key else key)
    if verb in ("up", "down"):
        return f"op-{verb}-{field_id(key)}"
    if verb == "forget":
        return key  # "unknown-keys": the list of keys the form does not know
    return None


def _repeat_at(key: str) -> Repeat | None:
    node: Group = profile_form()
    for part in key.split("."):
        found = next((n for n in node.fields if n.name == part), None)
        if isinstance(found, Repeat):
            return found
        if not isinstance(found, Group):
            return None
        node = found
    return None


def token_for(host: str, token: str | None) -> str | None:
    """Return the token a server on this address needs: given, generated, or none on loopback.

    A token given must be long enough not to be guessed: at least MIN_TOKEN characters.
    """
    if token is not None:
        if len(token) < MIN_TOKEN:
            raise PcndocsError(
                f"--token is {len(token)} characters; give at least {MIN_TOKEN}, or leave it "
                "out and pcndocs makes one"
            )
        return token
    return None if is_loopback(host) else secrets.token_urlsafe(24)
