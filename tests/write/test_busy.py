"""A write that meets another one holding the database: it waits within the stated bound, then is
refused in French with nothing written; released in time, it goes through."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from essdash.domain import models as m
from essdash.domain.errors import BusyError
from essdash.domain.vocabulary import Deed
from essdash.store import db
from essdash.store.db import make_engine
from essdash.write import comments, imports
from essdash.write.actor import Actor
from essdash.write.gate import authorize
from tests.fixtures.samples import GOOD, csv_file, dump

ACTOR = Actor("Sophie Lefebvre", "mission ESS")


def _comment(engine) -> None:
    sheet = 1
    comments.add_comment(engine, ACTOR, "fiche", sheet, "mission_ess", "Point d'étape.")


class _Release(Exception):
    """Ends the other writer's transaction without writing."""


def _hold_lock(url: str, seconds: float, started: threading.Event) -> None:
    """Another writer: takes the write lock and keeps it for ``seconds``, then writes nothing."""
    other = make_engine(url)
    try:
        with db.locked_transaction(other, authorize(other, ACTOR, Deed.COMMENT, nowhere=True)):
            started.set()
            time.sleep(seconds)
            raise _Release
    except _Release:
        pass
    finally:
        other.dispose()


def test_a_write_past_the_bound_is_refused_in_french_and_writes_nothing(empty_engine, monkeypatch):
    url = str(empty_engine.url)
    empty_engine.dispose()
    monkeypatch.setattr(db, "WRITE_WAIT_SECONDS", 0.3)
    engine = make_engine(url)
    _comment(engine)  # the database in service: already in WAL mode
    before = dump(engine)
    started = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(url, 2.0, started))
    holder.start()
    assert started.wait(5)
    try:
        with pytest.raises(BusyError, match=r"occupée par une autre écriture depuis plus de 0\.3 secondes"):
            _comment(engine)
    finally:
        holder.join()
    assert dump(engine) == before
    engine.dispose()


def test_a_write_waits_for_a_lock_released_within_the_bound(empty_engine, monkeypatch):
    url = str(empty_engine.url)
    empty_engine.dispose()
    monkeypatch.setattr(db, "WRITE_WAIT_SECONDS", 10.0)
    engine = make_engine(url)
    _comment(engine)  # the database in service: already in WAL mode
    started = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(url, 0.5, started))
    holder.start()
    assert started.wait(5)
    try:
        _comment(engine)
    finally:
        holder.join()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(m.Comment)).scalar_one() == 2
    engine.dispose()


def _spy_checks(monkeypatch, engine, *, writes_meanwhile: int) -> list[int]:
    """Count the import's validations against the database; someone else writes right after each of
    the first ``writes_meanwhile`` ones (between the validation and the write lock)."""
    calls: list[int] = []
    real = imports._checked

    def checked(conn, engine_, plan):
        calls.append(1)
        result = real(conn, engine_, plan)
        if len(calls) <= writes_meanwhile:
            _comment(engine)
        return result

    monkeypatch.setattr(imports, "_checked", checked)
    return calls


@pytest.mark.parametrize(
    ("writes_meanwhile", "validations"),
    [(0, 1), (1, 2), (2, 3), (3, 4)],  # three tries outside the lock, then one holding it
)
def test_an_import_is_validated_again_when_someone_wrote_meanwhile(
    empty_engine, monkeypatch, writes_meanwhile, validations
):
    plan = imports.prepare(empty_engine, csv_file(GOOD["organisations"]), "porteurs.csv", "organisations")
    assert plan.ok
    calls = _spy_checks(monkeypatch, empty_engine, writes_meanwhile=writes_meanwhile)
    imports.apply(empty_engine, plan, ACTOR)
    assert len(calls) == validations
    with empty_engine.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(m.Organisation)).scalar_one()
            == len(GOOD["organisations"]) - 1
        )


def test_every_write_changes_the_write_token(empty_engine):
    """A new base has a token of its own (a rebuilt base is a new data version), and each write moves it."""
    with empty_engine.connect() as conn:
        first = db.write_token(conn)
    _comment(empty_engine)
    with empty_engine.connect() as conn:
        second = db.write_token(conn)
    _comment(empty_engine)
    with empty_engine.connect() as conn:
        third = db.write_token(conn)
    assert len(first) == 32 and len({first, second, third}) == 3
