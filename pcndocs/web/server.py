"""Runs the web interface with uvicorn on a free port, and opens the browser."""

from __future__ import annotations

import contextlib
import errno
import socket
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import quote

import uvicorn

from pcndocs.errors import PcndocsError
from pcndocs.web.app import Settings, create_app
from pcndocs.workspace import is_profile_name

DEFAULT_PORT = 8765
PORTS_TRIED = 20


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
    config = uvicorn.Config(
        create_app(replace(settings, warm=True)),
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    say(f"pcndocs is running at {url}")
    say("Press Ctrl-C to stop it.")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(local,)).start()
    # Ctrl-C is how a server is meant to stop: uvicorn finishes the requests under way, stops
    # the build workers, then passes the signal on, which ends here.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    say("pcndocs stopped.")
