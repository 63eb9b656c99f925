"""The base as a whole, through the gate: download a copy, take a backup, restore one, on either
store (the store-neutral functions of :mod:`essdash.store.backup`).

Restoring is an administrateur's action; a copy of the base holds every member's address, so
downloading one is kept to those who may see all data. Each is in the journal (a restore's line
is written in the restored base).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from essdash.domain.errors import BackupError
from essdash.domain.vocabulary import Deed
from essdash.store import backup, clock
from essdash.store.db import locked_transaction
from essdash.write.actor import Actor
from essdash.write.gate import authorize


def copy(engine: Engine, actor: Actor | None) -> bytes:
    """A consistent copy of the whole base, to download."""
    permit = authorize(engine, actor, Deed.BACKUP, whole=True)
    data = backup.snapshot_of(engine)
    with locked_transaction(engine, permit) as conn:
        permit.log(conn, "Copie de la base téléchargée", clock.now(engine))
    return data


def take(engine: Engine, actor: Actor | None, reason: str = "manuelle") -> Path:
    """A backup in the backups folder; its path."""
    permit = authorize(engine, actor, Deed.BACKUP, whole=True)
    saved = backup.take_for(engine, reason)
    if saved is None:
        raise BackupError("La base est en mémoire : rien à sauvegarder ni à restaurer.")
    with locked_transaction(engine, permit) as conn:
        permit.log(conn, f"Sauvegarde prise : {saved.name}", clock.now(engine))
    return saved


def restore(engine: Engine, actor: Actor | None, data: bytes, label: str) -> Path:
    """Replace the base by a backup (checked whole first); the previous state's backup path. A
    member restores only a backup in which they are still an administrateur (else they would be
    locked out)."""
    permit = authorize(engine, actor, Deed.RESTORE, whole=True)
    saved = backup.restore_into(engine, data, label, keeping_admin=permit.actor.account)
    engine.dispose()  # on SQLite, the pool's connections still read the replaced file
    with locked_transaction(engine, permit) as conn:
        permit.log(conn, f"Base restaurée depuis « {label} » (état précédent : {saved.name})", clock.now(engine))
    return saved
