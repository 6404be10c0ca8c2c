"""The routes of the workspace: the networks' page, each network's page, saves and versions.

Only when the server was started on a folder (`pcndocs serve FOLDER`). Every name in an
address is a file name the store checks (pcndocs/output/workspace.py): nothing the browser sends
can name a file outside the workspace. Every request that writes is a POST, which the guard
lets through only from this server's own page.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from pcndocs.compare.run import TreeCache, built_from
from pcndocs.errors import PcndocsError, ProfileError
from pcndocs.new.answers import date_answer
from pcndocs.output.build import BuildOptions
from pcndocs.output.workspace import ConflictError, Saved, Workspace, WorkspaceError, network_in
from pcndocs.profile.load import validate_draft
from pcndocs.profile.yamlfile import parse_yaml
from pcndocs.web.changes import compared
from pcndocs.web.formdata import data_from_form
from pcndocs.web.http import attachment, form_of, web_of
from pcndocs.web.importing import MAX_CHOSEN, WORKSPACE_ROUTES
from pcndocs.web.networks import Builds, States, is_draft, saved_text
from pcndocs.web.service import StoppingError, check_data, read_profile_text
from pcndocs.web.state import Web
from pcndocs.web.view import normalised, place


class WorkspacePages:
    """The workspace's state in the server: the store, the states, the jobs, the trees."""

    def __init__(self, web: Web, folder: Path) -> None:
        self.web = web
        self.space = Workspace(folder)
        self.states = States(self.space, web.facts, web.settings.out)
        self.builds = Builds()
        self.trees = TreeCache()

    def warm(self) -> None:
        """Check every network on a thread while the browser opens: the first page is quick."""
        threading.Thread(target=self.states.all, args=(self.web.today,), daemon=True).start()

    # --- what the pages show ------------------------------------------------------------------

    def list_page(self, status: int = 200, **context: Any) -> Response:
        states = self.states.all(self.web.today)
        return self.web.page(
            "networks.html",
            status,
            states=states,
            folder=str(self.space.root),
            problems=context.pop("problems", []),
            **context,
        )

    def network_page(self, name: str, status: int = 200, **extra: Any) -> Response:
        """Return a network's edit page, with its file's version for the saves to carry."""
        saved = self.space.read(name)
        try:
            document = parse_yaml(saved.text, name)
        except ProfileError as exc:
            return self.list_page(422, problems=[str(p) for p in exc.problems])
        return self.web.edit_page(
            document.data if isinstance(document.data, dict) else {},
            status,
            workspace=self.context_of(saved, **extra),
        )

    def context_of(self, saved: Saved, **extra: Any) -> dict[str, Any]:
        """Return what the workspace part of a network's page is drawn from."""
        return {
            "file": saved.name,
            "version": saved.version,
            "draft": is_draft(saved.text),
            "versions": list(reversed(self.space.versions(saved.name))),
            "today": self.web.today,
            "has_build": bool(self.states.last_build(network_in(saved.text) or "")),
            **extra,
        }

    # --- saving -------------------------------------------------------------------------------

    def save(self, name: str, form: dict[str, str]) -> Response:
        """Save the form's data to a network's file if it is still the version the page had."""
        data = data_from_form(form)
        checked = check_data(data, self.web.facts, self.web.today)
        before = self.space.current(name)
        text = saved_text(data, checked, before.text if before else "")
        try:
            saved = self.space.save(name, text, form.get("_base") or None)
        except ConflictError as exc:
            return JSONResponse(
                {
                    "conflict": str(exc),
                    "removed": exc.current is None,
                    "message": "This network's file was changed elsewhere (another tab, an "
                    "editor or git) since this page opened it, so your change was not saved.",
                },
                status_code=409,
            )
        wrong = sum(1 for p in checked.errors if p.kind != "missing")
        return JSONResponse({"version": saved.version, "draft": bool(wrong), "errors": wrong})

    def keep_both(self, name: str, form: dict[str, str]) -> Response:
        """Save the form's data beside a network's file, which stays as the other wrote it."""
        data = data_from_form(form)
        checked = check_data(data, self.web.facts, self.web.today)
        before = self.space.current(name)
        kept = self.space.keep_beside(
            name, saved_text(data, checked, before.text if before else "")
        )
        return JSONResponse({"file": kept.name, "url": f"/networks/{kept.name}"})

    def agree(self, name: str, form: dict[str, str]) -> Response:
        """Keep the file as agreed on a date, with a note; say what is wrong, if anything."""
        problems: list[str] = []
        try:
            agreed_on = date_answer(form.get("agreed_on", ""))
        except ValueError as exc:
            problems.append(f"Agreed on: {exc}")
            agreed_on = self.web.today
        if not problems:
            try:
                self.space.agree(name, agreed_on, form.get("note", ""), form.get("_base", ""))
            except ConflictError as exc:
                problems.append(str(exc))
        if problems:
            return self.network_page(name, 422, agree_problems=problems)
        return RedirectResponse(f"/networks/{name}#versions", status_code=303)

    # --- what changed -------------------------------------------------------------------------

    def changes(self, name: str, against: str, upload: tuple[str, bytes] | None) -> dict[str, Any]:
        """Return what "What changed" shows: the file now against an older version of it."""
        saved = self.space.read(name)
        checked = check_data(parse_yaml(saved.text, name).data, self.web.facts, self.web.today)
        if checked.errors and not checked.only_missing:
            return {"errors": place(checked.errors, "error", normalised(checked.data))}
        new = checked.loaded
        assert new is not None
        facts = self.web.facts
        cache = None
        if against == "upload":
            if upload is None:
                return {"failed": "choose the older profile's file (.yaml) to compare with"}
            text = read_profile_text(upload[1], upload[0])
            label = f"the profile {upload[0]}"
        elif against == "build":
            kept = built_from(self.web.settings.out, new, name)
            text = kept.read_text(encoding="utf-8")
            label = "the documents last built"
        else:
            versions = self.space.versions(name)
            wanted = against.removeprefix("version:")
            chosen = next((v for v in versions if v.id == wanted), None)
            if against == "agreed" and versions:
                chosen = versions[-1]
            if chosen is None:
                return {"no_version": True}
            text = self.space.version_text(name, chosen.id)
            label = chosen.label
            cache = self.trees
        old = validate_draft(parse_yaml(text, label), facts.known_ids())
        with self.web.comparing:  # one comparison at a time: they are heavy
            found = compared(
                old,
                new,
                facts,
                self.web.settings.out,
                self.web.settings.templates,
                self.web.today,
                (label, "the network's file now"),
                text.encode("utf-8"),
                cache,
                wording=self.web.settings.wording,
            )
            self.web.comparisons.remember(found)
        return {"found": found, "against": label}


def _space(request: Request) -> WorkspacePages:
    """Return the workspace's state: the routes below exist only with one."""
    pages = web_of(request).workspace
    assert pages is not None
    return pages


def _refused(request: Request, exc: PcndocsError, status: int = 404) -> Response:
    return _space(request).list_page(status, problems=[str(exc)])


async def start(request: Request) -> Response:
    return await run_in_threadpool(_space(request).list_page)


async def network(request: Request) -> Response:
    try:
        return await run_in_threadpool(_space(request).network_page, request.path_params["file"])
    except WorkspaceError as exc:
        return _refused(request, exc)


def _on_file(
    action: Callable[[WorkspacePages, str, dict[str, str]], Response],
    refusal: Callable[[Request, PcndocsError], Response],
) -> Callable[[Request], Awaitable[Response]]:
    """Return an endpoint that does ACTION to the network's file named in the address, with
    the posted form, in a thread; a user's error (a name refused, a file unreadable) is
    answered by REFUSAL."""

    async def endpoint(request: Request) -> Response:
        form = await form_of(request)
        try:
            return await run_in_threadpool(
                action, _space(request), request.path_params["file"], form
            )
        except PcndocsError as exc:
            return refusal(request, exc)

    endpoint.__name__ = action.__name__
    return endpoint


def _json_refusal(_request: Request, exc: PcndocsError) -> Response:
    """A refusal the page's script reads (a save as you type, keep both)."""
    return JSONResponse({"error": str(exc)}, status_code=422)


def _page_refusal(request: Request, exc: PcndocsError) -> Response:
    """A refusal of a form posted the ordinary way: the networks' page, saying why."""
    return _refused(request, exc, 404 if isinstance(exc, WorkspaceError) else 422)


save = _on_file(WorkspacePages.save, _json_refusal)
keep = _on_file(WorkspacePages.keep_both, _json_refusal)
agree = _on_file(WorkspacePages.agree, _page_refusal)


async def changes(request: Request) -> Response:
    name = request.path_params["file"]
    async with request.form(max_files=1, max_fields=20) as form:
        against = str(form.get("against", "agreed"))
        file = form.get("older")
        upload = None
        if isinstance(file, UploadFile) and file.filename:
            upload = (Path(file.filename).name, await file.read())
    try:
        shown = await run_in_threadpool(_space(request).changes, name, against, upload)
    except PcndocsError as exc:
        shown = {"failed": str(exc)}
    return web_of(request).page("changes.html", changes=shown)


async def version(request: Request) -> Response:
    name = request.path_params["file"]
    try:
        text = _space(request).space.version_text(name, request.path_params["id"])
    except WorkspaceError as exc:
        return _refused(request, exc)
    stem = Path(name).stem
    number = int(request.path_params["id"])
    return attachment(text.encode("utf-8"), f"{stem}-version-{number}.yaml", "application/yaml")


async def new(request: Request) -> Response:
    web = web_of(request)
    pages = _space(request)
    form = await form_of(request)
    name = " ".join(form.get("name", "").split())
    if not name:
        return pages.list_page(422, problems=["New network: give the network's name"])
    data = web.new_profile()
    data["network"]["name"] = name
    checked = check_data(data, web.facts, web.today)
    try:
        saved = pages.space.create(name, saved_text(data, checked, ""))
    except PcndocsError as exc:
        return _refused(request, exc, 422)
    return RedirectResponse(f"/networks/{saved.name}", status_code=303)


async def duplicate(request: Request) -> Response:
    web = web_of(request)
    pages = _space(request)
    form = await form_of(request)
    name = " ".join(form.get("name", "").split())
    try:
        source = pages.space.read(form.get("file", ""))
        if not name:
            raise WorkspaceError("Duplicate: give the copy a name of its own")
        data = parse_yaml(source.text, source.name).data
        if not isinstance(data, dict) or not isinstance(data.get("network"), dict):
            raise WorkspaceError(f"{source.name}: has no network to copy; open it first")
        data["network"]["name"] = name
        checked = check_data(data, web.facts, web.today)
        saved = pages.space.create(name, saved_text(data, checked, source.text))
    except PcndocsError as exc:
        return _refused(request, exc, 422)
    return RedirectResponse(f"/networks/{saved.name}", status_code=303)


_NONE_CHOSEN = "Choose at least one network to build: tick the box beside its name in the list"


_STOPPING = (
    "Not built: the server is stopping (it was asked to stop); start pcndocs serve again "
    "to build these networks"
)


async def build(request: Request) -> Response:
    web = web_of(request)
    pages = _space(request)
    async with request.form(max_fields=MAX_CHOSEN + 10, max_files=0) as form:
        names = [str(v) for v in form.getlist("file")][:MAX_CHOSEN]
        blank = form.get("blank") == "yes"
    if not names:
        return pages.list_page(422, problems=[_NONE_CHOSEN])
    settings = web.settings
    options = BuildOptions(
        out=settings.out,
        templates=settings.templates,
        wording=settings.wording,
        blank=blank,
        today=web.today,
    )
    try:
        web.pool.refuse_if_stopping()  # its workers would be new ones, started after the stop
    except StoppingError:
        return pages.list_page(503, problems=[_STOPPING])
    try:
        job = pages.builds.start(pages.space, names, options, web.pool.shared)
    except PcndocsError as exc:
        return _refused(request, exc, 422)
    return RedirectResponse(f"/networks/building/{job.key}", status_code=303)


async def building(request: Request) -> Response:
    pages = _space(request)
    job = pages.builds.get(request.path_params["key"])
    if job is None:
        return pages.list_page(404, problems=["That build is no longer followed."])
    if request.url.path.endswith("/progress"):  # the part the page asks for as it goes
        return web_of(request).page("progress.html", job=job, oob=True)
    return web_of(request).page("building.html", job=job)


# Before the ordinary pages' routes: "/" is the networks' page.
ROUTES: list[Any] = [
    Route("/", start),
    Route("/networks/new", new, methods=["POST"]),
    Route("/networks/duplicate", duplicate, methods=["POST"]),
    Route("/networks/build", build, methods=["POST"]),
    Route("/networks/building/{key:str}", building),
    Route("/networks/building/{key:str}/progress", building),
    *WORKSPACE_ROUTES,
    Route("/networks/{file:str}", network),
    Route("/networks/{file:str}/save", save, methods=["POST"]),
    Route("/networks/{file:str}/keep", keep, methods=["POST"]),
    Route("/networks/{file:str}/agree", agree, methods=["POST"]),
    Route("/networks/{file:str}/changes", changes, methods=["POST"]),
    Route("/networks/{file:str}/versions/{id:str}", version),
]
