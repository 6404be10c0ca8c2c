"""The server's gate: who may ask (host and token), who may change things, how much they may
send, what headers go back.

An ASGI middleware rather than one check per route, so no route can forget it: static
files and errors get the same headers and the same limits as everything else, and a route
added later is guarded without a line of its own.

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
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, unquote_plus

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

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
    (b"x-content-type-options", b"nosniff"),
    # Not no-referrer: under it a browser names the origin of a form's POST as "null", and
    # the guard could not tell this page's posts from a sandboxed frame's. Nothing goes elsewhere.
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
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


def is_loopback(host: str) -> bool:
    """Return whether an address to bind is this machine only."""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


class Guard:
    """Refuses requests from the wrong host or without the token, changes asked by anything
    but this server's own page, and bodies too large."""

    def __init__(self, app: App, token: str | None, loopback_only: bool) -> None:
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
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.loopback_only and _hostname(headers.get("host", "")) not in LOOPBACK_HOSTS:
            # Another name for this machine is how a page elsewhere reaches a local server.
            await _plain(send, 403, "this server answers only to 127.0.0.1 and localhost")
            return
        set_cookie = False
        if self.token is not None:
            given, from_query = _token_given(scope, headers)
            if given is None:
                await _plain(send, 401, "a token is needed: open the address pcndocs printed")
                return
            if not secrets.compare_digest(given.encode(), self.token.encode()):
                await _plain(send, 403, "the token is wrong: open the address pcndocs printed")
                return
            set_cookie = from_query
        limit = body_limit(scope.get("path", ""))
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await _plain(send, 413, too_large(scope.get("path", "")))
            return
        session = _cookie(headers, SESSION_COOKIE)
        new_session = session is None or not _SESSION.match(session)
        if new_session:
            session = secrets.token_urlsafe(24)
        assert session is not None
        expected = self.page_token_for(session)
        _page_token.set(expected)  # the pages drawn for this request carry it
        started = False
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = list(SECURITY_HEADERS)
                present = {k.lower() for k, _v in message.get("headers", [])}
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                if set_cookie and self.token is not None:
                    cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                    extra.append((b"set-cookie", cookie.encode()))
                if new_session:
                    # Lax, not Strict: a link followed from elsewhere must not start a new
                    # session and so expire the token of a page already open.
                    cookie = f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"
                    extra.append((b"set-cookie", cookie.encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        receiving: Receive = counted_receive
        try:
            if scope.get("method", "GET").upper() not in SAFE_METHODS:
                refusal = _foreign(headers)
                if refusal is None and not _script_to_api(scope, headers):
                    given = headers.get(PAGE_TOKEN_HEADER)
                    if given is None:
                        given, receiving = await _first_field(headers, counted_receive)
                    if given is None or not secrets.compare_digest(
                        given.encode(), expected.encode()
                    ):
                        refusal = (
                            "refused: this request did not come from this pcndocs page "
                            "(its token is missing or out of date); reload the page and try again"
                        )
                if refusal is not None:
                    await _plain(send, 403, refusal)
                    return
            await self.app(scope, receiving, guarded_send)
        except TooLargeError:
            if not started:
                await _plain(send, 413, too_large(scope.get("path", "")))


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


async def _plain(send: Send, status: int, text: str) -> None:
    body = f"{text}\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
