"""The gate cannot be forgotten: the write transaction opens only with its permit, every call says
where it lands (or, explicitly, nowhere), a scoped write that lands nowhere is refused, and the
last-administrateur rule holds when two administrateurs demote each other at the same moment."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from essdash.domain.errors import AccessError, ValidationError
from essdash.domain.vocabulary import Deed
from essdash.store import db
from essdash.store.db import make_engine
from essdash.write import members
from essdash.write.actor import Actor
from essdash.write.gate import Permit, authorize
from essdash.write.measurements import save_measurements
from tests.fixtures.samples import dump
from tests.write.test_gate import EMAILS, LOCAL, base  # noqa: F401 (the fixture)

TECHNICIAN = Actor("?", "?", EMAILS["technicien"])


def test_the_write_transaction_opens_only_with_the_gate_s_permit(empty_engine):
    before = dump(empty_engine)
    for forged in (None, object(), "permis"):
        with pytest.raises(TypeError, match="permit"), db.locked_transaction(empty_engine, forged):
            raise AssertionError("the transaction must not open")
    with pytest.raises(TypeError, match="Only the gate"):
        Permit(LOCAL, Deed.COMMENT, "—")
    assert dump(empty_engine) == before


def test_every_call_says_where_the_write_lands(empty_engine):
    with pytest.raises(TypeError, match="say where"):
        authorize(empty_engine, LOCAL, Deed.COMMENT)
    with pytest.raises(TypeError, match="say where"):
        authorize(empty_engine, LOCAL, Deed.BACKUP, whole=True, nowhere=True)
    assert authorize(empty_engine, LOCAL, Deed.MEETING, nowhere=True).place == "—"
    assert authorize(empty_engine, LOCAL, Deed.BACKUP, whole=True).place == "toute la métropole"


@pytest.mark.parametrize("deed", [Deed.PROJECT, Deed.STEP, Deed.MEASUREMENT])
def test_a_scoped_write_that_lands_nowhere_is_refused(base, deed):  # noqa: F811
    engine, _, _ = base
    with pytest.raises(AccessError, match="ne dit pas où elle s'applique"):
        authorize(engine, TECHNICIAN, deed, nowhere=True)
    assert authorize(engine, TECHNICIAN, deed, territories=["roubaisien"]).place == "Territoire Roubaisien"


@pytest.mark.parametrize("deed", [Deed.COMMENT, Deed.IMPORT])
def test_a_comment_on_a_fiche_and_a_column_mapping_land_nowhere(base, deed):  # noqa: F811
    engine, _, _ = base
    assert authorize(engine, TECHNICIAN, deed, nowhere=True).actor.account == EMAILS["technicien"]


def test_a_technician_cannot_enter_a_metropolitan_value(base):  # noqa: F811
    engine, _, _ = base
    before = dump(engine)
    with pytest.raises(AccessError, match="toute la métropole est hors de votre périmètre"):
        save_measurements(engine, TECHNICIAN, "part_cdi", "2013-S1", [{"code": None, "value": "50", "source": "x"}])
    assert dump(engine) == before


TRIALS = 8


def _demote(engine, me: str, other: str, start: threading.Barrier, done: list[str]) -> None:
    """Administrateur ``me`` makes ``other`` a mission member, at the same moment as another thread."""
    start.wait()
    try:
        members.save_member(engine, Actor("?", "?", me), other, "mission")
        done.append("modifié")
    except (AccessError, ValidationError) as exc:
        done.append(type(exc).__name__)


def test_two_administrateurs_demoting_each_other_leave_one(empty_engine):
    url = empty_engine.url.render_as_string(hide_password=False)
    first, second = "premiere.admin@mel.fr", "second.admin@mel.fr"
    engines = [make_engine(url), make_engine(url)]
    outcomes = []
    try:
        for _ in range(TRIALS):
            for email in (first, second):
                members.save_member(empty_engine, LOCAL, email, "administrateur")
            start, done = threading.Barrier(2), []
            threads = [
                threading.Thread(target=_demote, args=(engines[0], first, second, start, done)),
                threading.Thread(target=_demote, args=(engines[1], second, first, start, done)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            with empty_engine.connect() as conn:
                admins = conn.execute(text("SELECT count(*) FROM member WHERE role = 'administrateur'")).scalar_one()
            outcomes.append((admins, sorted(done)))
    finally:
        for engine in engines:
            engine.dispose()
    assert all(admins == 1 for admins, _ in outcomes), outcomes
    assert all(done.count("modifié") == 1 for _, done in outcomes), outcomes
