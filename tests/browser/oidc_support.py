"""A real OpenID provider for the browser tests of st.login(): panva's oidc-provider (pinned in
tests/browser/oidc/package.json) run by node on loopback, the ``[auth]`` secrets that point a Streamlit
app at it, and the Playwright steps through its built-in login, consent and logout pages.

The flow, all on 127.0.0.1 over plain http: the app's « Se connecter » calls st.login(), the browser
goes to the app's /auth/login, then to the provider's /auth (code flow, PKCE S256, prompt=select_account),
its login form and consent page, back to the app's /oauth2callback (Authlib exchanges the code with
client_secret_basic and reads the ID token), then to the app's / with its ``_streamlit_user`` cookie.
st.logout() clears that cookie and sends the browser to the provider's end_session_endpoint, whose
confirmation page returns to /oauth2callback and from there to /.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.servers import free_port, stop

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
PROVIDER_START_TIMEOUT = 30.0
READY = "READY "
# The provider's built-in development pages (oidc-provider's devInteractions and rpInitiatedLogout).
LOGIN_FIELD = 'input[name="login"]'
PASSWORD_FIELD = 'input[name="password"]'
SIGN_IN = "Sign-in"
CONSENT = "Continue"
SIGN_OUT = "Yes, sign me out"


def ensure_provider_installed() -> None:
    """Install the pinned oidc-provider (``npm ci``) into tests/browser/oidc if it is not there yet."""
    if (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RuntimeError(
            "The OIDC browser test needs Node.js and npm to run its OpenID provider (oidc-provider): "
            "install them, then run `npm ci --prefix tests/browser/oidc`."
        )
    result = subprocess.run(
        [npm, "ci", "--silent"], cwd=OIDC_DIR, capture_output=True, text=True, check=False, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(
            "`npm ci` failed in tests/browser/oidc: the OIDC browser test installs its OpenID provider "
            "(oidc-provider, pinned in package-lock.json) from the npm registry, which must be reachable.\n"
            + result.stdout
            + result.stderr
        )


@contextmanager
def running_provider(
    client_id: str, client_secret: str, redirect_uri: str, log_path: Path | None = None
) -> Iterator[str]:
    """oidc-provider on a free loopback port with one client; yields its issuer URL once it listens.

    ``redirect_uri`` is the client's redirect URI and post-logout redirect URI. The provider's output
    goes to ``log_path`` (by default a temporary file, quoted if it fails to start); the discovery
    document is at ``issuer + "/.well-known/openid-configuration"``.
    """
    ensure_provider_installed()
    with ExitStack() as stack:
        if log_path is None:
            log_path = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="oidc-provider-"))) / "provider.log"
        yield stack.enter_context(_provider_process(client_id, client_secret, redirect_uri, log_path))


@contextmanager
def _provider_process(client_id: str, client_secret: str, redirect_uri: str, log_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": client_id,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_REDIRECT_URIS": redirect_uri,
    }
    log = open(log_path, "wb")  # noqa: SIM115 (held by the provider process until the context ends)
    proc = subprocess.Popen(
        ["node", "provider.mjs", str(port)], cwd=OIDC_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + PROVIDER_START_TIMEOUT
        while True:
            ready = [line for line in log_path.read_text(errors="replace").splitlines() if line.startswith(READY)]
            if ready:
                break
            if proc.poll() is not None:
                raise RuntimeError(
                    f"the OpenID provider exited with code {proc.returncode}:\n{log_path.read_text(errors='replace')}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the OpenID provider did not listen within {PROVIDER_START_TIMEOUT:.0f} s:\n"
                    f"{log_path.read_text(errors='replace')}"
                )
            time.sleep(0.1)
        issuer = ready[0].removeprefix(READY).strip()
        assert issuer == f"http://127.0.0.1:{port}", issuer
        yield issuer
    finally:
        stop(proc)
        log.close()


def write_secrets(app_dir: Path, issuer: str, app_port: int, client_id: str, client_secret: str) -> Path:
    """Write ``app_dir/.streamlit/secrets.toml`` with an ``[auth]`` section for ``issuer`` (a fresh random
    cookie secret) and the redirect URI ``http://127.0.0.1:{app_port}/oauth2callback``; return its path.

    The app must then be opened at http://127.0.0.1:{app_port}, not localhost: the login cookie
    records that origin.
    """
    values = {
        "redirect_uri": f"http://127.0.0.1:{app_port}/oauth2callback",
        "cookie_secret": secrets.token_urlsafe(32),
        "client_id": client_id,
        "client_secret": client_secret,
        "server_metadata_url": f"{issuer}/.well-known/openid-configuration",
    }
    # JSON strings of printable ASCII are TOML basic strings.
    lines = ["[auth]"] + [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    path = app_dir / ".streamlit" / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def user_cookie(
    cookie_secret: str, app_url: str, email: str, name: str, issuer: str, subject: str | None = None
) -> str:
    """A ``_streamlit_user`` cookie value as Streamlit's /oauth2callback sets it after a login of
    ``email`` at the app ``app_url`` through the provider ``issuer`` (account ``subject``, by default the
    e-mail, as this test provider makes it): the user's claims with the app's origin, signed with
    itsdangerous (salt: the cookie's name) under ``cookie_secret``. With the app's own secret it logs that
    person in; with any other secret it is a forgery the app must ignore."""
    from itsdangerous import URLSafeTimedSerializer

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(app_url))
    claims = {
        "iss": issuer,
        "sub": subject or email,
        "email": email,
        "email_verified": True,
        "name": name,
        "iat": int(time.time()),
        "origin": origin,
        "is_logged_in": True,
        "provider": "default",
    }
    return URLSafeTimedSerializer(cookie_secret, salt="_streamlit_user").dumps(json.dumps(claims))


def _at(url: str, base_url: str) -> bool:
    """Whether ``url`` is on the server at ``base_url`` (same scheme, host and port)."""
    here, there = urlsplit(url), urlsplit(base_url)
    return (here.scheme, here.netloc) == (there.scheme, there.netloc)


def login_at_provider(page, email: str) -> None:
    """On the provider's login page: sign in as ``email`` (any password), accept the consent page if
    the provider shows it, and wait until the browser has left the provider (back on the app)."""
    login_page = page.url
    expect(page.locator(LOGIN_FIELD)).to_be_visible()
    page.locator(LOGIN_FIELD).fill(email)
    page.locator(PASSWORD_FIELD).fill(secrets.token_urlsafe(8))
    page.get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url(lambda url: not _at(url, login_page) or (url != login_page and "/interaction/" in url))
    if _at(page.url, login_page):
        page.get_by_role("button", name=CONSENT).click()
        page.wait_for_url(lambda url: not _at(url, login_page))


def logout_at_provider(page) -> None:
    """On the provider's logout confirmation page (where st.logout() leads): confirm, and wait until the
    browser has left the provider (back on the app's /oauth2callback, which sends it on to the app's /)."""
    logout_page = page.url
    page.get_by_role("button", name=SIGN_OUT).click()
    page.wait_for_url(lambda url: not _at(url, logout_page))
