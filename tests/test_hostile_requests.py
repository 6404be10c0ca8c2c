"""Hostile requests: only the server's own page may change anything (pcndocs/web/guard.py).

Every route that takes anything but GET, HEAD or OPTIONS is found from the application
itself, so a route added later is tried here without a line of its own.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from pcndocs.resources import example_profile
from pcndocs.web.app import Settings, create_app
from pcndocs.web.guard import CONTENT_SECURITY_POLICY, SECURITY_HEADERS, Guard
from tests.webclient import PageClient

# End to end: the web app over HTTP, as a browser drives it (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 11, 28)
LOCAL = "http://127.0.0.1:8765"
ORIGIN = LOCAL


class Spy:
    """Stands between the guard and the application, counting the requests that got through."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


def guard_of(app: Starlette) -> Guard:
    """Return the guard the application's middleware puts in front of every route."""
    if app.middleware_stack is None:
        app.middleware_stack = app.build_middleware_stack()
    layer: Any = app.middleware_stack
    while not isinstance(layer, Guard):
        layer = layer.app
    return layer


def changing_routes(app: Starlette) -> list[tuple[str, str]]:
    """Return (method, path) of every route of the application that may change something."""
    routes = []
    for route in app.routes:
        methods = getattr(route, "methods", None) or set()
        for method in sorted(set(methods) - {"GET", "HEAD", "OPTIONS"}):
            path = str(getattr(route, "path", ""))
            path = path.replace("{key:str}", "k").replace("{file:str}", "f")
            routes.append((method, path))
    return routes


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[PageClient, Spy]]:
    app = create_app(Settings(today=TODAY, workers=1))
    guard = guard_of(app)
    spy = Spy(guard.app)
    guard.app = spy
    with PageClient(app, base_url=LOCAL) as client:
        yield client, spy


FOREIGN_HEADERS = [
    pytest.param({"Origin": "http://evil.example"}, id="another site's origin"),
    pytest.param({"Origin": "null"}, id="an opaque origin"),
    pytest.param({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, id="a sandboxed frame"),
    pytest.param({"Origin": "http://127.0.0.1:9999"}, id="another port of this machine"),
    pytest.param({"Origin": "https://127.0.0.1:8765"}, id="another scheme"),
    pytest.param({"Sec-Fetch-Site": "cross-site"}, id="Sec-Fetch-Site cross-site"),
    pytest.param({"Sec-Fetch-Site": "same-site"}, id="Sec-Fetch-Site same-site"),
]


def test_every_changing_route_is_known() -> None:
    app = create_app(Settings(today=TODAY, workers=1))
    assert [getattr(m, "cls", None) for m in app.user_middleware] == [Guard]
    found = {path for _method, path in changing_routes(app)}
    # The state-changing routes this release has; a new one is tried by the tests below.
    assert {"/edit", "/open", "/api/check", "/api/build", "/national"} <= found


@pytest.mark.parametrize("headers", FOREIGN_HEADERS)
def test_a_foreign_page_changes_nothing_on_any_route(
    server: tuple[PageClient, Spy], headers: dict[str, str]
) -> None:
    client, spy = server
    for method, path in changing_routes(client.app):  # type: ignore[arg-type]
        before = len(spy.seen)
        # The page's own token too: a page elsewhere could not have it, and even with it the
        # origin alone refuses.
        answer = client.request(
            method, path, content=example_profile().read_bytes(), headers=headers
        )
        assert answer.status_code == 403, (method, path, answer.text)
        assert "another site" in answer.text
        assert len(spy.seen) == before, f"{method} {path} reached the application"


@pytest.mark.parametrize(
    "token", [pytest.param(None, id="no token"), pytest.param("forged", id="a forged token")]
)
def test_without_the_pages_token_nothing_changes(
    server: tuple[PageClient, Spy], token: str | None
) -> None:
    client, spy = server
    for method, path in changing_routes(client.app):  # type: ignore[arg-type]
        before = len(spy.seen)
        headers = {"Origin": ORIGIN, "X-Pcndocs-Token": token or ""}
        request = client.build_request(
            method, path, data={"network.name": "Evil PCN"}, headers=headers
        )
        if token is None:
            del request.headers["X-Pcndocs-Token"]
        answer = client.send(request)
        assert answer.status_code == 403, (method, path, answer.text)
        assert "reload the page" in answer.text
        assert len(spy.seen) == before, f"{method} {path} reached the application"


def test_the_pages_own_requests_get_through(server: tuple[PageClient, Spy]) -> None:
    client, _spy = server
    answer = client.post("/edit", data={"network.name": "Riverside PCN"})
    assert answer.status_code == 200
    assert client.post("/api/check", content=example_profile().read_bytes()).status_code == 200
    # A browser told to send no referrer names its own origin "null", but still says where
    # the request comes from in Sec-Fetch-Site, which no page can set.
    hidden = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/edit", data={}, headers=hidden).status_code == 200


def test_a_token_of_another_session_is_refused() -> None:
    """A page elsewhere that sets its own session cookie for this host still has no token."""
    app = create_app(Settings(today=TODAY, workers=1))
    with PageClient(app, base_url=LOCAL) as mine, PageClient(app, base_url=LOCAL) as theirs:
        assert mine.headers["X-Pcndocs-Token"] != theirs.headers["X-Pcndocs-Token"]
        theirs.headers["X-Pcndocs-Token"] = mine.headers["X-Pcndocs-Token"]
        assert theirs.post("/edit", data={}).status_code == 403
        assert mine.post("/edit", data={}).status_code == 200


def test_the_session_cookie_cannot_be_read_by_a_script() -> None:
    with TestClient(create_app(Settings(today=TODAY, workers=1)), base_url=LOCAL) as client:
        cookie = client.get("/").headers["set-cookie"]
    assert cookie.startswith("pcndocs_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_form_posted_without_javascript_carries_the_token_first(
    server: tuple[PageClient, Spy],
) -> None:
    client, _spy = server
    token = client.headers["X-Pcndocs-Token"]
    plain = {"Origin": ORIGIN, "X-Pcndocs-Token": ""}
    request = client.build_request(
        "POST", "/edit", data={"_csrf": token, "network.name": "Riverside PCN"}, headers=plain
    )
    del request.headers["X-Pcndocs-Token"]
    assert client.send(request).status_code == 200
    # Multipart, as the upload forms post: the token is the first part.
    request = client.build_request(
        "POST",
        "/open",
        data={"_csrf": token},
        files={"profile": ("mine.yaml", io.BytesIO(example_profile().read_bytes()))},
        headers=plain,
    )
    del request.headers["X-Pcndocs-Token"]
    assert client.send(request).status_code == 200
    # Anywhere but first, it is not looked for: the rest of the body is never read for it.
    request = client.build_request(
        "POST", "/edit", data={"network.name": "Riverside PCN", "_csrf": token}, headers=plain
    )
    del request.headers["X-Pcndocs-Token"]
    assert client.send(request).status_code == 403


def test_every_form_of_every_page_carries_the_token_first(server: tuple[PageClient, Spy]) -> None:
    import lxml.html

    client, _spy = server
    token = client.headers["X-Pcndocs-Token"]
    for path in ("/", "/new", "/example", "/national"):
        page = lxml.html.fromstring(client.get(path).text)
        assert page.xpath('//meta[@name="pcndocs-token"]/@content') == [token]
        for form in page.xpath('//form[@method="post"]'):
            first = form.xpath(".//input")[0]
            assert (first.get("name"), first.get("value")) == ("_csrf", token), path


def test_a_script_may_call_the_api_without_a_page() -> None:
    """curl sends no Origin: the README's API calls work as they did; the page's routes do not."""
    with TestClient(create_app(Settings(today=TODAY, workers=1)), base_url=LOCAL) as script:
        assert script.post("/api/check", content=example_profile().read_bytes()).status_code == 200
        assert script.post("/edit", data={}).status_code == 403
        # But a browser's call of the API (it names its origin) needs the page's token.
        foreign = script.post(
            "/api/check", content=b"network: {}", headers={"Origin": "http://evil.example"}
        )
        assert foreign.status_code == 403


def test_a_route_added_later_is_guarded_with_no_code_of_its_own() -> None:
    changed: list[str] = []

    async def save(_request: Request) -> Response:
        changed.append("saved")
        return PlainTextResponse("saved")

    async def page(_request: Request) -> Response:
        from pcndocs.web.guard import page_token

        return PlainTextResponse(f'<meta name="pcndocs-token" content="{page_token()}">')

    inner = Starlette(routes=[Route("/", page), Route("/workspace/save", save, methods=["POST"])])
    guard = Guard(inner, token=None, loopback_only=True)
    with TestClient(guard, base_url=LOCAL) as foreign:
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            answer = foreign.request(method, "/workspace/save", headers={"Origin": ORIGIN})
            assert answer.status_code == 403
        assert (
            foreign.post("/workspace/save", headers={"Origin": "http://evil.example"}).status_code
            == 403
        )
    assert changed == []
    with PageClient(guard, base_url=LOCAL) as own:
        assert own.post("/workspace/save").text == "saved"
    assert changed == ["saved"]


def test_every_answer_has_the_security_headers_once_a_500_included() -> None:
    """Starlette's error handler answers a bug's 500 outside every middleware: the headers
    are put on outside it."""
    app = create_app(Settings(today=TODAY, workers=1))

    async def broken(_request: Request) -> Response:
        raise RuntimeError("a bug in a route")

    app.router.routes.insert(0, Route("/broken", broken))
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as client:
        answers = {
            "a bug": client.get("/broken"),
            "a page": client.get("/"),
            "not found": client.get("/nowhere"),
            "refused": client.post("/edit", headers={"Origin": "http://evil.example"}),
        }
    assert [a.status_code for a in answers.values()] == [500, 200, 404, 403]
    for what, answer in answers.items():
        for name, value in (
            ("content-security-policy", CONTENT_SECURITY_POLICY),
            *SECURITY_HEADERS,
        ):
            assert answer.headers.get_list(name) == [value], (what, name)
