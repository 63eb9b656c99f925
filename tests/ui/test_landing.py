"""The landing after login (:mod:`essdash.ui.landing`): which links are kept (a path of this app only),
the signed short-lived cookie, and the middleware around Streamlit's ``/auth/login`` and
``/oauth2callback`` driven as an ASGI app (the browser test in tests/browser/test_login.py runs the
real flow)."""

from __future__ import annotations

import asyncio

import pytest

from essdash.ui import landing

HOSTS = {"tableau.mel.fr"}
SECRET = "un-secret-de-test"


@pytest.mark.parametrize(
    "referer, expected",
    [
        ("https://tableau.mel.fr/projets?territoire=roubaisien", "/projets?territoire=roubaisien"),
        ("http://tableau.mel.fr/equite", "/equite"),
        ("https://ailleurs.example/projets?territoire=roubaisien", None),  # another site
        ("https://tableau.mel.fr//ailleurs.example/x", None),  # scheme-relative: another site
        ("https://tableau.mel.fr/", None),  # the root: nothing to remember
        ("https://tableau.mel.fr/auth/login?provider=x", None),
        ("https://tableau.mel.fr/oauth2callback?code=x", None),
        ("https://tableau.mel.fr/_stcore/health", None),
        ("javascript:alert(1)", None),
        (None, None),
    ],
)
def test_only_a_path_of_this_app_is_kept(referer, expected):
    assert landing.wanted(referer, HOSTS) == expected


def test_the_cookie_is_signed_and_short_lived():
    value = landing.sign("/projets?territoire=roubaisien", SECRET, now=1_000_000)
    assert landing.unsign(value, SECRET, now=1_000_000 + 60) == "/projets?territoire=roubaisien"
    assert landing.unsign(value, "un-autre-secret", now=1_000_000 + 60) is None
    assert landing.unsign(value, SECRET, now=1_000_000 + 601) is None  # ten minutes at most
    forged = landing.sign("//ailleurs.example/", SECRET, now=1_000_000)  # even signed: not a path of the app
    assert landing.unsign(forged, SECRET, now=1_000_000) is None
    _, made, mac = value.split(".")
    other = landing.sign("/acces", SECRET, now=1_000_000).split(".")[0]
    assert landing.unsign(f"{other}.{made}.{mac}", SECRET, now=1_000_000) is None  # target swapped


def _call(path: str, headers: dict[str, str], status: int = 302, location: str = "/") -> dict:
    """The response head of the middleware around a stand-in for Streamlit's route."""

    async def route(scope, receive, send):
        await send({"type": "http.response.start", "status": status, "headers": [(b"location", location.encode())]})
        await send({"type": "http.response.body", "body": b""})

    sent = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "path": path,
        "headers": [(k.lower().encode(), v.encode()) for k, v in {"host": "tableau.mel.fr", **headers}.items()],
    }
    asyncio.run(landing.Landing(route)(scope, None, send))
    head = sent[0]
    return {
        "location": [v.decode() for k, v in head["headers"] if k == b"location"],
        "cookies": [v.decode() for k, v in head["headers"] if k == b"set-cookie"],
    }


def test_the_middleware_sends_the_person_back_to_the_page_they_opened(monkeypatch):
    monkeypatch.setattr(landing, "_secret", lambda: SECRET)
    monkeypatch.setattr(landing, "_hosts", lambda scope: HOSTS)
    login = _call("/auth/login", {"referer": "https://tableau.mel.fr/projets?territoire=roubaisien"})
    (cookie,) = login["cookies"]
    assert cookie.startswith(f"{landing.COOKIE}=") and "HttpOnly" in cookie and "Max-Age=600" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]

    back = _call("/oauth2callback", {"cookie": f"{landing.COOKIE}={value}"})
    assert back["location"] == ["/projets?territoire=roubaisien"]
    assert back["cookies"] == [f"{landing.COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"]

    tampered = value[:-1] + ("1" if value.endswith("0") else "0")
    forged = _call("/oauth2callback", {"cookie": f"{landing.COOKIE}={tampered}"})
    assert forged["location"] == ["/"]  # Streamlit's own redirect, untouched
    assert _call("/oauth2callback", {})["location"] == ["/"] and not _call("/oauth2callback", {})["cookies"]
    assert not _call("/auth/login", {"referer": "https://ailleurs.example/projets"})["cookies"]
