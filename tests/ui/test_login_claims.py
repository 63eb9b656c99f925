"""A login proves who (:func:`essdash.ui.session.admit`), through the real entry point with AppTest
holding the claims of a provider's ID token (``at.user``): one provider only, a verified e-mail, a
session with a sound ``iat``, and a member bound to the ``(iss, sub)`` of their first login, another
identity with the same e-mail being refused and journaled."""

from __future__ import annotations

import html
import time

import pytest

from essdash.write import members
from essdash.write.actor import Actor
from tests.fixtures.stores import connect
from tests.ui.conftest import ABSENT, AUTH, ISSUER

ADMIN = "admin@mel.fr"
PROVIDER = {key: AUTH[key] for key in ("client_id", "client_secret", "server_metadata_url")}
TECH = "tech.roubaix@mel.fr"


def _texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "title", "error", "info") for e in getattr(at, kind)]
    return html.unescape(" ".join(str(p) for p in parts)).replace("\u2060", "")


def _admitted(at) -> bool:
    """Whether the run got past the admission: the member's line in the sidebar."""
    assert not at.exception, [e.stack_trace for e in at.exception]
    lines = [html.unescape(c.value) for c in at.sidebar.caption]
    return any("(administrateur)" in line or "(technicien)" in line for line in lines)


def _binding(engine, email: str) -> tuple:
    with connect(engine) as conn:
        return tuple(conn.execute("SELECT issuer, subject FROM member WHERE email = ?", (email,)).one())


def _journal(engine) -> list[tuple]:
    with connect(engine) as conn:
        rows = conn.execute("SELECT account, deed, summary FROM journal WHERE deed = 'connexion' ORDER BY id").all()
    return [tuple(row) for row in rows]


def test_the_claims_of_the_fixture_open_the_dashboard(shared):
    visit, _, _ = shared
    assert _admitted(visit(ADMIN))  # the control of the refusals below


@pytest.mark.parametrize(
    "claims",
    [
        {"iat": ABSENT},
        {"iat": None},
        {"iat": str(int(time.time()))},  # as text
        {"iat": True},
        {"iat": float("nan")},
        {"iat": time.time() + 3600},  # an hour in the future
        {"provider": "autre"},  # a named provider of an older configuration
        {"provider": ABSENT},
    ],
    ids=["absent", "null", "text", "bool", "nan", "future", "other-provider", "no-provider"],
)
def test_a_session_without_a_sound_issue_time_or_from_another_provider_is_logged_out(shared, claims):
    visit, _, _ = shared
    at = visit(ADMIN, claims=claims)
    assert at.user.get("is_logged_in") is False
    assert not _admitted(at) and not at.metric


def test_a_login_a_minute_ahead_is_within_the_clock_skew(shared):
    visit, _, _ = shared
    assert _admitted(visit(ADMIN, claims={"iat": time.time() + 60}))


@pytest.mark.parametrize(
    "claims, reason",
    [
        ({"email_verified": False}, "indique que cette adresse n'a pas été vérifiée"),
        ({"email_verified": "false"}, "indique que cette adresse n'a pas été vérifiée"),
        ({"email_verified": ABSENT}, "ne dit pas si cette adresse a été vérifiée"),
        ({"sub": ABSENT}, "« sub »"),
        ({"sub": ""}, "« sub »"),
        ({"iss": ABSENT}, "« iss »"),
    ],
)
def test_a_login_that_does_not_prove_who_is_refused(shared, claims, reason):
    visit, engine, _ = shared
    at = visit(ADMIN, claims=claims)
    text = _texts(at)
    assert "Connexion refusée" in text and reason in text and ADMIN in text
    assert not _admitted(at) and not at.metric
    assert _binding(engine, ADMIN) == (None, None)


def test_an_unsaid_verification_is_accepted_only_if_configured(shared, monkeypatch):
    visit, _, _ = shared
    monkeypatch.setenv("ESSDASH_EMAIL_VERIFIED", "facultatif")
    assert _admitted(visit(ADMIN, claims={"email_verified": ABSENT}))
    assert _admitted(visit(ADMIN, claims={"email_verified": "true"}))  # as some providers send it
    assert "Connexion refusée" in _texts(visit(ADMIN, claims={"email_verified": False}))  # said false: never
    monkeypatch.setenv("ESSDASH_EMAIL_VERIFIED", "oui")
    assert "ESSDASH_EMAIL_VERIFIED vaut « oui »" in _texts(visit(ADMIN))


@pytest.mark.parametrize(
    "auth, missing",
    [
        ({**AUTH, "autre": PROVIDER}, "[auth.autre]"),
        ({"cookie_secret": AUTH["cookie_secret"], "redirect_uri": AUTH["redirect_uri"], "a": PROVIDER}, "[auth.a]"),
    ],
    ids=["two-providers", "named-provider-only"],
)
def test_shared_mode_refuses_to_start_with_a_named_provider(shared, auth, missing):
    visit, _, _ = shared
    at = visit(ADMIN, secrets=auth)
    text = _texts(at)
    assert "ne peut pas démarrer" in text and missing in text and "un seul fournisseur" in text
    assert not _admitted(at) and not at.metric


def test_provider_options_are_not_a_provider(shared):
    visit, _, _ = shared
    assert _admitted(visit(ADMIN, secrets={**AUTH, "client_kwargs": {"prompt": "login"}}))


def test_the_first_login_binds_the_member_and_another_identity_is_refused_and_journaled(shared):
    visit, engine, _ = shared
    assert _binding(engine, TECH) == (None, None)
    assert _admitted(visit(TECH))
    assert _binding(engine, TECH) == (ISSUER, f"compte-{TECH}")
    ((account, _, summary),) = _journal(engine)
    assert account == TECH and summary.startswith("Première connexion") and f"compte-{TECH}" in summary
    assert _admitted(visit(TECH))  # the same identity: in, nothing more journaled
    assert len(_journal(engine)) == 1

    for claims in ({"sub": "compte-recycle"}, {"iss": "https://autre-fournisseur.example"}):
        at = visit(TECH, claims=claims)
        text = _texts(at)
        assert "Connexion refusée" in text and "liée à un autre compte" in text
        assert not _admitted(at) and not at.metric
        at.run()  # the same session again: refused, journaled once
    refused = _journal(engine)[1:]
    assert [row[2].startswith("Connexion refusée") for row in refused] == [True, True]
    assert "compte-recycle" in refused[0][2] and "autre-fournisseur" in refused[1][2]
    assert _binding(engine, TECH) == (ISSUER, f"compte-{TECH}")


def test_a_member_removed_and_added_again_is_bound_anew(shared):
    visit, engine, _ = shared
    assert _admitted(visit(TECH))
    admin = Actor("?", "?", ADMIN)
    members.remove_member(engine, admin, TECH)
    members.save_member(engine, admin, TECH, "technicien", territory="roubaisien")
    assert _admitted(visit(TECH, claims={"sub": "nouveau-compte"}))
    assert _binding(engine, TECH) == (ISSUER, "nouveau-compte")
