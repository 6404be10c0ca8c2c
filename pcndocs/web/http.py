"""What every endpoint shares: the application's state, reading a posted form, the answers.

Endpoints are plain functions at module level (web/pages.py, web/api.py, web/importing.py,
web/workspace_routes.py); what they need of the server is on `request.app.state`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from pcndocs.errors import Problem
from pcndocs.web.formdata import MAX_FORM_FIELDS, refuse_too_many_items, too_many_fields

if TYPE_CHECKING:
    from pcndocs.web.state import Web

# A document shown in a frame (a preview, a redline): its own style inline, no script at all.
DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)


def web_of(request: Request) -> Web:
    """Return the server's state: its settings, facts, pages, pool and what it keeps."""
    web: Web = request.app.state.web
    return web


def session_of(request: Request) -> str:
    """Return the browser's session, as the guard read or made it (its cookie)."""
    return str(request.scope["state"]["session"])


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

    endpoint.__name__ = handler.__name__
    return endpoint


def plain(text: str, status: int) -> Response:
    """Return a one-line plain-text answer."""
    return PlainTextResponse(text + "\n", status_code=status)


def attachment(
    content: bytes, name: str, media: str, headers: Mapping[str, str] | None = None
) -> Response:
    """Return bytes the browser saves as a file of that name (with HEADERS, if any)."""
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"', **(headers or {})},
    )


def problems_json(errors: list[Problem], warnings: list[Problem], status: int = 200) -> Response:
    """Return problems as the JSON API gives them: severity, kind, line, key, item, message."""
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
