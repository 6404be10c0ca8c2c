"""The "House wording" page: every clause of a document beside its preview, and an editor.

Choose a clause, write its text (with named fields such as {network.name}), see the
preview change, save it to the house wording file, omit the clause, or reset it to the
built-in text; add clauses of your own after it (add_after), edit them and remove them, each
in its own form, its mistakes said at its id or its text. A clause whose built-in text moved
since it was pinned is "To review", said in the page's words with a button that keeps it.

The file is the one `build` uses: `serve --wording FILE`, or `wording.yaml` beside the
workspace's profiles. Its checks are pcndocs/render/wording.py's own (check_wording), so a
message is word for word what `build` and `check` would say, shown at the field. Each save
is atomic and based on the version of the file the page was drawn from
(output/workspace.VersionedFile): a file changed meanwhile is a conflict, shown, never
overwritten. The preview renders on the build workers with the draft, nothing saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from pcndocs.errors import BusyError, PcndocsError, Problem, WorkerDiedError
from pcndocs.output.build import templates_for
from pcndocs.output.workspace import ConflictError, Saved, VersionedFile
from pcndocs.profile.load import LoadedProfile
from pcndocs.profile.yamlfile import parse_yaml
from pcndocs.render.clauses import documents_once, load_catalogue
from pcndocs.render.templating import Templates
from pcndocs.render.wording import (
    FIELDS,
    Addition,
    ClauseView,
    WordingError,
    addition_problems,
    check_wording,
    current_clauses,
    parse_wording,
    with_additions,
    with_clause,
)
from pcndocs.resources import example_profile
from pcndocs.web.service import check_data
from pcndocs.web.wording_view import (
    House,
    Shown,
    clause_look,
    editable_text,
    grouped,
    humanised,
    shown_document,
)

if TYPE_CHECKING:
    from pcndocs.web.state import Web

EXAMPLE = "example"  # the network a preview uses where the workspace has none that builds
ACTIONS = ("save", "omit", "reset")
#: What the forms of the clauses added after the chosen one do: add one, save one, remove one.
ADDED_ACTIONS = ("add-added", "save-added", "remove-added")
CHOSEN = "chosen-clause"  # the id the preview gives the clause being edited (wording.js too)
DONE = {
    "save": "Saved: the clause now reads your text in every network's documents.",
    "omit": "Saved: the clause is left out of every network's documents.",
    "reset": "Saved: the clause is back to the built-in text.",
    "add-added": "Saved: your new clause follows this one in every network's documents.",
    "save-added": "Saved: the added clause now reads your text in every network's documents.",
    "remove-added": "Saved: the added clause is taken out of every network's documents.",
}
NEW = "new"  # the form of a clause being added (the others are named by their clause's id)
PREVIEW_ADDED = "preview-added"  # the preview asked for as a clause added after is typed
LOOK = "clause-look"  # the id of the box beside the text that shows the clause as it prints


@dataclass
class Draft:
    """What the page shows of the clause being edited, besides the file."""

    text: str | None = None  # as typed (kept on an error or a conflict); None: from the file
    problems: list[str] = field(default_factory=list)  # at the field, in plain words
    file_problems: list[str] = field(default_factory=list)  # elsewhere in the file
    conflict: bool = False
    done: str = ""  # what the last save did (DONE's key)
    added: AddedDraft | None = None  # a clause added after it, as typed, if that was posted


@dataclass
class AddedDraft:
    """A clause added after the chosen one, as typed in its form, with its problems."""

    form: str  # NEW, or the id of the added clause being edited
    id: str
    text: str
    id_problems: list[str] = field(default_factory=list)
    text_problems: list[str] = field(default_factory=list)


class WordingPages:
    """The wording editor's state: the file, and what the page is drawn from."""

    def __init__(self, web: Web, path: Path) -> None:
        self.web = web
        self.file = VersionedFile(path)

    # --- the network a preview is of ------------------------------------------------------

    def networks(self) -> list[str]:
        """Return the workspace's profile files, the networks a preview may use."""
        pages = self.web.workspace
        return list(pages.space.names()) if pages is not None else []

    def default_network(self) -> str:
        given = self.web.settings.profile
        names = self.networks()
        if given is not None and given.name in names:
            return given.name
        return names[0] if names else EXAMPLE

    def loaded(self, network: str) -> tuple[LoadedProfile, str, str]:
        """Return the profile a preview uses, its file name, and why not the one asked for."""
        note = ""
        if network != EXAMPLE and network in self.networks():
            workspace = self.web.workspace
            assert workspace is not None  # networks() lists none without one
            try:
                saved = workspace.space.read(network)
                data = parse_yaml(saved.text, network).data
                checked = check_data(
                    data if isinstance(data, dict) else {}, self.web.facts, self.web.today
                )
            except PcndocsError as exc:
                checked = None
                note = f"{network} cannot be read ({exc}); the example network is shown instead."
            if checked is not None and checked.loaded is not None:
                return checked.loaded, network, ""
            note = note or (
                f"{network} has errors to put right before it can be previewed; "
                "the example network is shown instead."
            )
        text = example_profile().read_text(encoding="utf-8")
        checked = check_data(parse_yaml(text, "example.yaml").data, self.web.facts, self.web.today)
        assert checked.loaded is not None, "the example profile builds"
        return checked.loaded, EXAMPLE, note

    # --- the file -------------------------------------------------------------------------

    def saved(self) -> tuple[Saved | None, list[str]]:
        """Return the file as it is now, and its problems (a file edited by hand may have some)."""
        try:
            now = self.file.current()
        except PcndocsError as exc:  # not UTF-8, over 1 MB, unreadable: said, never replaced
            return None, [str(exc)]
        if now is None:
            return None, []
        _entries, problems = check_wording(now.text, str(self.file.path), self.templates())
        return now, [str(p) for p in problems]

    def templates(self) -> Templates:
        return templates_for(self.web.settings.templates)

    def draft_of(
        self, source: str, clause: str, action: str, text: str
    ) -> tuple[str, list[str], list[str]]:
        """Return the file's text with a clause changed, the problems at the clause, the rest."""
        path = str(self.file.path)
        if clause not in current_clauses(self.templates()):  # only an id the list offers
            return source, [], ["No clause has this id: choose one from the list."]
        try:
            new = with_clause(
                source,
                path,
                clause,
                text if action == "save" else None,
                action == "omit",
                self.templates(),
            )
        except WordingError as exc:  # the file itself does not load: nothing can be put in
            return source, [], [str(p) for p in exc.problems]
        _entries, problems = check_wording(new, path, self.templates())
        here = [in_page_words(p) for p in problems if p.key == clause]
        return new, here, [str(p) for p in problems if p.key != clause]

    def added_of(
        self, source: str, clause: str, action: str, typed: AddedDraft
    ) -> tuple[str, AddedDraft, list[str]]:
        """Return the file's text with a clause added after another, changed or removed; the
        draft with its problems at its fields; and the problems elsewhere in the file."""
        path, templates = str(self.file.path), self.templates()
        clauses = current_clauses(templates)
        if clause not in clauses:
            return source, typed, ["No clause has this id: choose one from the list."]
        try:
            entries = parse_wording(source, path, templates).entries if source.strip() else {}
        except WordingError as exc:  # the file itself does not load: nothing can be put in
            return source, typed, [str(p) for p in exc.problems]
        entry = entries.get(clause)
        additions = list(entry.add_after) if entry else []
        editing = typed.form if action != "add-added" else ""
        if editing and editing not in {a.id for a in additions}:
            gone = (
                f"{editing} is no longer added after this clause in the file: see the list below."
            )
            return source, typed, [gone]
        if action == "remove-added":
            additions = [a for a in additions if a.id != editing]
        else:
            taken = {*clauses, *(a.id for e in entries.values() for a in e.add_after)}
            new_id = editing or typed.id
            at_id, at_text = addition_problems(
                clause, clauses[clause], new_id, typed.text, taken - {editing}
            )
            if at_id or at_text:
                said = replace(
                    typed,
                    id_problems=[in_page_text(p) for p in at_id],
                    text_problems=[in_page_text(p) for p in at_text],
                )
                return source, said, []
            added = Addition(new_id, typed.text.strip())
            additions = (
                [added if a.id == editing else a for a in additions]
                if editing
                else [*additions, added]
            )
        new = with_additions(source, path, clause, additions, templates)
        _entries, problems = check_wording(new, path, templates)
        return new, typed, [str(p) for p in problems]

    async def shown(self, network: str, document: str, house_text: str) -> tuple[Shown, str, str]:
        """Return the document with a wording text, from a worker; the network, and a note."""
        loaded, network, note = await run_in_threadpool(self.loaded, network)
        house = House(self.file.path, house_text)
        settings = self.web.settings
        shown = await self.web.pool.call(
            shown_document, loaded, document, house, settings.templates, self.web.today
        )
        return shown, network, note

    def preview_url(self, html: str, clause: str) -> str | None:
        """Return the address of a preview with the clause being edited marked, and shown."""
        if not html:
            return None
        found = f'data-clause="{clause}"'  # an id is small letters, digits, dots and hyphens
        if not clause or found not in html:
            return self.web.remember_preview(html)
        html = html.replace(found, f'{found} id="{CHOSEN}"', 1)
        style = f"<style>#{CHOSEN} {{ background: #fff6b3; outline: 3px solid #ffdd00; }}</style>"
        # Scrolled to by static/wording.js: a #fragment would scroll the page to the frame too.
        return self.web.remember_preview(html.replace("</head>", style + "</head>", 1))

    def part_title(self, word: str) -> str:
        """Return the title of a list's items for one word of their ids: a workstream's."""
        try:
            return str(self.web.facts.workstream(word.replace("-", "_")).title)
        except KeyError:
            return humanised(word)

    # --- the page -------------------------------------------------------------------------

    async def page(
        self, params: dict[str, str], draft: Draft | None = None, status: int = 200
    ) -> Response:
        draft = draft or Draft()
        documents = documents_once()
        document = params.get("doc", "")
        if document not in {k.name for k in documents}:
            document = documents[0].name
        now, file_problems = await run_in_threadpool(self.saved)
        text = now.text if now is not None and not file_problems else ""
        try:
            shown, network, note = await self.shown(
                params.get("network", "") or self.default_network(), document, text
            )
        except (BusyError, WorkerDiedError) as exc:
            return self.web.page("start.html", 503, problems=[str(exc)])
        views = shown.clauses
        chosen = next((v for v in views if v.id == params.get("clause", "")), None)
        start_text, from_network = editable_text(chosen) if chosen else ("", False)
        replaced = replaced_text(chosen) if chosen and chosen.changed else None
        preview_url = self.preview_url(shown.html, chosen.id if chosen else "")
        reason = (
            ""
            if shown.html
            else (
                "This network has no such document to preview (a lead's documents need a lead): "
                "choose another network."
            )
        )
        groups = grouped(views, self.part_title)
        additions = chosen.house.add_after if chosen and chosen.house else ()
        taken = {v.id for v in views} | {a.id for v in views if v.house for a in v.house.add_after}
        return self.web.page(
            "wording.html",
            status,
            file=str(self.file.path),
            exists=now is not None,
            version=now.version if now is not None else "",
            file_problems=list(dict.fromkeys([*file_problems, *draft.file_problems])),
            documents=documents,
            document=document,
            networks=self.networks(),
            network=network,
            example=EXAMPLE,
            note=note,
            views=views,
            groups=groups,
            section=next((g.title for g in groups if chosen and g.holds(chosen.id)), ""),
            chosen=chosen,
            text=draft.text if draft.text is not None else start_text,
            from_network=from_network and draft.text is None,
            problems=draft.problems,
            conflict=draft.conflict,
            done=DONE.get(draft.done, ""),
            fields=FIELDS,
            replaced=replaced,
            url=preview_url,
            title=shown.title,
            reason=reason,
            address=address_of,
            additions=additions,
            look=clause_look(shown.html, chosen.id) if chosen else "",
            added_looks={a.id: clause_look(shown.html, a.id) for a in additions},
            added=draft.added,
            new_form=NEW,
            new_id=suggested_id(chosen.id, taken) if chosen else "",
        )

    async def preview(self, form: dict[str, str]) -> Response:
        """Return the preview of the document with the typed text, and its problems; and,
        swapped in beside the text, the clause as it prints."""
        now, unreadable = await run_in_threadpool(self.saved)
        source = now.text if now is not None else ""
        clause = form.get("clause", "")
        action = form.get("action", "save")
        if action == PREVIEW_ADDED:
            return await self.preview_added(form, source)
        new, problems, others = await run_in_threadpool(
            self.draft_of,
            source,
            clause,
            action if action in ACTIONS else "save",
            typed_text(form),
        )
        others = others if now is not None else [*unreadable, *others]
        reason = ""
        if problems or others:
            reason = "Not updated: put right what is said at the text first."
            html = self.web.pages.get_template("wording_preview.html").render(
                url=None, reason=reason, problems=problems or others, title="", oob=True
            )
            return HTMLResponse(html, headers={"HX-Reswap": "none"})
        return await self.preview_with(form, new, clause, LOOK, problems=[])

    async def preview_with(
        self, form: dict[str, str], new: str, ident: str, box: str, problems: list[str] | None
    ) -> Response:
        """Return the chosen document's preview with the wording `new`, and clause `ident` as
        it prints, in the box `box`; `problems` replace the messages at the clause's text
        (None: left as they are)."""
        template = self.web.pages.get_template("wording_preview.html")
        document = form.get("doc", "")
        if document not in {k.name for k in documents_once()}:
            document = documents_once()[0].name
        try:
            shown, _network, _note = await self.shown(form.get("network", ""), document, new)
        except (BusyError, WorkerDiedError) as exc:
            html = template.render(
                url=None, reason=f"Not updated: {exc}.", problems=problems, title="", oob=True
            )
            return HTMLResponse(html, status_code=503, headers={"HX-Reswap": "none"})
        html = template.render(
            url=self.preview_url(shown.html, ident),
            reason="",
            problems=problems,
            title=shown.title,
            oob=True,
            looks=[(box, clause_look(shown.html, ident))],
        )
        return HTMLResponse(html)

    async def preview_added(self, form: dict[str, str], source: str) -> Response:
        """Return the preview with a clause added after the chosen one as typed in its form,
        and that clause as it prints beside its text (or what stops it being shown)."""
        typed = AddedDraft(
            form.get("added_form", NEW) or NEW,
            form.get("added_id", "").strip(),
            typed_text(form, "added_text"),
        )
        action = "add-added" if typed.form == NEW else "save-added"
        clause = form.get("clause", "")
        new, said, others = await run_in_threadpool(self.added_of, source, clause, action, typed)
        box = look_id(typed.form)
        template = self.web.pages.get_template("wording_preview.html")
        stopped = [*said.id_problems, *said.text_problems, *others]
        if stopped:
            html = template.render(
                url=None,
                reason="Not updated: put right what is said at the added clause first.",
                problems=None,
                title="",
                oob=True,
                looks=[(box, Markup('<p class="look-stopped">{}</p>').format(stopped[0]))],
            )
            return HTMLResponse(html, headers={"HX-Reswap": "none"})
        ident = typed.form if typed.form != NEW else typed.id
        return await self.preview_with(form, new, ident, box, problems=None)

    async def save(self, form: dict[str, str]) -> Response:
        """Save one clause's text, its omission or its reset; the page again, or a redirect."""
        action = form.get("action", "")
        clause = form.get("clause", "")
        params = {k: form.get(k, "") for k in ("doc", "network", "clause")}
        if action in ADDED_ACTIONS:
            return await self.save_added(form, action, params)
        if action not in ACTIONS:
            return await self.page(params, Draft(file_problems=["choose Save, Omit or Reset"]), 400)
        typed = typed_text(form)
        try:
            now = await run_in_threadpool(self.file.current)
        except PcndocsError as exc:
            return await self.page(params, Draft(typed, file_problems=[str(exc)]), 422)
        base = form.get("_base", "")
        if (now.version if now is not None else "") != base:
            return await self.page(params, Draft(typed, conflict=True), 409)
        source = now.text if now is not None else ""
        new, problems, others = await run_in_threadpool(
            self.draft_of, source, clause, action, typed
        )
        if problems or others:
            return await self.page(params, Draft(typed, problems, others), 422)
        try:
            await run_in_threadpool(self.file.save, new, base or None)
        except ConflictError:
            return await self.page(params, Draft(typed, conflict=True), 409)
        return RedirectResponse(address_of(**params, done=action) + "#editor", status_code=303)

    async def save_added(
        self, form: dict[str, str], action: str, params: dict[str, str]
    ) -> Response:
        """Add a clause after the chosen one, save one added, or remove one; as `save` does:
        based on the file's version the page was drawn from, a conflict shown, never written."""
        typed = AddedDraft(
            form.get("added_form", NEW) or NEW,
            form.get("added_id", "").strip(),
            typed_text(form, "added_text"),
        )
        try:
            now = await run_in_threadpool(self.file.current)
        except PcndocsError as exc:
            return await self.page(params, Draft(file_problems=[str(exc)], added=typed), 422)
        base = form.get("_base", "")
        if (now.version if now is not None else "") != base:
            return await self.page(params, Draft(conflict=True, added=typed), 409)
        source = now.text if now is not None else ""
        new, said, others = await run_in_threadpool(
            self.added_of, source, params["clause"], action, typed
        )
        if said.id_problems or said.text_problems or others:
            return await self.page(params, Draft(file_problems=others, added=said), 422)
        try:
            await run_in_threadpool(self.file.save, new, base or None)
        except ConflictError:
            return await self.page(params, Draft(conflict=True, added=typed), 409)
        return RedirectResponse(address_of(**params, done=action) + "#added", status_code=303)


def look_id(form: str) -> str:
    """Return the id of the box showing an added clause as it prints, by its form's name."""
    return f"{LOOK}-{form.replace('.', '-')}"


def typed_text(form: dict[str, str], name: str = "text") -> str:
    """Return the text typed in a box, its line breaks as the file writes them.

    A browser posts a textarea's line breaks as CR LF; the file holds LF alone.
    """
    return form.get(name, "").replace("\r\n", "\n").replace("\r", "\n")


def suggested_id(clause: str, taken: set[str]) -> str:
    """Return an id for a clause added after another: its own, and a word, free to use."""
    found, number = f"{clause}.house", 1
    while found in taken:
        number += 1
        found = f"{clause}.house-{number}"
    return found


def replaced_text(view: ClauseView) -> str | None:
    """Return the built-in text a house text was pinned to, if pcndocs recorded it."""
    pinned = view.house.pinned if view.house else ""
    found = load_catalogue().version(view.id, pinned) if pinned else None
    return found[1].text if found else None


def address_of(**params: str) -> str:
    """Return the address of the wording page with these choices."""
    return "/wording?" + urlencode({k: v for k, v in params.items() if v})


def in_page_words(problem: Problem) -> str:
    """Return a wording problem as the editor shows it at the text: no file, line or command."""
    return in_page_text(problem.text)


def in_page_text(said: str) -> str:
    """Return a wording problem's words as the editor shows them at a field: no command."""
    text = (
        said.replace("`pcndocs clauses --fields` lists them", "“Fields you can use” lists them")
        .replace("; `pcndocs clauses` lists them", "")
        .replace("(`pcndocs clauses --fields` lists them)", "(“Fields you can use” lists them)")
    )
    return text[:1].upper() + text[1:]  # a sentence of its own, under the text


def routes(web: Web) -> list[Route]:
    """Return the wording page's routes (with no wording file, a page that says how to get one)."""
    path = web.settings.wording  # --wording, or the workspace's own (app.create_app)

    async def none(_request: Request) -> Response:
        return web.page("wording_none.html", 404)

    if path is None:
        return [Route("/wording", none)]
    pages = WordingPages(web, path)

    async def page(request: Request) -> Response:
        params = dict(request.query_params)
        return await pages.page(params, Draft(done=params.get("done", "")))

    async def preview(request: Request) -> Response:
        from pcndocs.web.http import form_of

        return await pages.preview(await form_of(request))

    async def save(request: Request) -> Response:
        from pcndocs.web.http import form_of

        return await pages.save(await form_of(request))

    return [
        Route("/wording", page),
        Route("/wording/preview", preview, methods=["POST"]),
        Route("/wording/save", save, methods=["POST"]),
    ]
