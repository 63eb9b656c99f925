"""Fixtures of the page tests: what a page hands to its download buttons; the keys of the pages'
lazy tab sets and folded forms; the shared mode with one member per role (``shared``), logged in with
the claims a provider's ID token gives (``iss``, ``sub``, ``email_verified``, ``iat``), any of which a
test may change or leave out (:data:`ABSENT`)."""

import time

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from essdash.write import members
from essdash.write.actor import Actor
from tests.conftest import open_app

# The key of each page's lazy tab set (:func:`essdash.ui.lazy.tabs`).
TAB_KEYS = {
    "pages/comite.py": "c_tab",
    "pages/donnees.py": "d_tab",
    "pages/equite.py": "e_tab",
    "pages/evaluation.py": "ev_tab",
    "pages/financements.py": "f_tab",
    "pages/indicateurs.py": "i_tab",
    "pages/public.py": "pub_tab",
}
# The folded forms of each page (:func:`essdash.ui.lazy.folded`), unfolded.
UNFOLDED = {
    "pages/comite.py": {"c_new_meeting_open": True, "c_mail_open": True},
    "pages/plan.py": {"co_open": True},
    "pages/projets.py": {"p_new_open": True},
    "pages/questionnaires.py": {"vq_open": True},
}


@pytest.fixture
def downloads(monkeypatch):
    """What the page hands to its download buttons, by file name (deferred ones are generated on demand)."""
    sent = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def eager(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        sent[file_name] = lambda: data
        return add(
            self, data, mimetype, coordinates, file_name=file_name, is_for_static_download=is_for_static_download
        )

    def deferred(self, callable_, mimetype, coordinates, file_name=None, element_id=""):
        sent[file_name] = callable_
        return add_deferred(self, callable_, mimetype, coordinates, file_name=file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add", eager)
    monkeypatch.setattr(MediaFileManager, "add_deferred", deferred)
    return sent


LOCAL = Actor("Claire Martin", "mission ESS")
AUTH = {
    "cookie_secret": "pas-un-vrai-secret-de-test",
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "client_id": "essdash",
    "client_secret": "secret-de-test",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ISSUER = "http://127.0.0.1:9"
ABSENT = "(absent)"  # a claim left out of the login (a string: this module may be imported twice)
PEOPLE = {
    "admin@mel.fr": ("administrateur", None),
    "tech.roubaix@mel.fr": ("technicien", "roubaisien"),
    "membre@mel.fr": ("membre", None),
    "presidente@mel.fr": ("presidence", None),
}


def login(email: str, **claims) -> dict:
    """What ``st.user`` holds for ``email`` logged in now through the test provider (account
    ``"compte-" + email``); ``claims`` change some, or leave them out (:data:`ABSENT`)."""
    user = {
        "is_logged_in": True,
        "provider": "default",
        "iss": ISSUER,
        "sub": f"compte-{email}",
        "email": email,
        "email_verified": True,
        "iat": time.time(),
        **claims,
    }
    return {key: value for key, value in user.items() if value != ABSENT}


@pytest.fixture
def shared(writable_app, monkeypatch):
    """A factory of shared-mode AppTest runs on a private demo copy with one member per role:
    ``visit(email, page=None, secrets=True, issued=None, claims=None, state=None, **params)``;
    ``email=None`` for a visitor; ``claims`` change (or, as :data:`ABSENT`, leave out) the login's
    claims, whose ``sub`` is by default ``"compte-" + email``; ``secrets`` may be an ``[auth]`` dict;
    ``state`` opens lazy tabs and expanders."""
    _, engine = writable_app
    for email, (role, territory) in PEOPLE.items():
        members.save_member(engine, LOCAL, email, role, territory=territory)
    monkeypatch.setenv("ESSDASH_MODE", "partage")

    def visit(
        email: str | None, page: str | None = None, *, secrets=True, issued=None, claims=None, state=None, **params
    ):
        def prepare(at: AppTest) -> None:
            if secrets:
                at.secrets["auth"] = AUTH if secrets is True else secrets
            claimed = {"iat": issued or time.time(), **(claims or {})}
            at.user = login(email, **claimed) if email else {"is_logged_in": False}

        return open_app(page, state=state, prepare=prepare, **params)

    with engine.connect() as conn:
        ids = dict(
            conn.exec_driver_sql(
                "SELECT commune_code, MIN(id) FROM project WHERE status NOT IN ('realise', 'abandonne') "
                "AND commune_code IN ('59512', '59350') GROUP BY commune_code"
            ).all()
        )
    return visit, engine, ids
