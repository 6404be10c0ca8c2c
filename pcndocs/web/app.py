"""The web application: its routes (web/pages.py, web/api.py, web/importing.py and, with a
workspace, web/workspace_routes.py), its state on `app.state.web`, and the guard in front.

The whole profile travels with each request as the form's fields (or as YAML for the
API): the server keeps no one's profile, only, in memory, recent previews and uploaded
national files for a few minutes, and the last few comparisons. Nothing the browser sends
names a file on this machine.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import AsyncIterator
from dataclasses import replace

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from pcndocs.errors import PcndocsError
from pcndocs.render.wording import WORKSPACE_FILE
from pcndocs.web import api, importing, pages, wording_routes
from pcndocs.web.formdata import FormLimitError
from pcndocs.web.guard import Guard, SecureHeaders, TooLargeError, is_loopback
from pcndocs.web.http import plain
from pcndocs.web.state import HERE, Settings, Web

__all__ = ["Settings", "create_app", "token_for"]

MIN_TOKEN = 16  # characters of a --token: shorter could be guessed by trying


def create_app(settings: Settings | None = None) -> Starlette:
    """Return the web application, guarded by host, token and body limits."""
    settings = settings or Settings()
    if settings.wording is None and settings.workspace is not None:
        # The workspace's own house wording, used once the wording page (or anyone) makes it.
        settings = replace(settings, wording=settings.workspace / WORKSPACE_FILE)
    web = Web(settings)
    app = _Guarded(
        routes=_routes(web),
        middleware=[
            Middleware(Guard, token=settings.token, loopback_only=is_loopback(settings.host))
        ],
        lifespan=_lifespan,
        exception_handlers={TooLargeError: _too_large, FormLimitError: _form_too_large},
    )
    app.state.web = web
    return app


class _Guarded(Starlette):
    """Starlette with the security headers outside its error handler: a 500 has them too."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecureHeaders(super().build_middleware_stack())


def _routes(web: Web) -> list[BaseRoute]:
    """Return the routes: the workspace's first (its "/" is the networks' page), if any."""
    routes: list[BaseRoute] = [
        *wording_routes.routes(web),
        *pages.ROUTES,
        *api.ROUTES,
        *importing.ROUTES,
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    if web.settings.workspace is None:
        return routes
    from pcndocs.web import workspace_routes

    web.workspace = workspace_routes.WorkspacePages(web, web.settings.workspace)
    if web.settings.warm:
        web.workspace.warm()
    return [*workspace_routes.ROUTES, *routes]


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    web: Web = app.state.web
    if web.settings.warm:  # start the workers while the user reads the first page
        threading.Thread(target=web.pool.warm, daemon=True).start()
    try:
        yield
    finally:
        web.pool.shutdown()


async def _too_large(_request: Request, _exc: Exception) -> Response:
    return plain("the request is too large", 413)


async def _form_too_large(_request: Request, exc: Exception) -> Response:
    return plain(f"error: {exc}", 413)


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
