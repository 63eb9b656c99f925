"""Only this app's own names reach its server: a guard against DNS rebinding.

The server listens on 127.0.0.1, but a web page the local person visits can make its own name
resolve to 127.0.0.1 and then talk to the dashboard as a page of that name: download or restore the
base, websocket included. What it cannot change is the ``Host`` header the browser sends, which
names that page's site. :class:`TrustedHosts`, the outermost ASGI middleware of ``st.App``
(:func:`essdash.ui.landing.middleware`), lets a request or a websocket through only when its
``Host`` (any port) is:

- a loopback name or address: ``localhost``, ``127.0.0.1``, ``[::1]``;
- in shared mode, also the host of ``[auth] redirect_uri`` (the public name behind the reverse
  proxy) and the names of ``ESSDASH_ALLOWED_HOSTS`` (:func:`essdash.store.config.allowed_hosts`).

Anything else, a missing, repeated or malformed ``Host`` included, gets a 400 with a French body; a
websocket upgrade is refused before it opens (a 400 when the server offers the ASGI websocket
denial response, else a close, which the server answers with a 403).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from essdash.domain.errors import ConfigurationError
from essdash.store.config import HOST_NAME, get_settings

LOOPBACK = frozenset({"localhost", "127.0.0.1", "[::1]"})
REFUSAL = (
    "Adresse refusée : ce tableau de bord ne répond qu'à ses propres noms (en-tête Host « {host} »). "
    "Ouvrez-le à l'adresse http://127.0.0.1:PORT en mode poste local, ou à son adresse publique en mode partagé."
)
POLICY_VIOLATION = 1008  # websocket close code


def host_name(value: str | None) -> str | None:
    """The host of a ``Host`` header (or a URL's netloc) without its port, lower-cased, IPv6 in
    brackets; ``None`` when missing or malformed."""
    value = (value or "").strip().lower()
    if value.startswith("["):
        name, bracket, port = value[1:].partition("]")
        name, rest = f"[{name}]", port
        if not bracket:
            return None
    else:
        name, colon, port = value.partition(":")
        rest = colon + port
    if rest and not (rest.startswith(":") and rest[1:].isascii() and rest[1:].isdigit()):
        return None
    return name if HOST_NAME.fullmatch(name) else None


def allowed(redirect_uri: str | None) -> frozenset[str]:
    """The host names this server answers as: loopback, and in shared mode the host of
    ``redirect_uri`` and those of ``ESSDASH_ALLOWED_HOSTS``. A wrong setting leaves loopback only."""
    try:
        settings = get_settings()
    except ConfigurationError:
        return LOOPBACK
    if not settings.shared:
        return LOOPBACK
    public = host_name(urlsplit(redirect_uri).netloc.rpartition("@")[2]) if redirect_uri else None
    return LOOPBACK | set(settings.allowed_hosts) | ({public} if public else set())


def _redirect_uri() -> str | None:
    """``[auth] redirect_uri`` from Streamlit's secrets, if configured."""
    import streamlit as st

    try:
        value = st.secrets.get("auth", {}).get("redirect_uri")
    except (FileNotFoundError, OSError, AttributeError):
        return None
    return str(value) if value else None


def trusted(scope) -> bool:
    """Whether the request's one ``Host`` header names this server."""
    hosts = [value.decode("latin-1") for name, value in scope.get("headers", []) if name == b"host"]
    return len(hosts) == 1 and host_name(hosts[0]) in allowed(_redirect_uri())


class TrustedHosts:
    """ASGI middleware: refuse http requests and websocket upgrades whose ``Host`` is not this server's."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket") and not trusted(scope):
            await self._refuse(scope, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope, send) -> None:
        shown = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
        body = REFUSAL.format(host=shown[:100]).encode("utf-8")
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        if scope["type"] == "http":
            prefix = "http.response"
        elif "websocket.http.response" in scope.get("extensions", {}):
            prefix = "websocket.http.response"
        else:
            await send({"type": "websocket.close", "code": POLICY_VIOLATION})
            return
        await send({"type": f"{prefix}.start", "status": 400, "headers": headers})
        await send({"type": f"{prefix}.body", "body": body})
