"""Runs the web interface with uvicorn on a free port, and opens the browser."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from pcndocs.errors import PcndocsError
from pcndocs.output.workspace import is_profile_name
from pcndocs.web.app import Settings, create_app

DEFAULT_PORT = 8765
PORTS_TRIED = 20

# A client gets this long to send a request's headers, and may fall silent this long while
# sending its body; then the connection is closed. One that trickles a byte at a time (a
# "slowloris") cannot hold a connection for ever.
HEADER_SECONDS = 10.0
IDLE_SECONDS = 30.0
# Connections (and requests under way) at once; beyond, uvicorn answers 503 at once.
MOST_CONNECTIONS = 100
KEEP_ALIVE_SECONDS = 5
HEADER_BYTES = 16 * 1024  # the most a request's headers may hold


class BoundedH11Protocol(H11Protocol):
    """uvicorn's own HTTP/1.1 protocol, with deadlines for a request's headers and silence."""

    header_seconds = HEADER_SECONDS
    idle_seconds = IDLE_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._waiting_since = self._heard = self.loop.time()
        self.loop.call_later(self._tick(), self._watch)

    def data_received(self, data: bytes) -> None:
        self._heard = self.loop.time()
        super().data_received(data)

    def on_response_complete(self) -> None:
        self._waiting_since = self.loop.time()  # a keep-alive connection: the next headers
        super().on_response_complete()

    def _tick(self) -> float:
        return min(1.0, self.header_seconds / 2, self.idle_seconds / 2)

    def _watch(self) -> None:
        """Close a connection whose client is late with its headers, or silent in its body."""
        if self.transport.is_closing():
            return
        now = self.loop.time()
        cycle: Any = self.cycle
        awaiting_headers = cycle is None or cycle.response_complete
        awaiting_body = not awaiting_headers and cycle.more_body and not self.flow.read_paused
        late = awaiting_headers and now - self._waiting_since > self.header_seconds
        silent = awaiting_body and now - self._heard > self.idle_seconds
        if late or silent:
            self.transport.close()
            return
        self.loop.call_later(self._tick(), self._watch)


def server_config(app: Any, protocol: type[H11Protocol] = BoundedH11Protocol) -> uvicorn.Config:
    """Return uvicorn's settings for pcndocs: timeouts for slow clients, a cap on connections."""
    return uvicorn.Config(
        app,
        http=protocol,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=MOST_CONNECTIONS,
        h11_max_incomplete_event_size=HEADER_BYTES,
    )


def bind(host: str, port: int, next_free: bool) -> socket.socket:
    """Return a listening socket on host:port, or on the next free port if asked."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    last: OSError | None = None
    for candidate in range(port, port + (PORTS_TRIED if next_free else 1)):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
        except OSError as exc:
            sock.close()
            last = exc
            if exc.errno != errno.EADDRINUSE:
                break
            continue
        sock.listen(128)
        sock.set_inheritable(True)
        return sock
    reason = "in use" if last is not None and last.errno == errno.EADDRINUSE else str(last)
    tried = f"{port}" if not next_free else f"{port} to {port + PORTS_TRIED - 1}"
    raise PcndocsError(f"cannot listen on {host} port {tried}: {reason}")


def address(host: str, port: int, token: str | None, path: str = "/") -> str:
    """Return the address to open, with the token in it (as Jupyter does) if there is one."""
    shown = f"[{host}]" if ":" in host else host
    query = f"?token={quote(token)}" if token else ""
    return f"http://{shown}:{port}{path}{query}"


def serve(
    settings: Settings,
    port: int | None,
    open_browser: bool,
    say: Callable[[str], None],
) -> None:
    """Serve until Ctrl-C; print the address and open it in the browser."""
    sock = bind(settings.host, DEFAULT_PORT if port is None else port, next_free=port is None)
    actual = sock.getsockname()[1]
    start = "/given" if settings.profile else "/"
    if settings.profile and settings.workspace and is_profile_name(settings.profile.name):
        start = f"/networks/{settings.profile.name}"
    # Bound to every address: others reach it by this machine's name, and its browser locally.
    everywhere = settings.host in ("0.0.0.0", "::")
    shown = socket.gethostname() if everywhere else settings.host
    url = address(shown, actual, settings.token, start)
    local = address("127.0.0.1", actual, settings.token, start) if everywhere else url
    server = uvicorn.Server(server_config(create_app(replace(settings, warm=True))))
    say(f"pcndocs is running at {url}")
    say("Press Ctrl-C to stop it.")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(local,)).start()
    # Ctrl-C is how a server is meant to stop: uvicorn finishes the requests under way, stops
    # the build workers, then passes the signal on, which ends here.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    say("pcndocs stopped.")
