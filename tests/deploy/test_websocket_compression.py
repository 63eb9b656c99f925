"""The websocket's compression: refused by the app as a laptop runs it (``.streamlit/config.toml``: over
the loopback it costs processor time and saves none), agreed when the shared deployment's environment
(``deploy/essdash.env.example``) turns it on. What a browser offers, the server's handshake answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from essdash.store import db
from essdash.tools.bench_browser import served

ROOT = Path(__file__).resolve().parents[2]


def _deployment_setting(name: str) -> str:
    lines = (ROOT / "deploy" / "essdash.env.example").read_text(encoding="utf-8").splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith(f"{name}="))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('ws') / 'demo.db'}"
    db.init_db(url, dataset="demo").dispose()
    return url


def _agreed_extensions(database_url: str, env: dict[str, str]) -> str | None:
    with served(ROOT / "app.py", database_url, env=env) as url:
        stream = url.replace("http://", "ws://") + "/_stcore/stream"
        with connect(stream, subprotocols=[Subprotocol("streamlit")], compression="deflate") as socket:
            return socket.response.headers.get("Sec-WebSocket-Extensions")


def test_a_laptop_sends_its_messages_uncompressed(demo_file):
    assert _agreed_extensions(demo_file, {}) is None


def test_the_shared_deployment_compresses_them(demo_file):
    name = "STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION"
    agreed = _agreed_extensions(demo_file, {name: _deployment_setting(name)})
    assert agreed is not None and agreed.startswith("permessage-deflate")
