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

Sending the convocations reads the ``[smtp]`` table of ``.streamlit/secrets.toml`` (never in git; another
file with ``ESSDASH_SECRETS``): ``host``, ``port``, ``starttls``, ``user``, ``sender``, ``cafile`` and
``public_url`` (:func:`smtp_settings`), each overridden by ``ESSDASH_SMTP_<KEY>`` (``ESSDASH_PUBLIC_URL``
for the last); the password comes from ``ESSDASH_SMTP_PASSWORD``, else from ``password`` in that table.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
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
SECRETS_FILE = PROJECT_DIR / ".streamlit" / "secrets.toml"
SMTP_KEYS = ("host", "port", "starttls", "user", "sender", "cafile", "public_url", "retry_pause")
LOOPBACK = ("localhost", "127.0.0.1", "::1")
DEFAULT_RETRY_PAUSE = 5.0  # seconds between two tries of a failed message
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


@dataclass(frozen=True)
class SmtpSettings:
    """How the convocations are sent: the SMTP relay (``host``, ``port``, STARTTLS or not), the
    account (``user``, ``password``; none for a relay that needs no login), the ``sender`` address, a
    CA file to trust (``cafile``, e.g. an internal relay's), the public address of the dashboard the
    messages link to (``public_url``) and the pause between two tries of a failed message."""

    host: str
    port: int
    starttls: bool
    sender: str
    public_url: str
    user: str = ""
    password: str = field(default="", repr=False)
    cafile: str = ""
    retry_pause: float = DEFAULT_RETRY_PAUSE


def secrets_table(name: str) -> dict:
    """The table ``name`` of the secrets file (``ESSDASH_SECRETS``, else ``.streamlit/secrets.toml``),
    empty when the file or the table is missing; an unreadable file is refused in French."""
    path = Path(os.environ.get("ESSDASH_SECRETS") or SECRETS_FILE)
    if not path.is_file():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get(name, {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"Le fichier de secrets « {path.name} » est illisible ({exc}).") from exc
    if not isinstance(table, dict):
        raise ConfigurationError(f"« {name} » doit être une table ([{name}]) dans « {path.name} ».")
    return table


def smtp_settings() -> SmtpSettings:
    """The ``[smtp]`` settings (see the module's docstring); a missing or wrong one is refused in French,
    before anything is sent."""
    table = secrets_table("smtp")
    given = {key: table.get(key) for key in SMTP_KEYS}
    for key in SMTP_KEYS:
        variable = "ESSDASH_PUBLIC_URL" if key == "public_url" else f"ESSDASH_SMTP_{key.upper()}"
        if os.environ.get(variable, "").strip():
            given[key] = os.environ[variable].strip()
    password = os.environ.get("ESSDASH_SMTP_PASSWORD") or table.get("password") or ""
    missing = [key for key in ("host", "sender", "public_url") if not str(given[key] or "").strip()]
    if missing:
        raise ConfigurationError(
            f"Envoi impossible : réglage [smtp] manquant ({', '.join(missing)}). Renseignez-le dans "
            "« .streamlit/secrets.toml » ou par ESSDASH_SMTP_HOST, ESSDASH_SMTP_SENDER, ESSDASH_PUBLIC_URL."
        )
    starttls = _yes(given["starttls"], "starttls", default=True)
    host = str(given["host"]).strip()
    port = _number(given["port"], "port", 587 if starttls else 25, whole=True)
    if not 0 < port < 65536:
        raise ConfigurationError(f"[smtp] port vaut « {port} » : indiquez un port entre 1 et 65535.")
    user = str(given["user"] or "").strip()
    if user and not starttls and host.lower() not in LOOPBACK:
        raise ConfigurationError(
            "[smtp] : un compte (user) sans STARTTLS enverrait le mot de passe en clair ; mettez starttls = true."
        )
    url = str(given["public_url"]).strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url):
        raise ConfigurationError(f"[smtp] public_url vaut « {url} » : indiquez une adresse http(s)://… sans espace.")
    return SmtpSettings(
        host=host,
        port=int(port),
        starttls=starttls,
        sender=str(given["sender"]).strip(),
        public_url=url,
        user=user,
        password=str(password),
        cafile=str(given["cafile"] or "").strip(),
        retry_pause=_number(given["retry_pause"], "retry_pause", DEFAULT_RETRY_PAUSE),
    )


def _yes(value, key: str, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "oui", "yes"):
        return True
    if text in ("0", "false", "non", "no"):
        return False
    raise ConfigurationError(f"[smtp] {key} vaut « {value} » : indiquez true ou false.")


def _number(value, key: str, default: float, *, whole: bool = False) -> float:
    if value is None or value == "":
        return default
    try:
        number = int(value) if whole else float(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0 or isinstance(value, bool):
        raise ConfigurationError(f"[smtp] {key} vaut « {value} » : indiquez un nombre positif.")
    return number
