"""The server's state, kept on `app.state.web`: its settings, the facts, the pages' templates,
the build pool and what it keeps: previews and national uploads for a few minutes (a
`cachetools.TTLCache` each), the last few comparisons.

The whole profile travels with each request as the form's fields (or as YAML for the
API): the server keeps no one's profile. Nothing the browser sends names a file on this
machine.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import markupsafe
from cachetools import TTLCache
from starlette.responses import HTMLResponse

from pcndocs import __version__
from pcndocs.compare.run import NoBuildError
from pcndocs.errors import PcndocsError, Problem, ProfileError
from pcndocs.new.answers import contract_year_now
from pcndocs.output.build import DocumentOptions, Rendered, house_lines, house_warnings
from pcndocs.profile.load import LoadedProfile
from pcndocs.profile.yamlfile import dotted
from pcndocs.render.documents import DOCUMENTS
from pcndocs.rules.facts import Facts, load_facts
from pcndocs.rules.funding import sessions_text, wte_text
from pcndocs.web import national
from pcndocs.web.changes import Comparisons, since_last_build
from pcndocs.web.comments import COMMENTS, comments_of
from pcndocs.web.fields import Input, Repeat, profile_form
from pcndocs.web.formdata import (
    AGREED,
    AS_OPENED,
    LOCAL_WORKSTREAM,
    OTHER_PROVIDER,
    PROVIDER_CODE,
    field_id,
)
from pcndocs.web.guard import PAGE_TOKEN_FIELD, page_token
from pcndocs.web.service import BuildPool, Checked, check_data, figures, parse_text
from pcndocs.web.view import FormView, Option, normalised, place

if TYPE_CHECKING:
    from pcndocs.web.workspace_routes import WorkspacePages

HERE = Path(__file__).resolve().parent
# Previews kept for their frames to fetch: the last few, each for a few minutes.
PREVIEWS_KEPT = 32
PREVIEW_SECONDS = 600


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
        self.previews: TTLCache[str, str] = TTLCache(PREVIEWS_KEPT, PREVIEW_SECONDS)
        self._previews_lock = threading.Lock()
        self.uploads = national.Uploads()
        self.comparisons = Comparisons()
        self.comparing = threading.Lock()  # one comparison at a time (redlines: on the workers)
        self.workspace: WorkspacePages | None = None  # with a workspace (serve FOLDER)
        self.pages = _page_templates(settings)

    @property
    def today(self) -> date:
        """Return the day checks compare dates with."""
        return self.settings.today or date.today()

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """Return a page rendered from templates/NAME."""
        return HTMLResponse(self.pages.get_template(name).render(**context), status_code=status)

    def part(self, name: str, **context: Any) -> str:
        """Return the HTML of a part of a page (templates/NAME), for htmx to swap in."""
        return self.pages.get_template(name).render(**context)

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
            "heading": network_name_in(data) or "A new network",
        }

    def edit_page(
        self,
        data: dict[str, Any],
        status: int = 200,
        chosen: str = "",
        focus: str | None = None,
        changes: dict[str, Any] | None = None,
        workspace: dict[str, Any] | None = None,
        comments: str | None = None,
    ) -> HTMLResponse:
        """Return the edit page; `workspace` is its file's part, when it is in a workspace;
        `comments` those of the file opened, carried to the YAML downloaded (web/comments)."""
        context = self.form_context(data, chosen, focus)
        return self.page(
            "edit.html", status, **context, changes=changes, workspace=workspace, comments=comments
        )

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
            return {"no_build": network_name_in(data)}
        except PcndocsError as exc:  # the kept profile no longer loads, or a template is wrong
            return {"failed": str(exc)}
        self.comparisons.remember(found)
        return {"found": found}

    def redline(self, key: str, file: str) -> tuple[str, bytes, list[Problem]] | None:
        """Return (format, bytes, warnings) of a redline of a recent comparison, or None.

        Rendered on the build workers, as every document is: their limits apply, and
        WeasyPrint's memory is theirs, not the server's. Raises BusyError when they are.
        """
        found = self.comparisons.redline(key, file)
        if found is None:
            return None
        fmt, task = found
        rendered: Rendered = self.pool.render(task)
        return fmt, rendered.files[file], rendered.warnings

    def house(self) -> list[str]:
        """Return what a pack takes from the house wording, for still-to-agree.txt."""
        return house_lines(DocumentOptions(out=self.settings.out, wording=self.settings.wording))

    def house_warnings(self, loaded: LoadedProfile) -> list[Problem]:
        """Return a warning for each value of the profile only a house-worded clause stated."""
        settings = self.settings
        options = DocumentOptions(
            settings.out, templates=settings.templates, wording=settings.wording
        )
        return house_warnings(loaded, options)

    def year_now(self) -> str:
        """Return the contract year of today, or the latest the facts know."""
        year = contract_year_now(self.today)
        known = list(self.facts.funding.years)
        return year if year in known else known[-1]

    def new_profile(self) -> dict[str, Any]:
        """Return the data of a new network: this contract year, one practice, one director."""
        year = self.year_now()
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
        return self.edit_page(document.data, comments=comments_of(text))

    def remember_preview(self, html: str) -> str:
        """Keep a preview for its frame to fetch, and return its address."""
        key = hashlib.sha256(html.encode()).hexdigest()[:32]
        with self._previews_lock:
            self.previews[key] = html
        return f"/preview/{key}"

    def preview_of(self, key: str) -> str | None:
        """Return a kept preview's HTML, or None once it has gone."""
        with self._previews_lock:
            return self.previews.get(key)


def _page_templates(settings: Settings) -> jinja2.Environment:
    """Return the Jinja environment of the server's own pages (not the documents')."""
    pages = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        extensions=["jinja2.ext.do"],
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    pages.globals.update(
        static=lambda name: f"/static/{name}?v={__version__}",
        fid=field_id,
        dotted=dotted,
        yes_no=[Option("yes", "Yes"), Option("no", "No")],
        local=LOCAL_WORKSTREAM,
        other_provider=OTHER_PROVIDER,
        provider_code=PROVIDER_CODE,
        as_opened=AS_OPENED,
        comments_field=COMMENTS,
        agreed=AGREED,
        output_folder=str(settings.out),
        # Every page carries the token its posts must send back (see guard.py): in a
        # meta element for htmx and form.js, and as the first field of each form.
        page_token=page_token,
        token_field=lambda: markupsafe.Markup(
            f'<input type="hidden" name="{PAGE_TOKEN_FIELD}" value="{page_token()}">'
        ),
    )
    # Figures read as in the documents and `check`: 2.5 sessions, 0.2956 WTE, £45,500.
    pages.filters.update(sessions=sessions_text, wte=wte_text)
    pages.tests.update(
        input_node=lambda n: isinstance(n, Input),
        repeat_node=lambda n: isinstance(n, Repeat),
        mapping=lambda v: isinstance(v, Mapping),
    )
    return pages


def network_name_in(data: dict[str, Any]) -> str:
    """Return the network's name the form's data holds, or ""."""
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
