"""Settings read from the environment; no Streamlit here.

``DATABASE_URL`` chooses the database (default: a SQLite file ``var/essdash.db`` under the
project). ``ESSDASH_SEED`` changes the demo dataset's random seed. ``ESSDASH_MODE`` chooses how
people are known: ``local`` (the default, « poste local »: one person on one laptop, who signs with
a name and a role and may do everything) or ``partage`` (accounts through OpenID Connect, roles and
territories kept in the database). ``ESSDASH_SESSION_HOURS`` (default 8) bounds a shared session.
"""

from __future__ import annotations

import os
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


@dataclass(frozen=True)
class Settings:
    database_url: str
    demo_seed: int = DEFAULT_SEED
    data_dir: Path = DATA_DIR
    mode: str = LOCAL
    session_hours: float = DEFAULT_SESSION_HOURS

    @property
    def shared(self) -> bool:
        return self.mode == SHARED


def get_settings() -> Settings:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}"
    seed = int(os.environ.get("ESSDASH_SEED", DEFAULT_SEED))
    return Settings(database_url=url, demo_seed=seed, mode=mode(), session_hours=session_hours())


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
