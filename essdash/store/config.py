"""Settings read from the environment; no Streamlit here.

``DATABASE_URL`` chooses the database (default: a SQLite file ``var/essdash.db`` under the
project). ``ESSDASH_SEED`` changes the demo dataset's random seed. ``ESSDASH_MODE`` chooses how
people are known: ``local`` (the default, « poste local »: one person on one laptop, who signs with
a name and a role and may do everything) or ``partage`` (accounts through OpenID Connect, roles and
territories kept in the database). ``ESSDASH_SESSION_HOURS`` (default 8) bounds a shared session.

The shared mode also reads: ``ESSDASH_ALLOWED_HOSTS``, the host names the server answers as besides
the loopback ones and the host of ``[auth] redirect_uri`` (:mod:`essdash.ui.hosts`);
``ESSDASH_EMAIL_VERIFIED``, whether a login whose provider does not say the e-mail was verified is
refused (``exige``, the default) or accepted (``facultatif``; an e-mail the provider says is not
verified is always refused); ``ESSDASH_CONTACT``, whom the « Accès non ouvert » page names.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from essdash.domain.errors import ConfigurationError

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_DIR / "data"
DEFAULT_DB_PATH = PROJECT_DIR / "var" / "essdash.db"
DEFAULT_SEED = 2011
LOCAL = "local"
SHARED = "partage"
MODES = (LOCAL, SHARED)
DEFAULT_SESSION_HOURS = 8.0
REQUIRED = "exige"
OPTIONAL = "facultatif"
DEFAULT_CONTACT = "l'administrateur du tableau de bord de la mission ESS de la Métropole"
CONTACT_MAX = 200
# A host name (letters, digits, dots, hyphens) or a bracketed IPv6 address; never a port or a wildcard.
HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]")


@dataclass(frozen=True)
class Settings:
    database_url: str
    demo_seed: int = DEFAULT_SEED
    data_dir: Path = DATA_DIR
    mode: str = LOCAL
    session_hours: float = DEFAULT_SESSION_HOURS
    allowed_hosts: tuple[str, ...] = ()
    email_verified_required: bool = True
    contact: str = DEFAULT_CONTACT

    @property
    def shared(self) -> bool:
        return self.mode == SHARED


def get_settings() -> Settings:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}"
    seed = int(os.environ.get("ESSDASH_SEED", DEFAULT_SEED))
    return Settings(
        database_url=url,
        demo_seed=seed,
        mode=mode(),
        session_hours=session_hours(),
        allowed_hosts=allowed_hosts(),
        email_verified_required=email_verified_required(),
        contact=contact(),
    )


def mode() -> str:
    """``local`` or ``partage``, from ``ESSDASH_MODE``; any other value is refused in French (a
    misspelt ``partage`` must not open the dashboard to everyone as a local post)."""
    value = os.environ.get("ESSDASH_MODE", LOCAL).strip().lower() or LOCAL
    if value not in MODES:
        raise ConfigurationError(
            f"ESSDASH_MODE vaut « {value} » : les valeurs possibles sont « {LOCAL} » (poste local) "
            f"et « {SHARED} » (déploiement partagé)."
        )
    return value


def session_hours() -> float:
    """How long a shared session lasts after login, in hours (``ESSDASH_SESSION_HOURS``)."""
    text = os.environ.get("ESSDASH_SESSION_HOURS", "")
    try:
        hours = float(text) if text.strip() else DEFAULT_SESSION_HOURS
    except ValueError:
        hours = 0
    if not 0 < hours <= 24 * 7:
        raise ConfigurationError(
            f"ESSDASH_SESSION_HOURS vaut « {text} » : indiquez un nombre d'heures positif, au plus 168."
        )
    return hours


def allowed_hosts() -> tuple[str, ...]:
    """The host names of ``ESSDASH_ALLOWED_HOSTS`` (separated by commas or spaces), lower-cased; a value
    that is not a plain host name (a port, a path, a wildcard) is refused in French."""
    names = tuple(name.lower() for name in os.environ.get("ESSDASH_ALLOWED_HOSTS", "").replace(",", " ").split())
    for name in names:
        if not HOST_NAME.fullmatch(name):
            raise ConfigurationError(
                f"ESSDASH_ALLOWED_HOSTS contient « {name} » : indiquez des noms d'hôte seuls, sans port ni "
                "chemin ni joker, séparés par des virgules (exemple : « ess.exemple.fr,tableau.exemple.fr »)."
            )
    return names


def email_verified_required() -> bool:
    """Whether a login must carry ``email_verified`` (``ESSDASH_EMAIL_VERIFIED``: ``exige`` by default,
    or ``facultatif``)."""
    value = os.environ.get("ESSDASH_EMAIL_VERIFIED", REQUIRED).strip().lower() or REQUIRED
    if value not in (REQUIRED, OPTIONAL):
        raise ConfigurationError(
            f"ESSDASH_EMAIL_VERIFIED vaut « {value} » : les valeurs possibles sont « {REQUIRED} » (par défaut : "
            f"le fournisseur doit dire que l'adresse est vérifiée) et « {OPTIONAL} »."
        )
    return value == REQUIRED


def contact() -> str:
    """Whom a person without access should ask (``ESSDASH_CONTACT``, one line)."""
    value = " ".join(os.environ.get("ESSDASH_CONTACT", "").split())
    if len(value) > CONTACT_MAX:
        raise ConfigurationError(f"ESSDASH_CONTACT dépasse {CONTACT_MAX} caractères : indiquez un contact court.")
    return value or DEFAULT_CONTACT
