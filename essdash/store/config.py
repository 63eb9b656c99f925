"""Settings read from the environment; no Streamlit here.

``DATABASE_URL`` chooses the database (default: a SQLite file ``var/essdash.db`` under the
project). ``ESSDASH_SEED`` changes the demo dataset's random seed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_DIR / "data"
DEFAULT_DB_PATH = PROJECT_DIR / "var" / "essdash.db"
DEFAULT_SEED = 2011


@dataclass(frozen=True)
class Settings:
    database_url: str
    demo_seed: int = DEFAULT_SEED
    data_dir: Path = DATA_DIR


def get_settings() -> Settings:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}"
    seed = int(os.environ.get("ESSDASH_SEED", DEFAULT_SEED))
    return Settings(database_url=url, demo_seed=seed)
