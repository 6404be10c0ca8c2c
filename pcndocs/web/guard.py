"""The server's gate: who may ask (host and token), how much they may send, what headers go back.

An ASGI middleware rather than one check per route, so no route can forget it: static
files and errors get the same headers and the same limits as everything else.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TOKEN_COOKIE = "pcndocs_token"
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
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class TooLargeError(Exception):
    """The request's body passed its limit while being read."""


def body_limit(path: str) -> int:
    """Return the most bytes a request to a path may send."""
    if path.startswith("/national"):
        return NATIONAL_BYTES
    if path.startswith(("/api/", "/open")):
        return PROFILE_BYTES + 64 * 1024  # room for a multipart envelope around 1 MB
    return FORM_BYTES


def is_loopback(host: str) -> bool:
    """Return whether an address to bind is this machine only."""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


class Guard:
    """Refuses requests from the wrong host or without the token, and bodies too large."""

    def __init__(self, app: App, token: str | None, loopback_only: bool) -> None:
        self.app = app
        self.token = token
        self.loopback_only = loopback_only

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
            await _plain(send, 413, f"the request is larger than {limit // 1_048_576} MB")
            return
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
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except TooLargeError:
            if not started:
                await _plain(send, 413, f"the request is larger than {limit // 1_048_576} MB")


def _hostname(host: str) -> str:
    """Return the name in a Host header, without its port."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _token_given(scope: Scope, headers: dict[str, str]) -> tuple[str | None, bool]:
    """Return the token a request carries (query, header or cookie) and if it was the query."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("token"):
        return query["token"][0], True
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), False
    cookie = SimpleCookie()
    cookie.load(headers.get("cookie", ""))
    if TOKEN_COOKIE in cookie:
        return cookie[TOKEN_COOKIE].value, False
    return None, False


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
