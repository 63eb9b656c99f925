"""Who is at the keyboard: the local person of « poste local » mode, or the logged-in member of the
shared dashboard (OpenID Connect through Streamlit's ``st.login`` / ``st.user``).

:func:`admit` runs before any page. In shared mode it refuses to start without the ``[auth]`` secrets
or with more than one identity provider (only ``[auth]`` itself: no ``[auth.NOM]`` section), shows
nothing but a login page to a visitor (but the public pages,
:func:`essdash.ui.navigation.public_navigation`), and logs out a session whose ``iat`` is missing,
malformed, in the future (beyond :data:`CLOCK_SKEW`) or older than ``ESSDASH_SESSION_HOURS``. A login proves who:
the provider must say the e-mail is verified (``email_verified``; when it does not say, only if
``ESSDASH_EMAIL_VERIFIED=facultatif``) and give its ``iss`` and ``sub``; the member of that e-mail is
bound to that identity at their first login and must carry it afterwards
(:func:`essdash.write.members.bind_login`: another identity is journaled and refused). An unknown or
removed e-mail sees whom to ask (``ESSDASH_CONTACT``), never the members' names or addresses. The
member is read from the database on every run, so a removed member loses access on their next request.
:func:`current` is the person every form signs with; :func:`may` asks the gate whether to show a
write at all (the gate still decides when it is submitted).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

import streamlit as st

from essdash.domain import fmt
from essdash.domain.access import Scope
from essdash.domain.errors import AccessError, ConfigurationError, ValidationError
from essdash.domain.vocabulary import Deed, Role
from essdash.store.config import get_settings
from essdash.ui import french
from essdash.ui.cache import engine
from essdash.write import gate
from essdash.write import members as write_members
from essdash.write.actor import Actor

SIGNER = "signer"  # session key of the local person's name and role
REFUSED = "login_refused"  # session key of the identity whose refused login is already journaled
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
PROVIDER_OPTIONS = ("client_kwargs",)  # the one table [auth] may hold that is not a provider
DEFAULT_PROVIDER = "default"  # the name Streamlit gives the provider of [auth] itself
CLOCK_SKEW = 120  # seconds a login may seem to come from the future (clocks of two machines)


def shared() -> bool:
    """Whether the dashboard runs as the shared deployment (``ESSDASH_MODE=partage``)."""
    try:
        return get_settings().shared
    except ConfigurationError as exc:
        st.error(f"**Configuration incorrecte.** {fmt.md_escape(str(exc))}")
        st.stop()


def missing_auth_settings(secrets) -> list[str]:
    """What is wrong with ``.streamlit/secrets.toml`` for the shared mode (empty when it can start): a
    cookie secret, a redirect URI and exactly one provider, in ``[auth]`` itself (a named
    ``[auth.NOM]`` provider is refused: one could log in through it with ``/auth/login?provider=NOM``)."""
    try:
        auth = dict(secrets.get("auth", {}))
    except (FileNotFoundError, OSError):
        auth = {}
    missing = [f"auth.{key}" for key in ("cookie_secret", "redirect_uri") if not auth.get(key)]
    if not all(auth.get(key) for key in PROVIDER_KEYS):
        missing.append("un fournisseur d'identité (auth.client_id, auth.client_secret, auth.server_metadata_url)")
    named = sorted(key for key, value in auth.items() if isinstance(value, Mapping) and key not in PROVIDER_OPTIONS)
    if named:
        missing.append(
            "un seul fournisseur d'identité, dans [auth] même (retirez "
            + ", ".join(f"[auth.{name}]" for name in named)
            + ")"
        )
    return missing


def session_over(issued, now: float, hours: float) -> bool:
    """Whether a login issued at ``issued`` (the ``iat`` claim) no longer opens the dashboard at ``now``:
    missing or not a number, in the future beyond :data:`CLOCK_SKEW`, or older than ``hours``."""
    if isinstance(issued, bool) or not isinstance(issued, (int, float)) or not math.isfinite(issued):
        return True
    return issued > now + CLOCK_SKEW or now - issued > hours * 3600


def identity_problem(claims: Mapping, *, verified_required: bool) -> str | None:
    """Why the claims of a login do not prove who logged in (a French clause), or ``None``: an e-mail,
    which the provider says is verified (saying nothing is accepted only if ``verified_required`` is
    false), and the provider's ``iss`` and ``sub``."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        return "le fournisseur d'identité n'a pas donné d'adresse électronique"
    verified = claims.get("email_verified")
    if verified is None:
        if verified_required:
            return "le fournisseur d'identité ne dit pas si cette adresse a été vérifiée"
    elif verified is not True and not (isinstance(verified, str) and verified.strip().lower() == "true"):
        return "le fournisseur d'identité indique que cette adresse n'a pas été vérifiée"
    for claim in ("iss", "sub"):
        value = claims.get(claim)
        if not isinstance(value, str) or not 0 < len(value.strip()) <= write_members.CLAIM_MAX:
            return f"le fournisseur d'identité n'a pas donné d'identifiant de compte valable (« {claim} »)"
    return None


def admit(*, public: bool = False) -> bool:
    """Let the run go on only for whom may see the dashboard (always, in « poste local » mode): whether
    the visitor is that person. With ``public`` (``app.py``), an anonymous visitor of the shared
    dashboard is let through as such (``False``: the public pages only, see
    :func:`essdash.ui.navigation.public_navigation`); otherwise they see the login page.

    First, Streamlit's own English words in French (:mod:`essdash.ui.french`), also on the login page."""
    if not admit_public():
        return True
    if not st.user.is_logged_in:
        if public:
            return False
        login_page()
        st.stop()
    settings = get_settings()
    if session_over(st.user.get("iat"), time.time(), settings.session_hours) or (
        st.user.get("provider") != DEFAULT_PROVIDER
    ):
        st.logout()
        st.stop()
    email = str(st.user.get("email") or "")
    reason = identity_problem(st.user, verified_required=settings.email_verified_required)
    if reason:
        _refused_page(email, reason)
        st.stop()
    with engine().connect() as conn:
        found = gate.member(conn, email)
    if found is None:
        _unknown_page(email)
        st.stop()
    identity = (str(st.user.get("iss")), str(st.user.get("sub")))
    if (found.issuer, found.subject) != identity and not _bound(found, identity):
        _refused_page(
            email,
            "cette adresse est liée à un autre compte du fournisseur d'identité (celui de la première connexion) ; "
            "la tentative est notée au journal",
        )
        st.stop()
    return True


def admit_public() -> bool:
    """What every page asks first, a public one included: Streamlit's words in French and, in shared
    mode, the ``[auth]`` settings it needs to start; whether the dashboard runs in shared mode."""
    french.install()
    if not shared():
        return False
    missing = missing_auth_settings(st.secrets)
    if missing:
        st.error(
            "**Le tableau de bord partagé ne peut pas démarrer.** Il manque dans `.streamlit/secrets.toml` : "
            + ", ".join(missing)
            + ". Voir la section « Déploiement partagé » du README."
        )
        st.stop()
    return True


def anonymous() -> bool:
    """Whether the visitor is nobody known: in shared mode, not logged in."""
    return shared() and not st.user.is_logged_in


def _bound(found, identity: tuple[str, str]) -> bool:
    """Bind the member to the identity of this login (their first), or journal another one once per
    session; whether the login may go on."""
    if found.issuer is not None and st.session_state.get(REFUSED) == identity:
        return False  # already journaled in this session
    try:
        write_members.bind_login(engine(), Actor(found.name, found.role, found.email), *identity)
    except (AccessError, ValidationError):
        st.session_state[REFUSED] = identity
        return False
    return True


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


def login_page() -> None:
    """The page of a visitor of the shared dashboard who is not logged in."""
    st.title("Tableau de bord ESS de Lille Métropole")
    st.markdown(
        "Ce tableau de bord est réservé aux membres du comité métropolitain de l'ESS : techniciens des "
        "territoires, mission ESS, présidence du comité. Connectez-vous avec votre compte professionnel."
    )
    if st.button("Se connecter", type="primary", icon=":material/login:", key="login"):
        st.login()


def _unknown_page(email: str) -> None:
    """For an account the provider vouches for but that is no member: whom to ask, and no more (the
    members' names and addresses are not shown to strangers)."""
    st.title("Accès non ouvert")
    st.markdown(
        f"Vous êtes connecté(e) avec l'adresse **{fmt.md_escape(email)}**, qui n'est pas (ou plus) membre du "
        f"tableau de bord. Pour obtenir un accès, adressez-vous à {fmt.md_escape(get_settings().contact)}."
    )
    if st.button("Se déconnecter", key="logout-unknown", icon=":material/logout:"):
        st.logout()


def _refused_page(email: str, reason: str) -> None:
    """For a login that does not prove who logged in: why, and whom to ask."""
    st.title("Connexion refusée")
    st.markdown(
        f"Vous êtes connecté(e) avec l'adresse **{fmt.md_escape(email or '(aucune)')}**, "
        f"mais {fmt.md_escape(reason)} : le tableau de bord ne peut pas s'ouvrir. En cas de besoin, adressez-vous à "
        f"{fmt.md_escape(get_settings().contact)}."
    )
    if st.button("Se déconnecter", key="logout-refused", icon=":material/logout:"):
        st.logout()
