"""What an interrupted restore leaves, cleaned at the next opening or restore; the files' modes.

A restore is really killed here: a child process restores a backup and kills itself (SIGKILL) just
before the backup of the state before, when its temporary files (SQLite) or its temporary database
and schema (PostgreSQL) hold a full copy of the data. The next opening, or the next restore, must
remove them; what a running process still claims (a restore under way in another session) stays.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from essdash.store import backup, db, server
from essdash.store.config import Settings
from tests.fixtures.stores import connect, leftovers, on_server

KILLED_RESTORE = textwrap.dedent(
    """
    import os, signal, sys
    from essdash.store import backup, server_backup
    from essdash.store.db import make_engine

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    backup.take = server_backup.take = killed  # killed once the file is checked and copied
    engine = make_engine(sys.argv[1])
    backup.restore_into(engine, open(sys.argv[2], "rb").read(), "copie")
    """
)


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _dead_pid() -> int:
    """The id of a process that has just ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _what_is_left(engine, tmp_path: Path) -> list[str]:
    files = [p.name for p in (tmp_path / "backups").glob(".restauration-*")] if (tmp_path / "backups").is_dir() else []
    return sorted(files + leftovers(engine))


def _next_restore(engine, content: bytes) -> None:
    backup.restore_into(engine, content, "copie")


def _next_opening(engine, content: bytes) -> None:
    db.open_database(Settings(database_url=_url(engine))).dispose()


@pytest.mark.parametrize("then", [_next_opening, _next_restore], ids=["ouverture", "restauration"])
def test_a_killed_restore_leaves_nothing_after_the_next_opening_or_restore(empty_engine, tmp_path, then):
    content = backup.snapshot_of(empty_engine)
    (tmp_path / "copie").write_bytes(content)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_RESTORE, _url(empty_engine), str(tmp_path / "copie")],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr.decode()
    assert _what_is_left(empty_engine, tmp_path), "the killed restore left nothing to clean"
    empty_engine.dispose()
    then(empty_engine, content)
    assert _what_is_left(empty_engine, tmp_path) == []


def test_temporary_files_of_a_gone_process_go_at_once_and_those_of_a_running_one_stay(sqlite_engine):
    path = Path(sqlite_engine.url.database)
    folder = backup.folder(path)
    folder.mkdir(parents=True, exist_ok=True)
    dead, alive = _dead_pid(), os.getpid()
    gone = [
        folder / f".restauration-{dead}-20261206101010000001.db",
        folder / f".restauration-{dead}-20261206101010000001-neuve.db-journal",
        folder / f"empty-20261206-101010-000001-manuelle.db.{dead}.part",
        path.parent / f".{path.name}.{dead}.building",
    ]
    kept = [folder / f".restauration-{alive}-20261206101010000002.db", path.parent / f".{path.name}.{alive}.building"]
    for leftover in gone + kept:
        leftover.write_bytes(b"x" * 1000)  # just written: only the process id tells that it is abandoned
    sqlite_engine.dispose()
    db.open_database(Settings(database_url=f"sqlite:///{path}")).dispose()
    assert [p for p in gone if p.exists()] == []
    assert [p for p in kept if p.exists()] == kept


@pytest.mark.skipif(not on_server(), reason="the server's temporary schemas and databases")
def test_leftovers_claimed_by_a_running_process_stay_and_go_once_released(empty_engine):
    building = server.building_schema()
    with connect(empty_engine) as conn:
        restoring = server.restore_database(conn.conn)
    with server.claimed(empty_engine, building), server.claimed(empty_engine, restoring):
        with empty_engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{building}"')
            conn.exec_driver_sql(f'CREATE TABLE "{building}".copie AS SELECT * FROM commune')
        server.create_database(_url(empty_engine), restoring)
        assert server.clean_leftovers(empty_engine) == []
        assert sorted(leftovers(empty_engine)) == sorted([restoring, building])
    assert sorted(server.clean_leftovers(empty_engine)) == sorted([restoring, building])
    assert leftovers(empty_engine) == []
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM commune")).scalar_one() == 95


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The usual umask (0022): files are world-readable unless made otherwise."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_the_base_and_its_backups_are_their_owners_only(open_umask, tmp_path, monkeypatch):
    engine = db.init_db(f"sqlite:///{tmp_path / 'base.db'}", dataset="empty")
    path = Path(engine.url.database)
    seen = []
    checked = backup.check_file
    monkeypatch.setattr(backup, "check_file", lambda file, label: seen.append(_mode(file)) or checked(file, label))
    saved = backup.restore_into(engine, backup.snapshot_of(engine), "copie.db")
    engine.dispose()
    assert _mode(path) == 0o600
    assert seen == [0o600]  # the uploaded file, while it is checked
    assert _mode(saved) == 0o600
    assert _mode(backup.take(path, "manuelle")) == 0o600
    assert _mode(backup.folder(path)) == 0o700


def test_a_backup_of_either_store_is_its_owners_only(open_umask, empty_engine):
    saved = backup.take_for(empty_engine, "manuelle")
    assert _mode(saved) == 0o600
