"""The writes' clock: a demo database writes on its reference day, a real one on the real day."""

from datetime import date, datetime

from sqlalchemy import select

from essdash.domain import models as m
from essdash.store import clock
from essdash.store.db import write_meta
from essdash.write import comments
from essdash.write.actor import Actor
from essdash.write.plans import sheets

ACTOR = Actor("Sophie Lefebvre", "technicien")


def _fiche(engine) -> dict:
    with engine.connect() as conn:
        row = conn.execute(select(m.ActionSheet).where(m.ActionSheet.code == "III.4")).mappings().one()
    return {k: row[k] for k in ("id", "version", "status", "progress")}


def test_a_real_database_writes_at_the_real_time(empty_engine):
    write_meta(empty_engine, as_of="2013-12-01")
    before = datetime.now().replace(microsecond=0)
    stamped = clock.now(empty_engine)
    after = datetime.now()
    assert before <= stamped <= after
    assert stamped.microsecond == 0


def test_a_demo_database_writes_on_its_reference_day_at_the_time_of_day(empty_engine):
    write_meta(empty_engine, dataset="demo", as_of="2014-12-15")
    before = datetime.now().replace(microsecond=0)
    stamped = clock.now(empty_engine)
    after = datetime.now()
    assert stamped.date() == date(2014, 12, 15)
    assert before.time() <= stamped.time() <= after.time() or before.date() != after.date()
    with empty_engine.connect() as conn:
        assert clock.today(conn) == date(2014, 12, 15)


def test_comments_and_fiche_history_in_the_demo_are_dated_at_the_demo_day(empty_engine):
    write_meta(empty_engine, dataset="demo", as_of="2014-12-15")
    loaded = _fiche(empty_engine)
    comments.add_comment(empty_engine, ACTOR, "fiche", loaded["id"], "groupe_techniciens", "Point d'étape.")
    sheets.update_sheet(empty_engine, ACTOR, loaded["id"], loaded, status="en_cours", progress=20, comment="Lancement.")
    with empty_engine.connect() as conn:
        created = conn.execute(select(m.Comment.created_at)).scalars().all()
        changed = conn.execute(select(m.ActionSheetHistory.changed_at)).scalars().all()
    assert [c.date() for c in created] == [date(2014, 12, 15)]
    assert {c.date() for c in changed} == {date(2014, 12, 15)}
    assert len(changed) == 2  # status and progress


def test_a_demo_write_never_goes_before_what_the_demo_recorded(empty_engine):
    write_meta(empty_engine, dataset="demo", as_of="2014-12-15")
    loaded = _fiche(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(
            m.ActionSheetHistory.__table__.insert().values(
                sheet_id=loaded["id"],
                changed_at=datetime(2014, 12, 15, 23, 59, 58),
                author="Claire Martin",
                role="mission ESS",
                field="progress",
                old_value="0",
                new_value="10",
                comment="Saisie de la démonstration.",
            )
        )
    assert clock.now(empty_engine) == datetime(2014, 12, 15, 23, 59, 59)
