"""The deployment of deploy/ run on loopback for a test or a measurement: Streamlit processes of app.py
(one per port, as essdash@PORT.service starts them) and Debian's nginx in front of them, with the
upstream of ``deploy/nginx/essdash-upstream.conf`` (its ports replaced) and the locations of
``deploy/nginx/essdash-locations.conf`` (included as they are), in a prefix of its own: no system
service, root or not.

nginx's access log names, for every request, the route key it hashed and the process that answered
(:func:`served_by`), so a test knows which process served a browser without the app telling it.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.browser.servers import stop

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT_DIR / "deploy" / "nginx"
UPSTREAM = DEPLOY / "essdash-upstream.conf"
LOCATIONS = DEPLOY / "essdash-locations.conf"
NGINX = "/usr/sbin/nginx"
START_TIMEOUT = 60.0
SERVER_LINE = re.compile(r"^(\s*server\s+)127\.0\.0\.1:\d+(.*)$", re.MULTILINE)
ROUTE_COOKIE = "essdash_route"
LOG_FORMAT = '$essdash_route $upstream_addr $status "$request"'


def nginx_path() -> str | None:
    """Debian's nginx, or the one on the PATH; None if there is none."""
    return NGINX if os.path.exists(NGINX) else shutil.which("nginx")


def upstream(ports: list[int]) -> str:
    """``essdash-upstream.conf`` with one ``server`` line per port of ``ports``, each with the
    parameters (health checks) of the file's first server line."""
    text = UPSTREAM.read_text(encoding="utf-8")
    lines = SERVER_LINE.findall(text)
    if not lines:
        raise ValueError(f"{UPSTREAM} has no « server 127.0.0.1:PORT » line")
    head, tail = lines[0]
    servers = "\n".join(f"{head}127.0.0.1:{port}{tail}" for port in ports)
    first = SERVER_LINE.search(text)
    rest = SERVER_LINE.sub("", text[first.end() :])
    return text[: first.start()] + servers + re.sub(r"\n(\s*\n)+", "\n", rest)


def config(prefix: Path, port: int, ports: list[int]) -> str:
    """A whole nginx.conf: the site's upstream and locations behind a plain-HTTP loopback listener,
    everything nginx writes kept under ``prefix``."""
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} notice;\n"
        "events { worker_connections 2048; }\n"
        "http {\n"
        f"{temp}\n"
        f"{upstream(ports)}\n"
        f"    log_format essdash '{LOG_FORMAT}';\n"
        f"    access_log {prefix / 'access.log'} essdash;\n"
        "    server {\n"
        f"        listen 127.0.0.1:{port};\n"
        "        server_name localhost;\n"
        f"        include {LOCATIONS};\n"
        "    }\n"
        "}\n"
    )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait(url: str, proc: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(url):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}:\n{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{what} did not answer within {START_TIMEOUT:.0f} s:\n{log.read_text(errors='replace')}"
            )
        time.sleep(0.2)


def _listening(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"nginx does not listen on port {port}:\n" + log.read_text(errors="replace"))
        time.sleep(0.1)


@contextmanager
def running_nginx(prefix: Path, port: int, ports: list[int], *, apps_up: bool = True) -> Iterator[str]:
    """nginx on 127.0.0.1:``port`` in front of the processes on ``ports``; yields its URL once a
    request through it reaches a process (``apps_up``: one of them must be up), else once it listens."""
    nginx = nginx_path()
    if nginx is None:
        raise RuntimeError("nginx is not installed (Debian package nginx)")
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(config(prefix, port, ports), encoding="utf-8")
    log = prefix / "nginx.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        if apps_up:
            _wait(url, proc, prefix / "error.log", "nginx")
        else:
            _listening(port, proc, prefix / "error.log")
        yield url
    finally:
        stop(proc)


def start_app(port: int, env: Mapping[str, str], log: Path) -> subprocess.Popen:
    """``streamlit run app.py`` on 127.0.0.1:``port``, with the options of essdash@.service; returned
    once its health endpoint answers. The caller stops it (:func:`stop_app`)."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
            + ["--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
            + ["--browser.gatherUsageStats", "false"],
            cwd=PROJECT_DIR,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(f"http://127.0.0.1:{port}", proc, log, f"streamlit on port {port}")
    except BaseException:
        stop(proc)
        raise
    return proc


def stop_app(proc: subprocess.Popen) -> None:
    stop(proc)


@contextmanager
def running_apps(ports: list[int], env: Mapping[str, str], folder: Path) -> Iterator[dict[int, subprocess.Popen]]:
    """One app process per port (logs in ``folder``), all stopped at the end."""
    procs: dict[int, subprocess.Popen] = {}
    try:
        for port in ports:
            procs[port] = start_app(port, env, folder / f"streamlit-{port}.log")
        yield procs
    finally:
        for proc in procs.values():
            stop(proc)


def served_by(access_log: Path) -> list[tuple[str, int | None, str]]:
    """The access log's requests: (route key, port of the process that answered last or None, request)."""
    entries = []
    for line in access_log.read_text(errors="replace").splitlines():
        route, rest = line.split(" ", 1)
        addresses, _, request = rest.partition(' "')
        last = addresses.rsplit(" ", 1)[0].split(",")[-1].strip()
        port = int(last.rsplit(":", 1)[1]) if re.fullmatch(r"127\.0\.0\.1:\d+", last) else None
        entries.append((route, port, request.rstrip('"')))
    return entries
