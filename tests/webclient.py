"""A test client that posts as the server's own page does: same origin, with the page's token."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

_TOKEN = re.compile(r'<meta name="pcndocs-token" content="([^"]+)"')


class PageClient(TestClient):
    """A TestClient holding a session of the page: its cookie, its Origin and its token.

    Every request other than GET must come from the server's own page (pcndocs/web/guard.py);
    this client opens the start page once, as a browser would, and sends what that page sends.
    """

    def __enter__(self) -> PageClient:
        super().__enter__()
        self.headers["Origin"] = str(self.base_url).rstrip("/")
        self.take_token()
        return self

    def take_token(self, path: str = "/", **kwargs: Any) -> str:
        """Open a page and keep its token for the posts that follow; return the token."""
        found = _TOKEN.search(self.get(path, **kwargs).text)
        token = found.group(1) if found else ""
        if token:
            self.headers["X-Pcndocs-Token"] = token
        return token
