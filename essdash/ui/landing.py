"""After login, land on the link the person opened: the page and its filters
(``/projets?territoire=roubaisien``), not the home page.

Streamlit's ``st.login`` sends the browser to ``/auth/login`` from the page it is on, and its OpenID
callback (``/oauth2callback``) always answers with a redirect to the app's root. :class:`Landing`, an
ASGI middleware of ``st.App`` that runs before Streamlit's routes, closes the loop on the server:

- on ``/auth/login``, it reads the page the login started from (the ``Referer`` of that same-site
  navigation), keeps its path and query only, and stores them in a short-lived cookie signed with the
  ``[auth]`` cookie secret (HMAC-SHA256, :data:`MAX_AGE` seconds);
- on ``/oauth2callback``, when that cookie is present, signed and fresh, it turns the callback's redirect
  to the root into a redirect to that path, and deletes the cookie.

Only a path of this app is ever kept (:func:`wanted`): never another site (the ``Referer``'s host must be
this app's), never a scheme-relative ``//…``, never Streamlit's own routes; so no open redirect. Without
a ``Referer`` (a browser set not to send one) the person lands on the home page, as before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

COOKIE = "essdash_landing"
MAX_AGE = 600  # seconds between the click on « Se connecter » and the return from the provider
LOGIN_PATH = "/auth/login"
CALLBACK_PATH = "/oauth2callback"
STREAMLIT_PATHS = ("/auth/", CALLBACK_PATH, "/_stcore", "/static/", "/app/static/", "/component/", "/media/")


def app_path(target: str) -> bool:
    """Whether ``target`` is a path (and query) of this app worth landing on: a plain ASCII path (not
    ``//…``, no backslash or control character), not Streamlit's own routes, not the bare root."""
    path = target.split("?", 1)[0]
    within = path.rstrip("/") + "/"
    return (
        target.isascii()
        and path.startswith("/")
        and not path.startswith("//")
        and "\\" not in target
        and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)
        and not any(within.startswith(prefix.rstrip("/") + "/") for prefix in STREAMLIT_PATHS)
        and target != "/"
    )


def wanted(referer: str | None, hosts: set[str]) -> str | None:
    """The path and query of this app that ``referer`` names, if on one of ``hosts`` and
    :func:`app_path`; else ``None``."""
    try:
        parts = urlsplit(referer or "")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in hosts:
        return None
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    return target if app_path(target) else None


def sign(target: str, secret: str, now: float) -> str:
    """The cookie's value: the target (URL-safe base64), when it was made, and their signature."""
    payload = f"{base64.urlsafe_b64encode(target.encode()).decode()}.{int(now)}"
    return f"{payload}.{_mac(payload, secret)}"


def unsign(value: str | None, secret: str, now: float) -> str | None:
    """The target a cookie value carries, if signed with ``secret``, not older than :data:`MAX_AGE` and
    a path of this app; else ``None``."""
    if not value or value.count(".") != 2:
        return None
    payload, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(payload, secret)):
        return None
    encoded, made = payload.split(".")
    try:
        target = base64.urlsafe_b64decode(encoded.encode()).decode()
        fresh = 0 <= now - int(made) <= MAX_AGE
    except ValueError:
        return None
    return target if fresh and app_path(target) else None


def _mac(payload: str, secret: str) -> str:
    return hmac.new(f"{COOKIE}:{secret}".encode(), payload.encode(), hashlib.sha256).hexdigest()


def _secret() -> str | None:
    """The ``[auth]`` cookie secret (the one Streamlit signs its login cookie with), if configured."""
    import streamlit as st

    try:
        auth = st.secrets.get("auth", {})
    except (FileNotFoundError, OSError):
        return None
    secret = auth.get("cookie_secret") if hasattr(auth, "get") else None
    return str(secret) if secret else None


def _hosts(scope) -> set[str]:
    """The hosts this app answers as: the request's ``Host`` and the one of ``[auth] redirect_uri``."""
    import streamlit as st

    hosts = {value.decode("latin-1").lower() for name, value in scope.get("headers", []) if name == b"host"}
    try:
        redirect = st.secrets.get("auth", {}).get("redirect_uri")
    except (FileNotFoundError, OSError, AttributeError):
        redirect = None
    if redirect:
        hosts.add(urlsplit(str(redirect)).netloc.lower())
    return hosts


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _cookie_header(value: str, max_age: int) -> tuple[bytes, bytes]:
    return (b"set-cookie", f"{COOKIE}={value}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax".encode("latin-1"))


def middleware() -> list:
    """The middleware list of ``st.App``, outermost first: :class:`~essdash.ui.hosts.TrustedHosts`
    (only this app's own names get in), then :class:`Landing`."""
    from starlette.middleware import Middleware

    from essdash.ui.hosts import TrustedHosts

    return [Middleware(TrustedHosts), Middleware(Landing)]


class Landing:
    """ASGI middleware: remember on ``/auth/login`` the page the login started from; send the person
    there from ``/oauth2callback``."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.endswith(LOGIN_PATH):
            send = self._remembering(scope, send)
        elif path.endswith(CALLBACK_PATH):
            send = self._landing(scope, send)
        await self.app(scope, receive, send)

    @staticmethod
    def _remembering(scope, send):
        secret = _secret()
        target = wanted(_header(scope, b"referer"), _hosts(scope)) if secret else None

        async def sending(message) -> None:
            if target and secret and message["type"] == "http.response.start":  # a target only with a secret
                cookie = _cookie_header(sign(target, secret, time.time()), MAX_AGE)
                message = {**message, "headers": [*message.get("headers", []), cookie]}
            await send(message)

        return sending

    @staticmethod
    def _landing(scope, send):
        secret = _secret()
        jar = SimpleCookie()
        jar.load(_header(scope, b"cookie") or "")
        carried = jar[COOKIE].value if COOKIE in jar else None
        target = unsign(carried, secret, time.time()) if carried and secret else None

        async def sending(message) -> None:
            if carried and message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if target and message.get("status") in (302, 303, 307):
                    headers = [(k, v) for k, v in headers if k != b"location"]
                    headers.append((b"location", target.encode("latin-1")))
                message = {**message, "headers": [*headers, _cookie_header("", 0)]}
            await send(message)

        return sending
