"""A form submitted twice creates one record: one-time tokens spent under the write lock, and probable
duplicate proposals (same title, carrier and main commune) refused unless confirmed.

Counts are taken with plain SQL; two writers at once are two threads, the first holding the write
lock until the second has done everything it does before asking for the lock.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import insert, text

from essdash.domain import models as m
from essdash.domain.errors import ValidationError
from essdash.read import queries
from essdash.store.db import ids_written, write_meta
from essdash.write import comments, committee, projects
from essdash.write.actor import Actor
from essdash.write.once import Replayed
from tests.fixtures.samples import dump

ACTOR = Actor("Sophie Lefebvre", "groupe des techniciens")
TOKEN = "6f1c0e5a4b2d4c8e9a7f3b1d2c4e6a80"
PROPOSAL = {
    "title": "Épicerie solidaire",
    "commune_code": "59512",  # Roubaix
    "intervention_mode": "convention_objectifs",
    "sector": "alimentation",
}


@pytest.fixture
def base(empty_engine):
    """A technicians' group meeting (14 May 2013) and a committee (18 June 2013); reference date 1 December 2013."""
    with empty_engine.begin() as conn:
        conn.execute(
            insert(m.Meeting),
            [
                {"id": 1, "body": "groupe_techniciens", "date": date(2013, 5, 14), "title": "GT mai"},
                {"id": 2, "body": "comite_metropolitain", "date": date(2013, 6, 18), "title": "Comité juin"},
            ],
        )
        ids_written(conn, m.Meeting.__table__)
    write_meta(empty_engine, as_of="2013-12-01")
    return empty_engine


def _propose(engine, *, carrier: str = "SCOP Roule", **kwargs) -> int:
    data = {**PROPOSAL, **{k: kwargs.pop(k) for k in list(kwargs) if k in PROPOSAL}}
    return projects.create_project(
        engine,
        ACTOR,
        data,
        carrier_name=carrier,
        legal_form="scop",
        sheets=["III.4"],
        proposed_on=date(2013, 5, 2),
        **kwargs,
    )


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()


def _loaded(engine, pid: int) -> dict:
    detail = queries.project_detail(engine, pid)
    return {k: detail[k] for k in ("id", "version", "status", *projects.PROJECT_FIELDS) if k in detail}


@contextmanager
def _second_writer_waits_for_the_first(monkeypatch):
    """Two writes at once: whichever takes the write lock first keeps it until the other has done all
    it does before asking for the lock (reads, checks), then commits; the other then gets the lock."""
    real = projects.locked_transaction
    arrived = threading.Event()
    order: list[str] = []
    guard = threading.Lock()

    @contextmanager
    def paced(engine, permit):
        with guard:
            order.append(threading.current_thread().name)
            first = len(order) == 1
        if not first:
            arrived.set()
        with real(engine, permit) as conn:
            if first:
                assert arrived.wait(60), "the second writer never asked for the lock"
            yield conn

    monkeypatch.setattr(projects, "locked_transaction", paced)
    yield order


def _at_once(calls) -> list:
    """Run the calls in two threads; their results (or the exception each raised)."""
    results: list = [None, None]

    def work(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i,), name=f"writer-{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_proposal_submitted_twice_with_one_token_is_saved_once(base):
    first = _propose(base, once=TOKEN)
    after_first = dump(base)
    second = _propose(base, once=TOKEN)
    assert second == first and isinstance(second, Replayed) and not isinstance(first, Replayed)
    assert second.notice == f"Cette proposition est déjà enregistrée (projet n° {first})."
    assert dump(base) == after_first  # nothing written, not even the data version
    assert _count(base, "project") == 1 and _count(base, "projectevent") == 1 and _count(base, "organisation") == 1
    with base.connect() as conn:
        spent = conn.execute(text("SELECT token, deed, result, author FROM submission")).all()
    assert [tuple(row) for row in spent] == [(TOKEN, "projet", first, "Sophie Lefebvre (groupe des techniciens)")]


def test_two_submissions_with_one_token_at_once_make_one_project(base, monkeypatch):
    with _second_writer_waits_for_the_first(monkeypatch) as order:
        results = _at_once([lambda: _propose(base, once=TOKEN), lambda: _propose(base, once=TOKEN)])
    assert len(order) == 2
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0] == results[1]
    assert sum(isinstance(r, Replayed) for r in results) == 1
    assert _count(base, "project") == 1 and _count(base, "organisation") == 1 and _count(base, "submission") == 1


def test_two_alike_proposals_at_once_with_their_own_tokens_make_one_project(base, monkeypatch):
    """The second finds, under the lock, the carrier and the project the first has just created."""
    with _second_writer_waits_for_the_first(monkeypatch):
        results = _at_once([lambda: _propose(base, once="jeton-a"), lambda: _propose(base, once="jeton-b")])
    created = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(created) == 1 and len(refused) == 1
    assert isinstance(refused[0], projects.ProbableDuplicate) and refused[0].existing == created[0]
    assert _count(base, "project") == 1 and _count(base, "organisation") == 1 and _count(base, "submission") == 1


def test_a_probable_duplicate_is_refused_naming_the_existing_project(base):
    first = _propose(base, once="jeton-a")
    before = dump(base)
    with pytest.raises(projects.ProbableDuplicate) as refused:
        _propose(base, title="  EPICERIE   Solidaire ", carrier="scop roule", once="jeton-b")
    assert refused.value.existing == first
    assert refused.value.issues == [
        (
            "Projet",
            "Titre",
            f"Un projet « Épicerie solidaire » du même porteur à Roubaix existe déjà (n° {first}, proposé le "
            "02/05/2013). Cochez « Enregistrer quand même » si c'est un autre projet.",
        )
    ]
    assert isinstance(refused.value, ValidationError)
    assert dump(base) == before
    assert _count(base, "project") == 1


def test_a_confirmed_duplicate_is_created(base):
    first = _propose(base, once="jeton-a")
    second = _propose(base, once="jeton-b", confirmed=True)
    assert second != first and not isinstance(second, Replayed)
    with base.connect() as conn:
        titles = conn.execute(text("SELECT title FROM project ORDER BY id")).scalars().all()
    assert titles == ["Épicerie solidaire", "Épicerie solidaire"]


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Épicerie solidaire du Pile"},
        {"commune_code": "59599"},  # Tourcoing
        {"carrier": "Association Le Panier"},
    ],
)
def test_a_proposal_differing_in_title_commune_or_carrier_is_no_duplicate(base, change):
    _propose(base)
    _propose(base, **change)
    assert _count(base, "project") == 2


def test_a_step_submitted_twice_is_saved_once(base):
    pid = _propose(base)
    loaded = _loaded(base, pid)
    first = projects.advance_project(base, ACTOR, pid, loaded, "valide", meeting_id=1, once=TOKEN)
    after_first = dump(base)
    second = projects.advance_project(base, ACTOR, pid, loaded, "valide", meeting_id=1, once=TOKEN)
    assert second == first and second.notice == f"Cette étape du projet n° {pid} est déjà enregistrée."
    assert dump(base) == after_first
    assert _count(base, "projectevent") == 2  # the proposal, then one validation


def test_opinions_submitted_twice_are_saved_once(base):
    pid = _propose(base)
    projects.advance_project(base, ACTOR, pid, _loaded(base, pid), "valide", meeting_id=1)
    items = [{"project": _loaded(base, pid), "opinion": "favorable", "comment": ""}]
    assert committee.record_opinions(base, ACTOR, 2, items, once=TOKEN) == 1
    after_first = dump(base)
    again = committee.record_opinions(base, ACTOR, 2, items, once=TOKEN)
    assert again == 1 and again.notice == "Ces avis sont déjà enregistrés (séance n° 2)."
    assert dump(base) == after_first
    assert _count(base, "opinion") == 1


def test_a_comment_and_a_meeting_submitted_twice_are_saved_once(base):
    pid = _propose(base)
    said = [comments.add_comment(base, ACTOR, "projet", pid, "forum_acteurs", "Bien reçu.", once="c") for _ in "12"]
    assert said[0] == said[1] and said[1].notice == f"Ce commentaire est déjà enregistré (n° {said[0]})."
    met = [
        committee.create_meeting(base, ACTOR, body="forum_acteurs", day=date(2013, 9, 1), title="Forum", once="s")
        for _ in "12"
    ]
    assert met[0] == met[1] and met[1].notice == f"Cette séance est déjà enregistrée (séance n° {met[0]})."
    assert _count(base, "comment") == 1 and _count(base, "meeting") == 3


def test_a_token_spent_by_another_kind_of_write_is_refused(base):
    _propose(base, once=TOKEN)
    before = dump(base)
    with pytest.raises(ValidationError, match="déjà servi à une autre écriture"):
        committee.create_meeting(base, ACTOR, body="forum_acteurs", day=date(2013, 9, 1), title="Forum", once=TOKEN)
    assert dump(base) == before
