"""Who is at the keyboard: the local person of « poste local » mode, or the logged-in member of the
shared dashboard (OpenID Connect through Streamlit's ``st.login`` / ``st.user``).

:func:`admit` runs before any page: in shared mode it refuses to start without the ``[auth]``
secrets, shows nothing but a login page to a visitor, logs out a session older than
``ESSDASH_SESSION_HOURS``, and shows an unknown or removed e-mail whom to ask. The member is read
from the database on every run, so a removed member loses access on their next request.
:func:`current` is the person every form signs with; :func:`may` asks the gate whether to show a
write at all (the gate still decides when it is submitted).
"""

from __future__ import annotations

import time

import streamlit as st

from essdash.domain import fmt
from essdash.domain.access import Scope
from essdash.domain.errors import AccessError, ConfigurationError
from essdash.domain.vocabulary import Deed, Role
from essdash.read import members
from essdash.store.config import get_settings
from essdash.ui.cache import engine
from essdash.write import gate
from essdash.write.actor import Actor

SIGNER = "signer"  # session key of the local person's name and role
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def shared() -> bool:
    """Whether the dashboard runs as the shared deployment (``ESSDASH_MODE=partage``)."""
    try:
        return get_settings().shared
    except ConfigurationError as exc:
        st.error(f"**Configuration incorrecte.** {fmt.md_escape(str(exc))}")
        st.stop()


def missing_auth_settings(secrets) -> list[str]:
    """What the shared mode lacks in ``.streamlit/secrets.toml`` (empty when it can start): a
    cookie secret, a redirect URI and one provider (in ``[auth]`` or an ``[auth.NAME]`` section)."""
    try:
        auth = dict(secrets.get("auth", {}))
    except (FileNotFoundError, OSError):
        auth = {}
    missing = [f"auth.{key}" for key in ("cookie_secret", "redirect_uri") if not auth.get(key)]
    providers = [auth] + [value for value in auth.values() if isinstance(value, dict)]
    if not any(all(provider.get(key) for key in PROVIDER_KEYS) for provider in providers):
        missing.append("un fournisseur d'identité (auth.client_id, auth.client_secret, auth.server_metadata_url)")
    return missing


def admit() -> None:
    """Let the run go on only for whom may see the dashboard (always, in « poste local » mode)."""
    if not shared():
        return
    missing = missing_auth_settings(st.secrets)
    if missing:
        st.error(
            "**Le tableau de bord partagé ne peut pas démarrer.** Il manque dans `.streamlit/secrets.toml` : "
            + ", ".join(missing)
            + ". Voir la section « Déploiement partagé » du README."
        )
        st.stop()
    if not st.user.is_logged_in:
        _login_page()
        st.stop()
    issued = st.user.get("iat")
    if isinstance(issued, (int, float)) and time.time() - issued > get_settings().session_hours * 3600:
        st.logout()
        st.stop()
    if current() is None:
        _unknown_page()
        st.stop()


def current() -> Actor | None:
    """The person of this session: the member (read from the database now) in shared mode; in
    « poste local » mode, the name and role given once in this browser session, if any."""
    if shared():
        email = st.user.get("email") if st.user.is_logged_in else None
        if not email:
            return None
        with engine().connect() as conn:
            return gate.person_of(conn, str(email))
    signer = st.session_state.get(SIGNER)
    return Actor(signer["name"], signer["role"]) if signer else None


def signer() -> Actor:
    """The person a one-click write (a download, a restore) is signed with: the session's person, or
    in « poste local » mode before anyone signed, « Poste local » itself."""
    return current() or Actor("Poste local", "poste local")


def may(deed: Deed, **where) -> bool:
    """Whether to show a write: always for the local person (who may do everything); for a member,
    what the gate would answer (role and place)."""
    if not shared():
        return True
    return gate.allowed(engine(), current(), deed, **where)


def scope(deed: Deed) -> Scope | None:
    """Where the person may do ``deed`` (``None``: everywhere), to offer only those places."""
    if not shared():
        return None
    try:
        return gate.scope_of(engine(), current(), deed).scope
    except AccessError:
        return Scope()


def read_only(what: str) -> None:
    """The line shown instead of a write the person may not do."""
    person = current()
    role = person.role_label if person else ""
    article = "d'" if what[0] in "aeéiou" else "de "
    st.caption(f":material/lock: Lecture seule : votre rôle ({role}) ne permet pas {article}{what} ici.")


def is_admin() -> bool:
    """Whether the person manages accounts: the local person, or an administrateur."""
    if not shared():
        return True
    person = current()
    return person is not None and person.role == Role.ADMIN.value


def sidebar() -> None:
    """Who is signed in, and the way out; in « poste local » mode, a discreet banner."""
    if not shared():
        st.sidebar.caption(
            ":material/computer: Mode poste local : une seule personne, qui peut tout faire ; "
            "le serveur n'écoute que cet ordinateur."
        )
        return
    person = current()
    if person is None:
        return
    st.sidebar.caption(f":material/person: {fmt.md_escape(person.label)} — {fmt.md_escape(person.account or '')}")
    if st.sidebar.button("Se déconnecter", key="logout", icon=":material/logout:"):
        st.logout()


def _login_page() -> None:
    st.title("Tableau de bord ESS de Lille Métropole")
    st.markdown(
        "Ce tableau de bord est réservé aux membres du comité métropolitain de l'ESS : techniciens des "
        "territoires, mission ESS, présidence du comité. Connectez-vous avec votre compte professionnel."
    )
    if st.button("Se connecter", type="primary", icon=":material/login:", key="login"):
        st.login()


def _unknown_page() -> None:
    email = fmt.md_escape(str(st.user.get("email") or "(adresse inconnue)"))
    st.title("Accès non ouvert")
    admins = members.administrators(engine())
    whom = (
        "\n".join(f"- {fmt.md_escape(name)} — {fmt.md_escape(address)}" for name, address in admins)
        if admins
        else "- la mission ESS de la Métropole (aucun administrateur n'est encore nommé)"
    )
    st.markdown(
        f"Vous êtes connecté(e) avec l'adresse **{email}**, qui n'est pas (ou plus) membre du tableau de bord. "
        f"Pour obtenir un accès, demandez à un administrateur :\n\n{whom}"
    )
    if st.button("Se déconnecter", key="logout-unknown", icon=":material/logout:"):
        st.logout()
