"""Only the app's own names reach its server (:mod:`essdash.ui.hosts`), against DNS rebinding: the
middleware driven as an ASGI app with fake http and websocket scopes, then a real ``streamlit run
app.py`` sent an HTTP request and a websocket upgrade with a foreign and with a loopback ``Host``."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
from pathlib import Path

import pytest

from essdash.ui import hosts, landing
from tests.browser.servers import streamlit_server

PROJECT_DIR = Path(__file__).resolve().parents[2]
REDIRECT = "https://ess.exemple.fr/oauth2callback"


def _through(kind: str, host: str | list[str] | None, extensions: dict | None = None) -> tuple[bool, list[dict]]:
    """Whether the middleware let a request of ``kind`` with that ``Host`` through, and what it sent."""
    reached, sent = [], []

    async def app(scope, receive, send):
        reached.append(scope)

    async def send(message):
        sent.append(message)

    values = [host] if isinstance(host, str) else host or []
    scope = {"type": kind, "path": "/_stcore/stream", "headers": [(b"host", v.encode("latin-1")) for v in values]}
    if extensions is not None:
        scope["extensions"] = extensions
    asyncio.run(hosts.TrustedHosts(app)(scope, None, send))
    return bool(reached), sent


@pytest.fixture
def local(monkeypatch):
    monkeypatch.delenv("ESSDASH_MODE", raising=False)
    monkeypatch.delenv("ESSDASH_ALLOWED_HOSTS", raising=False)
    monkeypatch.setattr(hosts, "_redirect_uri", lambda: REDIRECT)


@pytest.mark.parametrize("kind", ["http", "websocket"])
@pytest.mark.parametrize(
    "host, allowed",
    [
        ("127.0.0.1:8501", True),
        ("localhost:8501", True),
        ("LOCALHOST", True),
        ("[::1]:8501", True),
        ("127.0.0.1", True),
        ("evil.example:8501", False),  # a rebound name
        ("ess.exemple.fr", False),  # the public name means nothing in « poste local » mode
        ("localhost.:8501", False),  # a name resolved by DNS, not the loopback one
        ("127.0.0.1.evil.example", False),
        ("evil@127.0.0.1:8501", False),
        ("127.0.0.1:8501:80", False),
        ("127.0.0.1:", False),
        ("[::1", False),
        ("", False),
        (None, False),  # no Host at all
        (["127.0.0.1:8501", "evil.example"], False),  # two Host headers
    ],
)
def test_local_mode_answers_only_its_loopback_names(local, kind, host, allowed):
    through, sent = _through(kind, host)
    assert through is allowed
    if not allowed and kind == "http":
        assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 400
        assert "Adresse refusée" in sent[1]["body"].decode("utf-8")


def test_a_refused_websocket_is_closed_before_it_opens(local):
    through, sent = _through("websocket", "evil.example:8765")
    assert not through and sent == [{"type": "websocket.close", "code": hosts.POLICY_VIOLATION}]
    through, sent = _through("websocket", "evil.example:8765", {"websocket.http.response": {}})
    assert not through
    assert [m["type"] for m in sent] == ["websocket.http.response.start", "websocket.http.response.body"]
    assert sent[0]["status"] == 400 and "Adresse refusée" in sent[1]["body"].decode("utf-8")


def test_shared_mode_adds_the_redirect_host_and_the_configured_names(local, monkeypatch):
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    monkeypatch.setenv("ESSDASH_ALLOWED_HOSTS", "tableau.exemple.fr, ess-interne")
    for host in ("ess.exemple.fr", "ESS.exemple.fr:443", "tableau.exemple.fr", "ess-interne:8501", "127.0.0.1:8501"):
        assert _through("websocket", host)[0], host
    for host in ("evil.example", "exemple.fr", "autre.ess.exemple.fr"):
        assert not _through("http", host)[0], host


def test_a_wrong_setting_leaves_loopback_only(local, monkeypatch):
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    monkeypatch.setenv("ESSDASH_ALLOWED_HOSTS", "*.exemple.fr")
    assert not _through("http", "ess.exemple.fr")[0]
    assert _through("http", "127.0.0.1:8501")[0]


def test_the_app_puts_the_guard_outermost():
    assert [m.cls for m in landing.middleware()] == [hosts.TrustedHosts, landing.Landing]


def _exchange(port: int, request: bytes) -> bytes:
    """The head of the server's answer to a raw HTTP/1.1 request."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer


def _upgrade(host: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


def _get(host: str) -> bytes:
    return f"GET /_stcore/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()


def test_the_real_server_refuses_a_foreign_host_websocket_included(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESSDASH_")}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'base.db'}", "PYTHONUNBUFFERED": "1"})
    with streamlit_server("app.py", PROJECT_DIR, env, tmp_path / "streamlit.log") as url:
        port = int(url.rsplit(":", 1)[1])
        for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
            assert _exchange(port, _get(host)).startswith(b"HTTP/1.1 200"), host
            assert _exchange(port, _upgrade(host)).startswith(b"HTTP/1.1 101"), host
        refused = _exchange(port, _get(f"evil.example:{port}"))
        assert refused.startswith(b"HTTP/1.1 400")
        upgrade = _exchange(port, _upgrade(f"evil.example:{port}"))
        assert upgrade.split(b"\r\n", 1)[0] == b"HTTP/1.1 400 Bad Request", upgrade
