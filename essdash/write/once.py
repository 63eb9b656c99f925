"""One-time tokens of the forms that create records: a form submitted twice (double click, resend
after a slow answer) creates one record.

Each rendered form carries a token; the write that saves it spends the token in its own
transaction, under the write lock (``submission`` table), so a second write with the same token,
from any process, finds it there, writes nothing (its transaction rolls back) and returns what the
first returned, as a :class:`Replayed` value whose ``notice`` says so in French.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import ParamSpec, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain.errors import ValidationError
from essdash.domain.vocabulary import Deed
from essdash.write.actor import Actor

TOKEN_LENGTH = 64
P = ParamSpec("P")
R = TypeVar("R")


class Replayed(int):
    """What a write returns when its form's token was already spent: the result of the earlier write
    (the id of the record it made, or a number of rows), with ``notice``, a French sentence for the form."""

    notice: str

    def __new__(cls, result: int, notice: str) -> Replayed:
        made = super().__new__(cls, result)
        made.notice = notice
        return made


class Spent(Exception):
    """Raised under the write lock when the form's token was spent: the transaction rolls back (not
    even the data version moves) and :func:`replayable` returns the earlier result instead."""

    def __init__(self, replayed: Replayed):
        self.replayed = replayed
        super().__init__(replayed.notice)


def replayable(write: Callable[P, R]) -> Callable[P, R | Replayed]:
    """Decorate a write that takes ``once``: when it finds its token spent (:func:`check`), it
    returns the earlier write's result as a :class:`Replayed` value."""

    @functools.wraps(write)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Replayed:
        try:
            return write(*args, **kwargs)
        except Spent as spent:
            return spent.replayed

    return wrapper


def check(conn: Connection, once: str | None, deed: Deed, notice: Callable[[int], str]) -> None:
    """Under the write lock, first thing: raise :class:`Spent` if the token ``once`` already saved a
    write (``notice`` of its result says so in French); nothing without a token. A token spent by
    another kind of write, or not a token, is refused."""
    if once is None:
        return
    if not isinstance(once, str) or not 0 < len(once) <= TOKEN_LENGTH:
        raise ValidationError([("Formulaire", "Jeton", "jeton de formulaire invalide : rechargez la page.")])
    row = conn.execute(
        select(col(m.Submission.deed), col(m.Submission.result)).where(col(m.Submission.token) == once)
    ).first()
    if row is None:
        return
    if row.deed != deed.value:
        raise ValidationError(
            [("Formulaire", "Jeton", "ce formulaire a déjà servi à une autre écriture : rechargez la page.")]
        )
    raise Spent(Replayed(row.result, notice(row.result)))


def spend(conn: Connection, once: str | None, deed: Deed, result: int, actor: Actor, now: datetime) -> None:
    """Record, in the write's transaction, that the token ``once`` saved this write (nothing without a token)."""
    if once is not None:
        conn.execute(
            insert(m.Submission).values(
                token=once, deed=deed.value, result=result, at=now, author=actor.label, account=actor.account
            )
        )
