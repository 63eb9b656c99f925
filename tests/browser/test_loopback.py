"""The README's command serves the loopback address only: ``streamlit run app.py`` (with nothing but a
port on the command line, the address coming from ``.streamlit/config.toml``) listens on 127.0.0.1 and
on no other interface, so that nobody else on the network reaches a laptop's dashboard."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.browser.servers import free_port, stop

PROJECT_DIR = Path(__file__).resolve().parents[2]
LISTEN = "0A"  # TCP state in /proc/net/tcp


def _listeners(port: int) -> list[str]:
    """The local addresses (hex, as the kernel writes them) listening on ``port``, IPv4 and IPv6."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == LISTEN:
                found.append(address)
    return found


def test_the_documented_command_listens_on_loopback_only(tmp_path):
    port = free_port()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'base.db'}", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    log = open(tmp_path / "streamlit.log", "wb")  # noqa: SIM115 (held by the server until it stops)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "streamlit.log").read_text(errors="replace")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline, "streamlit did not answer within 60 s"
                time.sleep(0.3)
        assert _listeners(port) == ["0100007F"]  # 127.0.0.1, and no 0.0.0.0 or :: listener
    finally:
        stop(proc)
        log.close()
