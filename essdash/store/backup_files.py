"""The backup files kept in a folder, on either store (``STEM-YYYYMMDD-HHMMSS-ffffff-REASON.SUFFIX``),
the schema version a backup is read with, and the private files and folders they are made in.

A base, its backups and the temporary files of a backup or a restore hold the register's personal
data: they are created readable by their owner only (mode 0600, folders 0700), whatever the umask.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

from essdash.domain.errors import BackupError
from essdash.domain.models import SCHEMA_VERSION


def listed(target_dir: Path, stem: str, suffix: str) -> list[dict]:
    """The backups of the database ``stem`` in ``target_dir``, newest first: path, name, moment,
    reason, size in bytes."""
    name = re.compile(rf"^(?P<stem>.+)-(?P<stamp>\d{{8}}-\d{{6}}-\d{{6}})-(?P<reason>[a-z0-9-]+){re.escape(suffix)}$")
    found = []
    for path in target_dir.glob(f"{glob_escape(stem)}-*{suffix}") if target_dir.is_dir() else ():
        match = name.match(path.name)
        if match and match["stem"] == stem:
            try:
                size = path.stat().st_size
            except FileNotFoundError:  # rotated away meanwhile by another writer's backup
                continue
            found.append(
                {
                    "path": path,
                    "name": path.name,
                    "reason": match["reason"].replace("-", " "),
                    "taken_at": datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S-%f"),
                    "size": size,
                }
            )
    return sorted(found, key=lambda b: b["taken_at"], reverse=True)


def glob_escape(text: str) -> str:
    """``text`` with the glob pattern characters taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def schema_version(written: str, label: str) -> int:
    """The schema version written in the backup ``label``, read strictly (digits only, not newer
    than this essdash's)."""
    if not re.fullmatch(r"[0-9]{1,6}", written):
        raise BackupError(
            f"« {label} » porte une version de schéma illisible (« {written} ») : ce n'est pas une sauvegarde essdash."
        )
    if int(written) > SCHEMA_VERSION:
        raise BackupError(
            f"« {label} » vient d'une version plus récente d'essdash (schéma {written}) : "
            "mettez l'application à jour avant de la restaurer."
        )
    return int(written)


PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def create_private(path: Path, data: bytes = b"") -> None:
    """Write ``data`` to the new or emptied file ``path``, readable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), PRIVATE_FILE)  # an existing file keeps its mode through O_CREAT
        file.write(data)


def make_private_folder(path: Path) -> None:
    """Create the folder ``path`` (and its parents) if missing; a new one is its owner's only."""
    path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)


def process_gone(pid: int) -> bool:
    """Whether no process of this machine has the id ``pid`` (the one that made a temporary file)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # another user's process
        return False
    return False
