"""The pages of one profile: start, open, the edit form, its live check and preview, what
changed since the last build, and the downloads.

Each endpoint reads the server's state from `request.app.state` (web/http.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from pcndocs.errors import BusyError, PcndocsError, WorkerDiedError
from pcndocs.files import slug
from pcndocs.profile.load import LoadedProfile
from pcndocs.profile.yamlfile import dotted, read_text
from pcndocs.render.documents import DOCUMENTS
from pcndocs.render.writers.registry import (
    WRITERS,
    UnknownFormatError,
    default_formats,
    writer_for,
)
from pcndocs.resources import example_profile
from pcndocs.web.comments import COMMENTS, comments_in
from pcndocs.web.fields import Group, Input, Repeat, profile_form
from pcndocs.web.formdata import apply_operation, data_from_form, field_id
from pcndocs.web.http import (
    DOCUMENT_POLICY,
    attachment,
    form_of,
    off_the_loop,
    plain,
    web_of,
)
from pcndocs.web.notes import notes_headers
from pcndocs.web.service import (
    check_data,
    documents_of,
    pack_zip,
    profile_yaml,
    read_profile_text,
)
from pcndocs.web.state import Web, network_name_in
from pcndocs.web.view import drawn


async def start(request: Request) -> Response:
    return web_of(request).page("start.html", problems=[])


async def new(request: Request) -> Response:
    web = web_of(request)
    return web.edit_page(web.new_profile())


async def example(request: Request) -> Response:
    text = example_profile().read_text(encoding="utf-8")
    return web_of(request).open_text(text, "example.yaml")


async def given(request: Request) -> Response:
    """The profile named on the command line (`serve --profile`), read each time it opens."""
    web = web_of(request)
    path = web.settings.profile
    if path is None:
        return RedirectResponse("/", status_code=303)
    try:
        text = await run_in_threadpool(read_text, path)
    except PcndocsError as exc:
        return web.page("start.html", 422, problems=[str(exc)])
    return web.open_text(text, path.name)


async def open_upload(request: Request) -> Response:
    web = web_of(request)
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
    """An operation on the form (add, remove, move an item): the form drawn again."""
    web = web_of(request)
    data = data_from_form(form)
    data, focus_key = apply_operation(data, form.get("_op", ""))
    focus = focus_id(focus_key, form.get("_op", ""))
    if request.headers.get("hx-request"):
        html = web.part("fields.html", **web.form_context(data, form.get("doc", ""), focus))
        # After the swap: the check and the preview are of the form as redrawn.
        return HTMLResponse(html, headers={"HX-Trigger-After-Settle": "recheck"})
    return web.edit_page(data, chosen=form.get("doc", ""), focus=focus, comments=form.get(COMMENTS))


def form_check(request: Request, form: dict[str, str]) -> Response:
    """The live check: the messages, figures and drop-downs that follow what is typed."""
    web = web_of(request)
    context = web.form_context(data_from_form(form), form.get("doc", ""))
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


def _not_updated(web: Web, reason: str, status: int = 200) -> Response:
    """Return a preview's answer that leaves the preview shown as it was, saying why."""
    html = web.part("preview.html", url=None, reason=reason, keep=True)
    return HTMLResponse(html, status_code=status, headers={"HX-Reswap": "none"})


async def form_preview(request: Request) -> Response:
    web = web_of(request)
    form = await form_of(request)
    data = await run_in_threadpool(data_from_form, form)
    checked = await run_in_threadpool(check_data, data, web.facts, web.today)
    loaded = checked.loaded
    if loaded is None:
        count = sum(1 for p in checked.errors if p.kind != "missing")
        plural = "s" if count != 1 else ""
        return _not_updated(
            web, f"Not updated: put right the {count} error{plural} listed above first."
        )
    names = documents_of(loaded, web.facts)
    chosen = build_name(names, form.get("doc", "") or DOCUMENTS[0].name) or names[0]
    try:
        # On the workers, as every render: their time, memory and page limits apply.
        built = await web.pool.build(
            loaded, ("html",), [chosen[0]], web.settings.templates, web.today, web.settings.wording
        )
    except (BusyError, WorkerDiedError) as exc:
        return _not_updated(web, f"Not updated: {exc}.", 503)
    except PcndocsError as exc:  # such as a mistake in a --templates template
        return _not_updated(web, f"Not updated: {exc}")
    html = next((data.decode("utf-8") for data in built.files.values()), "")
    url = web.remember_preview(html)
    return web.page("preview.html", url=url, title=chosen[1], blank=bool(loaded.gaps))


async def preview(request: Request) -> Response:
    html = web_of(request).preview_of(request.path_params["key"])
    if html is None:
        return HTMLResponse("<p>This preview has expired.</p>", status_code=404)
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCUMENT_POLICY})


async def form_changes(request: Request) -> Response:
    web = web_of(request)
    form = await form_of(request)
    data = await run_in_threadpool(data_from_form, form)
    changes = await run_in_threadpool(web.changes_context, data)
    if request.headers.get("hx-request"):
        return web.page("changes.html", changes=changes)
    status = 422 if "errors" in changes else 200
    return web.edit_page(
        data, status, chosen=form.get("doc", ""), changes=changes, comments=form.get(COMMENTS)
    )


async def redline(request: Request) -> Response:
    file = request.path_params["file"]
    try:
        found = await run_in_threadpool(web_of(request).redline, request.path_params["key"], file)
    except (BusyError, WorkerDiedError) as exc:  # the next request is served
        return plain(str(exc), 503)
    except PcndocsError as exc:  # such as a mistake in a --templates template
        return plain(f"error: {exc}", 422)
    if found is None:
        return HTMLResponse(
            "<p>These changes are no longer kept: ask again for what changed since "
            "the last build.</p>",
            status_code=404,
        )
    fmt, content, warnings = found
    if fmt == "html":
        return HTMLResponse(content, headers={"Content-Security-Policy": DOCUMENT_POLICY})
    notes = notes_headers(web_of(request), file, warnings)
    return attachment(content, file, writer_for(fmt).media_type, notes)


def download_profile(request: Request, form: dict[str, str]) -> Response:
    web = web_of(request)
    data = data_from_form(form)
    name = slug(network_name_in(data) or "network") + ".yaml"
    header, notes = comments_in(form)  # the author's, of the file opened
    text = profile_yaml(data, web.facts, name, web.today, header, notes)
    return attachment(text.encode("utf-8"), name, "application/yaml")


async def download(request: Request) -> Response:
    """A document in one format, or the whole pack (/download/pack) as a ZIP."""
    web = web_of(request)
    form = await form_of(request)
    data = await run_in_threadpool(data_from_form, form)
    checked = await run_in_threadpool(check_data, data, web.facts, web.today)
    if checked.loaded is None:
        return web.edit_page(
            data, status=422, chosen=form.get("doc", ""), comments=form.get(COMMENTS)
        )
    try:
        if request.url.path.endswith("/pack"):
            return await _pack(web, checked.loaded)
        return await _document(web, checked.loaded, form, data)
    except (BusyError, WorkerDiedError) as exc:  # the next request is served
        return plain(str(exc), 503)
    except PcndocsError as exc:  # such as a mistake in a --templates template
        return plain(f"error: {exc}", 422)


async def _pack(web: Web, loaded: LoadedProfile) -> Response:
    names = [n for n, _t in documents_of(loaded, web.facts)]
    settings = web.settings
    built = await web.pool.build(
        loaded, default_formats(), names, settings.templates, web.today, settings.wording
    )
    folder = slug(loaded.profile.network.name or "network")
    # warnings.txt says, as `build` prints, the values only a house-worded clause stated.
    house = await run_in_threadpool(web.house_warnings, loaded)
    built = replace(built, warnings=[*house, *built.warnings])
    return attachment(
        pack_zip(loaded, built, house=web.house()), f"{folder}.zip", "application/zip"
    )


async def _document(
    web: Web, loaded: LoadedProfile, form: dict[str, str], data: dict[str, Any]
) -> Response:
    """One document in one format; what its build warned of, and its placeholders, in a
    header the page shows (web/notes.py)."""
    fmt = form.get("format", "pdf")
    if fmt not in WRITERS:
        return plain(str(UnknownFormatError(fmt)), 400)
    names = documents_of(loaded, web.facts)
    chosen = build_name(names, form.get("doc", "")) or names[0]
    settings = web.settings
    built = await web.pool.build(
        loaded, (fmt,), [chosen[0]], settings.templates, web.today, settings.wording
    )
    content = next(iter(built.files.values()))
    file = f"{chosen[0]}.{fmt}"
    warnings = [*await run_in_threadpool(web.house_warnings, loaded), *built.warnings]
    gaps = built.placeholders.get(chosen[0], [])
    notes = notes_headers(web, file, warnings, gaps, data)
    return attachment(content, file, writer_for(fmt).media_type, notes)


def build_name(names: list[tuple[str, str]], choice: str) -> tuple[str, str] | None:
    """Return (file name, title) of a chosen document among a build's, or None."""
    kind, _, index = choice.partition(":")
    if not index:
        return next((n for n in names if n[0] == kind), None)
    matching = [n for n in names if n[0].startswith(kind + "-")]
    position = int(index) if index.isdigit() else -1
    return matching[position] if 0 <= position < len(matching) else None


def focus_id(key: str | None, operation: str) -> str | None:
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


ROUTES: list[Any] = [
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
]
