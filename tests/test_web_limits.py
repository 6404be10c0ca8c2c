"""The server bounded in every request: slow clients, huge forms, uploads, a short token."""

from __future__ import annotations

import copy
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml
from click.testing import CliRunner
from starlette.testclient import TestClient

from pcndocs.cli import cli
from pcndocs.errors import PcndocsError
from pcndocs.profile.model import MAX_ITEMS
from pcndocs.resources import example_profile
from pcndocs.web import national
from pcndocs.web.app import Settings, create_app, token_for
from pcndocs.web.server import (
    MOST_CONNECTIONS,
    BoundedH11Protocol,
    bind,
    server_config,
)

from .conftest import NATIONAL_DATA
from .webclient import PageClient

# End to end: builds documents, runs whole commands or servers (make test-fast leaves it out).
pytestmark = pytest.mark.e2e

TODAY = date(2026, 6, 1)
LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with PageClient(create_app(Settings(today=TODAY, workers=1)), base_url=LOCAL) as client:
        yield client


# --- the token -------------------------------------------------------------------------------


def test_a_token_shorter_than_16_characters_is_refused() -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--host", "0.0.0.0", "--token", "s3cret", "--no-browser"]
    )
    assert result.exit_code == 1
    assert result.output == (
        "error: --token is 6 characters; give at least 16, or leave it out and pcndocs makes one\n"
    )
    with pytest.raises(PcndocsError):
        token_for("127.0.0.1", "")
    assert token_for("0.0.0.0", "a" * 16) == "a" * 16


# --- slow clients ----------------------------------------------------------------------------


class _Quick(BoundedH11Protocol):
    header_seconds = 1.0
    idle_seconds = 1.0


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    """Return the address of a server whose deadlines are a second, running in this process."""
    sock = bind("127.0.0.1", 0, next_free=False)
    running = uvicorn.Server(server_config(create_app(Settings(today=TODAY)), _Quick))
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield "127.0.0.1", sock.getsockname()[1]
    running.should_exit = True
    thread.join(timeout=30)


def _closed_by_server(address: tuple[str, int], sent: bytes) -> bytes:
    """Send part of a request, then wait (at most a minute) for the server to hang up."""
    with socket.create_connection(address, timeout=60) as connection:
        connection.sendall(sent)
        answer = b""
        while chunk := connection.recv(65536):  # b"": the server closed the connection
            answer += chunk
        return answer


def test_a_client_slow_with_its_headers_is_cut_off(server: tuple[str, int]) -> None:
    # A "slowloris" sends a header now and then and never ends them.
    assert _closed_by_server(server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n") == b""


def test_a_client_silent_in_its_body_is_cut_off(server: tuple[str, int]) -> None:
    request = (
        b"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n"
        b"Content-Type: application/yaml\r\n\r\nnetwork:\n"
    )
    assert _closed_by_server(server, request) == b""


def test_a_client_that_sends_its_request_is_answered(server: tuple[str, int]) -> None:
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    assert _closed_by_server(server, request).startswith(b"HTTP/1.1 200")


def test_the_server_caps_connections_and_header_size() -> None:
    config = server_config(create_app(Settings(today=TODAY)))
    assert config.http is BoundedH11Protocol
    assert config.limit_concurrency == MOST_CONNECTIONS
    assert config.timeout_keep_alive == 5
    assert config.h11_max_incomplete_event_size == 16 * 1024


# --- forms -----------------------------------------------------------------------------------


def test_a_form_of_19000_practice_fields_is_refused_at_once(client: TestClient) -> None:
    fields = {f"practices[{n}].name": f"Practice {n}" for n in range(19_000)}
    started = time.monotonic()
    answer = client.post("/form/check", data=fields)
    assert answer.status_code == 413
    assert answer.text == (
        "error: the form has more than 8,000 fields; a profile of 200 practices and leads "
        "has fewer\n"
    )
    assert time.monotonic() - started < 60  # refused while being read, not after


@pytest.mark.parametrize("route", ["/edit", "/form/check", "/form/preview", "/download/profile"])
def test_a_form_with_more_practices_than_a_profile_may_hold_is_refused(
    client: TestClient, route: str
) -> None:
    fields = {f"practices[{n}].name": f"Practice {n}" for n in range(MAX_ITEMS + 1)}
    answer = client.post(route, data=fields)
    assert answer.status_code == 413
    assert answer.text == (
        f"error: “Practices”: the form has {MAX_ITEMS + 1}; a profile holds at most {MAX_ITEMS}\n"
    )


def test_a_profile_with_more_leads_than_it_may_hold_is_refused(client: TestClient) -> None:
    data: dict[str, Any] = yaml.safe_load(example_profile().read_text(encoding="utf-8"))
    data["leads"] = [copy.deepcopy(data["leads"][0]) for _ in range(MAX_ITEMS + 1)]
    answer = client.post("/api/check", content=yaml.safe_dump(data).encode())
    messages = [p["message"] for p in answer.json()["problems"] if p["key"] == "leads"]
    assert messages == [f"expected at most {MAX_ITEMS}, got {MAX_ITEMS + 1}"]


# --- uploads ---------------------------------------------------------------------------------


national_files = pytest.mark.skipif(
    not (NATIONAL_DATA / "ePCN-2019-12.xlsx").is_file(), reason="no national files here"
)


def _upload(client: TestClient, query: str = "") -> Any:
    with (NATIONAL_DATA / "ePCN-2019-12.xlsx").open("rb") as epcn:
        return client.post("/national", files={"epcn": ("ePCN.xlsx", epcn)}, data={"query": query})


@pytest.mark.national
@national_files
def test_one_upload_is_kept_per_session_and_the_earlier_is_released() -> None:
    with PageClient(create_app(Settings(today=TODAY, workers=1)), base_url=LOCAL) as client:
        first = _upload(client)
        assert first.status_code == 200, first.text
        assert client.cookies.get(national.SESSION_COOKIE)
        second = _upload(client)
        assert second.status_code == 200
        # The same browser: its first upload is forgotten, its second is kept.
        again = client.post("/national", data={"upload": _key(first.text), "query": "north"})
        assert again.status_code == 422
        assert "the uploaded files have expired; upload them again" in again.text
        kept = client.post("/national", data={"upload": _key(second.text), "query": "north"})
        assert kept.status_code == 200


def _key(page: str) -> str:
    return page.split('name="upload" value="', 1)[1].split('"', 1)[0]


@pytest.mark.national
@national_files
def test_an_upload_is_released_after_a_few_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    uploads = national.Uploads()
    epcn = NATIONAL_DATA / "ePCN-2019-12.xlsx"
    upload = uploads.add({"epcn": ("ePCN.xlsx", epcn)}, TODAY, "browser")
    assert uploads.get(upload.key) is upload
    monkeypatch.setattr(national, "KEPT_SECONDS", -1)  # as if the minutes had passed
    with pytest.raises(PcndocsError, match="expired"):
        uploads.get(upload.key)
    assert len(uploads) == 0


@pytest.mark.national
@national_files
def test_uploads_are_read_in_a_worker_bounded_in_memory_and_time() -> None:
    epcn = NATIONAL_DATA / "ePCN-2019-12.xlsx"
    with pytest.raises(PcndocsError, match="needed more than 64 MB"):
        national.parse_in_worker(epcn, None, TODAY, memory=64 << 20)
    with pytest.raises(PcndocsError, match=r"took longer than 0\.01 seconds"):
        national.parse_in_worker(epcn, None, TODAY, seconds=0.01)
    assert len(national.parse_in_worker(epcn, None, TODAY).networks) > 1000


def test_a_file_of_too_many_networks_is_refused(tmp_path: Path) -> None:
    from tests.importer.sample_files import EPCN_2019_DETAILS, EPCN_2019_PARTNERS, write_xlsx

    row = EPCN_2019_DETAILS[1]
    details = [
        EPCN_2019_DETAILS[0],
        *((f"U{n:05d}", f"PCN {n}", *row[2:]) for n in range(national.MAX_NETWORKS + 1)),
    ]
    path = write_xlsx(
        tmp_path / "e.xlsx",
        {"PCN Details": details, "PCN Core Partner Details": EPCN_2019_PARTNERS},
    )
    with pytest.raises(PcndocsError, match="an upload may hold at most 5,000"):
        national.parse_files(path, None, TODAY)
