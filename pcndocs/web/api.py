"""The JSON API for scripts: `POST /api/check` and `POST /api/build` with a profile's YAML.

Scripts (curl) send no Origin, so the guard lets them post here without a page's token.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pcndocs.errors import BusyError, PcndocsError, Problem, ProfileError, WorkerDiedError
from pcndocs.files import slug
from pcndocs.render.writers.registry import UnknownFormatError, parse_formats
from pcndocs.web.http import attachment, problems_json, web_of
from pcndocs.web.service import (
    Checked,
    check_text,
    documents_of,
    pack_zip,
    read_profile_text,
)


async def _checked_body(request: Request) -> Checked:
    """Return what `check` says of the profile a request's body holds.

    A body that is not a profile's text (too large, not UTF-8) is one error without a line.
    """
    web = web_of(request)
    try:
        text = read_profile_text(await request.body())
    except ProfileError as exc:
        return Checked(None, errors=list(exc.problems))
    except PcndocsError as exc:
        return Checked(None, errors=[Problem("", None, "", str(exc))])
    return await run_in_threadpool(check_text, text, web.facts, web.today)


async def api_check(request: Request) -> Response:
    checked = await _checked_body(request)
    return problems_json(checked.errors, checked.warnings)


async def api_build(request: Request) -> Response:
    web = web_of(request)
    try:
        formats = parse_formats(request.query_params.getlist("format"))
    except UnknownFormatError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    blank = request.query_params.get("blank", "0") in ("1", "true", "yes")
    checked = await _checked_body(request)
    loaded = checked.loaded
    if loaded is None or (checked.errors and not blank):
        return problems_json(checked.errors, [], 422)
    names = [n for n, _t in documents_of(loaded, web.facts)]
    try:
        built = await web.pool.build(
            loaded, formats, names, web.settings.templates, web.today, web.settings.wording
        )
    except (BusyError, WorkerDiedError) as exc:  # the next request is served
        return problems_json([Problem("", None, "", str(exc))], [], 503)
    except PcndocsError as exc:  # such as a mistake in a --templates template
        return JSONResponse({"error": str(exc)}, status_code=422)
    folder = slug(loaded.profile.network.name or "network")
    return attachment(
        pack_zip(loaded, built, blank, web.house()), f"{folder}.zip", "application/zip"
    )


ROUTES: list[Any] = [
    Route("/api/check", api_check, methods=["POST"]),
    Route("/api/build", api_build, methods=["POST"]),
]
