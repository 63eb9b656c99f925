"""The local servers the browser tests drive: a free loopback port, a ``streamlit run`` subprocess
polled until its health endpoint answers, and stopping a subprocess.

No Playwright here, so that conftest.py can import it before knowing whether Playwright is installed.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

SERVER_START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def streamlit_server(
    script: str, cwd: Path, env: Mapping[str, str], log_path: Path, port: int | None = None
) -> Iterator[str]:
    """``streamlit run script`` from ``cwd`` on 127.0.0.1 (on ``port``, or a free one); yields its base URL
    once /_stcore/health answers (no page is requested), and stops it on exit.

    Streamlit reads ``.streamlit/config.toml`` and ``secrets.toml`` from ``cwd`` and from the script's folder.
    """
    port = free_port() if port is None else port
    log = open(log_path, "wb")  # noqa: SIM115 (held by the server process until the context ends)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",  # the code does not change under a test: no module reloads
            "none",
        ],
        cwd=cwd,
        env=dict(env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with code {proc.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit did not answer within {SERVER_START_TIMEOUT:.0f} s:\n"
                    f"{log_path.read_text(errors='replace')}"
                )
            time.sleep(0.2)
        yield base_url
    finally:
        stop(proc)
        log.close()
