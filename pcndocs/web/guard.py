"""The server's gate: who may ask (host and token), who may change things, how much they may
send, what headers go back.

An ASGI middleware rather than one check per route, so no route can forget it: static
files and errors get the same limits as everything else, and a route added later is guarded
without a line of its own. The headers are put on by `SecureHeaders`, the layer outside all
of Starlette's own, so that even the 500 its error handler sends (outside every middleware)
carries them.

Only this server's own page may change anything. Every request other than GET, HEAD and
OPTIONS must come from the page's own origin (`Origin`, and `Sec-Fetch-Site` where the
browser sends it) and carry the page's token: in the `X-Pcndocs-Token` header (htmx and
form.js send it) or, for a form posted without JavaScript, as the form's first field
`_csrf`. The token is an HMAC of the browser's session cookie under a secret that never
leaves this process, so a page elsewhere can neither read it nor make one, even one that
can set cookies for this host. Scripts (curl), which send no `Origin` and no
`Sec-Fetch-Site`, may use the JSON API under /api/ without it, as the README shows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections import deque
from contextvars import ContextVar
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, unquote_plus

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TOKEN_COOKIE = "pcndocs_token"
# The browser's session, whose HMAC is the page's token; and where a request carries that token.
SESSION_COOKIE = "pcndocs_session"
PAGE_TOKEN_HEADER = "x-pcndocs-token"
PAGE_TOKEN_FIELD = "_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Where scripts may post without a page (they send no Origin): the JSON API.
SCRIPT_PATHS = ("/api/",)
# How much of a form's body is read to find its first field, the token.
PEEK_BYTES = 8 * 1024
_SESSION = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_BOUNDARY = re.compile(r"""boundary=(?:"([^"]+)"|([^;\s]+))""", re.IGNORECASE)
# A profile is at most 1 MB, as on the command line; a form of one carries a little more.
PROFILE_BYTES = 1024 * 1024
FORM_BYTES = 2 * PROFILE_BYTES
# The national files: the ePCN workbook and the list-size CSV are each a few MB at most.
NATIONAL_BYTES = 40 * 1024 * 1024

# No inline script anywhere; the preview of a document sets its own, stricter policy.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
SECURITY_HEADERS = (
    ("x-content-type-options", "nosniff"),
    # Not no-referrer: under it a browser names the origin of a form's POST as "null", and
    # the guard could not tell this page's posts from a sandboxed frame's. Nothing goes elsewhere.
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
)


class TooLargeError(Exception):
    """The request's body passed its limit while being read."""


_page_token: ContextVar[str] = ContextVar("pcndocs_page_token", default="")


def page_token() -> str:
    """Return the token the page being answered must send back with whatever it posts."""
    return _page_token.get()


#: Where the national files are uploaded: the start page's import and the workspace's.
NATIONAL_PATHS = ("/national", "/networks/import")


def body_limit(path: str) -> int:
    """Return the most bytes a request to a path may send."""
    if path.startswith(NATIONAL_PATHS):
        return NATIONAL_BYTES
    if path.startswith(("/api/", "/open")):
        return PROFILE_BYTES + 64 * 1024  # room for a multipart envelope around 1 MB
    return FORM_BYTES


def is_loopback(host: str) -> bool:
    """Return whether an address to bind is this machine only."""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


class Guard:
    """Refuses requests from the wrong host or without the token, changes asked by anything
    but this server's own page, and bodies too large.

    Attached as `Middleware(Guard, token=..., loopback_only=...)`. The browser's session
    (its cookie, made here if it has none) is put on `request.state.session` for the routes.
    """

    def __init__(self, app: ASGIApp, token: str | None, loopback_only: bool) -> None:
        self.app = app
        self.token = token
        self.loopback_only = loopback_only
        self.secret = secrets.token_bytes(32)  # pages of an earlier run of the server expire

    def page_token_for(self, session: str) -> str:
        """Return the token of a browser session: an HMAC no one without the secret can make."""
        digest = hmac.new(self.secret, session.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # A header sent twice counts by its last value, as it always has here.
        headers = {k.lower(): v for k, v in Headers(scope=scope).items()}
        limit = body_limit(scope.get("path", ""))
        refusal, token_from_query = self._at_the_door(scope, headers, limit)
        if refusal is not None:
            await _plain(scope, receive, send, *refusal)
            return
        session, new_session = _session(headers)
        scope.setdefault("state", {})["session"] = session  # whose uploads are whose
        expected = self.page_token_for(session)
        _page_token.set(expected)  # the pages drawn for this request carry it
        cookies = []
        if token_from_query and self.token is not None:
            cookies.append(f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict")
        if new_session:
            # Lax, not Strict: a link followed from elsewhere must not start a new
            # session and so expire the token of a page already open.
            cookies.append(f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax")
        body = _CountedBody(receive, limit)
        answer = _GuardedAnswer(send, cookies)
        try:
            receiving: Receive = body.receive
            if scope.get("method", "GET").upper() not in SAFE_METHODS:
                change, receiving = await _change_refused(scope, headers, expected, body.receive)
                if change is not None:
                    await _plain(scope, receive, send, 403, change)
                    return
            await self.app(scope, receiving, answer.send)
        except TooLargeError:
            if not answer.started:
                await _plain(scope, receive, send, 413, too_large(scope.get("path", "")))

    def _at_the_door(
        self, scope: Scope, headers: dict[str, str], limit: int
    ) -> tuple[tuple[int, str] | None, bool]:
        """Return (status, why) if a request is refused before its body is read, or None;
        and whether it gave the server's token in its address (to keep as a cookie)."""
        if self.loopback_only and _hostname(headers.get("host", "")) not in LOOPBACK_HOSTS:
            # Another name for this machine is how a page elsewhere reaches a local server.
            return (403, "this server answers only to 127.0.0.1 and localhost"), False
        from_query = False
        if self.token is not None:
            given, from_query = _token_given(scope, headers)
            if given is None:
                return (401, "a token is needed: open the address pcndocs printed"), False
            if not secrets.compare_digest(given.encode(), self.token.encode()):
                return (403, "the token is wrong: open the address pcndocs printed"), False
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return (413, too_large(scope.get("path", ""))), False
        return None, from_query


def too_large(path: str) -> str:
    """Return the line refusing a request over its limit, naming what the page sent."""
    limit = f"{body_limit(path) // 1_048_576} MB"
    if path.startswith(NATIONAL_PATHS):
        return (
            f"the ePCN workbook and the list sizes uploaded are larger than {limit} together; "
            "the national files are a few MB each"
        )
    if path.startswith(("/api/", "/open")):
        return f"the profile sent is larger than {limit}; a profile is at most 1 MB"
    return f"the form sent is larger than {limit}; the form of the largest profile is smaller"


def _session(headers: dict[str, str]) -> tuple[str, bool]:
    """Return the browser's session from its cookie, or a new one; and whether it is new."""
    session = _cookie(headers, SESSION_COOKIE)
    if session is None or not _SESSION.match(session):
        return secrets.token_urlsafe(24), True
    return session, False


class _CountedBody:
    """The request's body as the application reads it, refused (TooLargeError) past a limit."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self._limit = limit
        self._received = 0

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit:
                raise TooLargeError
        return message


class _GuardedAnswer:
    """The application's answer, with the guard's cookies added."""

    def __init__(self, send: Send, cookies: list[str]) -> None:
        self._send = send
        self._cookies = cookies
        self.started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            answer = MutableHeaders(raw=list(message.get("headers", [])))
            for cookie in self._cookies:
                answer.append("set-cookie", cookie)
            message["headers"] = answer.raw
        await self._send(message)


class SecureHeaders:
    """The security headers on every answer: the outermost layer of the application.

    Outside Starlette's ServerErrorMiddleware, whose 500 no middleware inside it sees. A
    page that sets its own Content-Security-Policy (a document's preview) keeps it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = MutableHeaders(raw=list(message.get("headers", [])))
                if "content-security-policy" not in answer:
                    answer.append("content-security-policy", CONTENT_SECURITY_POLICY)
                for name, value in SECURITY_HEADERS:
                    answer.append(name, value)
                message["headers"] = answer.raw
            await send(message)

        await self.app(scope, receive, secured)


async def _change_refused(
    scope: Scope, headers: dict[str, str], expected: str, receive: Receive
) -> tuple[str | None, Receive]:
    """Return why a request that may change something is refused, or None; and the receive
    that gives the application the whole body (the part read for the token first)."""
    refusal = _foreign(headers)
    if refusal is not None or _script_to_api(scope, headers):
        return refusal, receive
    given = headers.get(PAGE_TOKEN_HEADER)
    if given is None:
        given, receive = await _first_field(headers, receive)
    if given is None or not secrets.compare_digest(given.encode(), expected.encode()):
        return (
            "refused: this request did not come from this pcndocs page "
            "(its token is missing or out of date); reload the page and try again"
        ), receive
    return None, receive


def _hostname(host: str) -> str:
    """Return the name in a Host header, without its port."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _foreign(headers: dict[str, str]) -> str | None:
    """Return why a request comes from another site's page, or None if nothing says so.

    The origin a browser names must be the address it reached this server by (the Host,
    already checked), and Sec-Fetch-Site, where sent, must say the same origin: another
    port of this machine is "same-site", not the same origin, and is refused too.
    """
    origin = headers.get("origin")
    site = headers.get("sec-fetch-site")
    if origin == "null" and site == "same-origin":
        origin = None  # a browser set to send no referrer hides even its own origin
    if origin is not None and origin.lower() != f"http://{headers.get('host', '')}".lower():
        shown = origin if len(origin) <= 80 else origin[:80] + "..."
        return f"refused: a page of another site ({shown}) cannot change anything here"
    if site is not None and site.lower() not in ("same-origin", "none"):
        return f"refused: a page of another site ({site[:20]}) cannot change anything here"
    return None


def _script_to_api(scope: Scope, headers: dict[str, str]) -> bool:
    """Return whether a request is a script's call of the JSON API: no browser sent it.

    A browser names the origin of every POST (the Fetch standard), so a request with
    neither Origin nor Sec-Fetch-Site is no web page's.
    """
    return (
        str(scope.get("path", "")).startswith(SCRIPT_PATHS)
        and "origin" not in headers
        and "sec-fetch-site" not in headers
    )


async def _first_field(headers: dict[str, str], receive: Receive) -> tuple[str | None, Receive]:
    """Return the value of a posted form's first field if it is the token, and a receive
    that gives the app the whole body again, the part read here first.

    A form posted without JavaScript carries the token as its first field (the page puts
    it first), so only the start of the body is read, however large the rest.
    """
    kind = headers.get("content-type", "").lower()
    if not kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None, receive
    kept: deque[Message] = deque()
    prefix = b""
    while len(prefix) < PEEK_BYTES:
        message = await receive()
        kept.append(message)
        if message["type"] != "http.request":
            break
        prefix += message.get("body", b"")
        if not message.get("more_body", False):
            break

    async def replay() -> Message:
        return kept.popleft() if kept else await receive()

    if kind.startswith("multipart/"):
        return _first_part(prefix, headers.get("content-type", "")), replay
    name, _, value = prefix.split(b"&", 1)[0].partition(b"=")
    if unquote_plus(name.decode("latin-1")) != PAGE_TOKEN_FIELD:
        return None, replay
    return unquote_plus(value.decode("latin-1")), replay


def _first_part(prefix: bytes, content_type: str) -> str | None:
    """Return the value of a multipart body's first part if that part is the token."""
    found = _BOUNDARY.search(content_type)
    if found is None:
        return None
    boundary = (found.group(1) or found.group(2)).encode("latin-1")
    start = b"--" + boundary + b"\r\n"
    if not prefix.startswith(start):
        return None
    head, separator, rest = prefix[len(start) :].partition(b"\r\n\r\n")
    if not separator or f'name="{PAGE_TOKEN_FIELD}"'.encode() not in head:
        return None
    value, separator, _ = rest.partition(b"\r\n--" + boundary)
    return value.decode("latin-1") if separator else None


def _cookie(headers: dict[str, str], name: str) -> str | None:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except CookieError:
        return None
    return cookie[name].value if name in cookie else None


def _token_given(scope: Scope, headers: dict[str, str]) -> tuple[str | None, bool]:
    """Return the token a request carries (query, header or cookie) and if it was the query."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("token"):
        return query["token"][0], True
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), False
    return _cookie(headers, TOKEN_COOKIE), False


async def _plain(scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
    """Answer with one line of text, with every header the guard adds: a refusal."""
    await PlainTextResponse(f"{text}\n", status)(scope, receive, send)  # SecureHeaders' headers
