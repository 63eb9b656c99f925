"""The OIDC test harness end to end: a tiny Streamlit app behind st.login() against a real OpenID
provider (oidc-provider, tests/browser/oidc) on loopback, driven in Chromium.

Logging in as tech.roubaix@example.org at the provider shows that e-mail (and the name the provider
derives from it) in the app; logging out clears the app's login cookie and ends the provider's
session, so the next « Se connecter » asks for the login again.
"""

from __future__ import annotations

import os
import secrets
import textwrap

import pytest
from playwright.sync_api import expect

from tests.browser.oidc_support import login_at_provider, logout_at_provider, running_provider, write_secrets
from tests.browser.servers import free_port, streamlit_server
from tests.browser.support import is_loopback, wait_idle

EMAIL = "tech.roubaix@example.org"
NAME = "Tech Roubaix"  # the provider's name for that login: the words before the @, capitalised
CLIENT_ID = "essdash-test"
USER_COOKIE = "_streamlit_user"  # Streamlit's signed login cookie
APP = textwrap.dedent(
    """
    import streamlit as st

    if not st.user.is_logged_in:
        st.write("Personne n'est connecté.")
        if st.button("Se connecter"):
            st.login()
    else:
        st.write(st.user.email)
        st.write(st.user.name)
        if st.button("Se déconnecter"):
            st.logout()
    """
)


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory, chromium_path):
    """The tiny app and its provider: yields ``(app_url, issuer)``."""
    app_dir = tmp_path_factory.mktemp("oidc-app")
    (app_dir / "app.py").write_text(APP, encoding="utf-8")
    app_port = free_port()
    client_secret = secrets.token_urlsafe(24)
    redirect_uri = f"http://127.0.0.1:{app_port}/oauth2callback"
    with running_provider(CLIENT_ID, client_secret, redirect_uri, app_dir / "provider.log") as issuer:
        write_secrets(app_dir, issuer, app_port, CLIENT_ID, client_secret)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with streamlit_server("app.py", app_dir, env, app_dir / "streamlit.log", port=app_port) as app_url:
            yield app_url, issuer


def _login_cookies(page, app_url: str) -> list[str]:
    return [cookie["name"] for cookie in page.context.cookies(app_url) if cookie["name"].startswith(USER_COOKIE)]


def test_login_shows_the_user_and_logout_ends_both_sessions(oidc_app, page):
    app_url, issuer = oidc_app
    # Nothing leaves this machine (the provider's pages ask for a web font).
    page.context.route("**/*", lambda route: route.continue_() if is_loopback(route.request.url) else route.abort())
    page.goto(app_url)
    wait_idle(page)
    expect(page.get_by_text("Personne n'est connecté.")).to_be_visible()
    assert _login_cookies(page, app_url) == []

    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{issuer}/interaction/**")
    login_at_provider(page, EMAIL)
    wait_idle(page)
    expect(page.get_by_text(EMAIL)).to_be_visible()
    expect(page.get_by_text(NAME)).to_be_visible()
    expect(page.get_by_text("Personne n'est connecté.")).to_have_count(0)
    assert USER_COOKIE in _login_cookies(page, app_url)

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{issuer}/session/end**")
    logout_at_provider(page)
    wait_idle(page)
    expect(page.get_by_text("Personne n'est connecté.")).to_be_visible()
    expect(page.get_by_text(EMAIL)).to_have_count(0)
    assert _login_cookies(page, app_url) == []

    # The provider's session ended too: logging in again asks for the login, not only the consent.
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{issuer}/interaction/**")
    expect(page.locator('input[name="login"]')).to_be_visible()
