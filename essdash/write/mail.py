"""Sending the convocation and the meeting pack of a meeting to the members its body convenes, by
e-mail, journaled message by message (:class:`essdash.domain.models_mail.MailSend`).

One write in three steps, through the gate (:data:`Deed.MAIL`: the mission ESS and the administrateur):

1. under the write lock, each address is claimed: a row « en cours » with the next number of its
   (meeting, kind, address) key (:func:`essdash.domain.mailing.next_send`): an address already sent
   to, or being sent to, is left out unless the secretariat asks to send again; nothing to claim,
   nothing written;
2. the messages go out by SMTP (:mod:`essdash.write.mail_delivery`), outside the lock, each failed
   address tried again, :data:`essdash.domain.mailing.MAX_TRIES` tries in all;
3. under the lock again, each row gets its status, tries and error, and the journal the outcome.

A double click sends once: the second send finds the addresses claimed; an explicit « renvoyer »
from a form carries the form's one-time token (:mod:`essdash.write.once`). A process that dies
between 1 and 3 leaves its rows « en cours », which block a plain send (the message may have gone):
« renvoyer » sends them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from essdash.domain import fmt, rules
from essdash.domain.errors import ValidationError
from essdash.domain.mailing import PLACE_LENGTH, MailKind, MailStatus, next_send
from essdash.domain.models_mail import MailSend
from essdash.domain.vocabulary import Deed
from essdash.read import convocation as read_convocation
from essdash.read.convocation import Convocation, Letter, Recipient
from essdash.store import clock
from essdash.store.config import smtp_settings
from essdash.store.db import locked_transaction
from essdash.store.sql import new_id
from essdash.write import mail_delivery
from essdash.write import once as once_
from essdash.write.actor import Actor
from essdash.write.gate import authorize

Compose = Callable[[Convocation, str, str], Letter]  # (convocation, place, public URL) → the letter


@dataclass(frozen=True)
class Outcome:
    """One address of a send: sent, failed (with the French error) or left out (with why)."""

    address: str
    name: str
    status: str
    tries: int = 0
    error: str = ""


@dataclass(frozen=True)
class SendReport:
    """What a send did, address by address."""

    meeting_id: int
    outcomes: tuple[Outcome, ...]

    def _with(self, status: MailStatus | None) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == (status.value if status else "")]

    @property
    def sent(self) -> list[Outcome]:
        return self._with(MailStatus.SENT)

    @property
    def failed(self) -> list[Outcome]:
        return self._with(MailStatus.FAILED)

    @property
    def left_out(self) -> list[Outcome]:
        return self._with(None)

    def summary(self) -> str:
        """« Convocation de la séance n° 64 envoyée à 3 destinataires ; 1 adresse en échec. »"""
        sent = fmt.plural(len(self.sent), "destinataire")
        parts = [f"Convocation de la séance n° {self.meeting_id} envoyée à {sent}"]
        if self.failed:
            parts.append(f"{fmt.plural(len(self.failed), 'adresse')} en échec")
        if self.left_out:
            parts.append(f"{fmt.plural(len(self.left_out), 'adresse')} laissée(s) de côté")
        return " ; ".join(parts) + "."

    def lines(self) -> list[str]:
        """One French line per address that failed or was left out."""
        failed = [
            f"{o.name} <{o.address}> : échec après {fmt.plural(o.tries, 'essai')} — {o.error}" for o in self.failed
        ]
        return failed + [f"{o.name} <{o.address}> : {o.error}" for o in self.left_out]


class _NothingToSend(Exception):
    """Raised under the lock when every address is served already: the transaction rolls back."""


@once_.replayable
def send_convocation(
    engine: Engine,
    actor: Actor | None,
    meeting_id: int,
    compose: Compose,
    *,
    place: str = "",
    again: bool = False,
    once: str | None = None,
) -> SendReport:
    """Send the convocation of the meeting ``meeting_id``, with its pack (``compose`` makes the letter),
    to the members its body convenes; ``place``: where (and when) it is held, else the place of the
    previous convocation of the meeting; ``again``: to every address, even those already sent to.
    Refusals (gate, settings, place, no recipient) come before anything is written or sent."""
    permit = authorize(engine, actor, Deed.MAIL, nowhere=True)
    settings = smtp_settings()
    convocation = read_convocation.convocation(engine, meeting_id)
    place = _place(place or read_convocation.last_place(engine, meeting_id))
    if not convocation.recipients:
        raise ValidationError(
            [
                (
                    "Séance",
                    "Destinataires",
                    f"aucun membre de l'instance « {convocation.body.label} » n'a d'adresse : ajoutez-les "
                    "(page Accès ou python -m essdash users add).",
                )
            ]
        )
    letter = compose(convocation, place, settings.public_url)
    kind = MailKind.CONVOCATION
    now = clock.now(engine)
    claims: dict[str, int] = {}
    left_out: list[Outcome] = []
    try:
        with locked_transaction(engine, permit) as conn:
            once_.check(conn, once, Deed.MAIL, lambda n: f"Cet envoi est déjà fait ({fmt.plural(n, 'message')}).")
            latest = _latest(conn, meeting_id, kind)
            for person in convocation.recipients:
                number = next_send(*latest.get(person.address, (None, None)), again=again)
                if number is None:
                    left_out.append(_left_out(person, latest[person.address][1]))
                    continue
                claims[person.address] = new_id(
                    conn.execute(
                        insert(MailSend).values(
                            meeting_id=meeting_id,
                            kind=kind.value,
                            address=person.address,
                            name=person.name,
                            send_no=number,
                            status=MailStatus.PENDING.value,
                            subject=letter.subject,
                            place=place,
                            attachment=f"{letter.attachment_name} ({fmt.number(len(letter.attachment))} octets)",
                            started_at=now,
                            author=permit.actor.label,
                            account=permit.actor.account,
                        )
                    )
                )
            if not claims:
                raise _NothingToSend
            once_.spend(conn, once, Deed.MAIL, len(claims), permit.actor, now)
            again_text = " (renvoi demandé)" if again else ""
            permit.log(
                conn,
                f"Convocation de la séance n° {meeting_id} : envoi à {fmt.plural(len(claims), 'adresse')}{again_text}",
                now,
            )
    except _NothingToSend:
        return SendReport(meeting_id, tuple(left_out))
    people = {person.address: person for person in convocation.recipients if person.address in claims}
    messages = {a: mail_delivery.message(settings, letter, a, people[a].name) for a in claims}
    deliveries = mail_delivery.deliver(settings, messages)
    done = clock.now(engine)
    outcomes = []
    with locked_transaction(engine, permit) as conn:
        for address, row_id in claims.items():
            delivery = deliveries[address]
            status = MailStatus.SENT if delivery.sent else MailStatus.FAILED
            conn.execute(
                update(MailSend)
                .where(col(MailSend.id) == row_id)
                .values(status=status.value, tries=delivery.tries, error=delivery.error, finished_at=done)
            )
            outcomes.append(Outcome(address, people[address].name, status.value, delivery.tries, delivery.error))
        report = SendReport(meeting_id, tuple(outcomes) + tuple(left_out))
        failed = "".join(f" ; échec : {o.address} ({o.error})" for o in report.failed)
        permit.log(conn, f"{report.summary()}{failed}", done)
    return report


def _place(place: str) -> str:
    """Where the meeting is held, one line; required."""
    try:
        clean = rules.text(place or "", max_length=PLACE_LENGTH)
    except ValueError as exc:
        raise ValidationError([("Convocation", "Lieu", str(exc))]) from exc
    if not clean:
        raise ValidationError([("Convocation", "Lieu", "indiquez le lieu (et l'heure) de la séance.")])
    return clean


def _latest(conn: Connection, meeting_id: int, kind: MailKind) -> dict[str, tuple[int, str]]:
    """Per address, the number and status of its latest message for the meeting."""
    newest = (
        select(col(MailSend.address), func.max(col(MailSend.send_no)).label("send_no"))
        .where(col(MailSend.meeting_id) == meeting_id, col(MailSend.kind) == kind.value)
        .group_by(col(MailSend.address))
        .subquery()
    )
    rows = conn.execute(
        select(col(MailSend.address), col(MailSend.send_no), col(MailSend.status))
        .join(
            newest,
            (newest.c.address == col(MailSend.address)) & (newest.c.send_no == col(MailSend.send_no)),
        )
        .where(col(MailSend.meeting_id) == meeting_id, col(MailSend.kind) == kind.value)
    ).all()
    return {address: (number, status) for address, number, status in rows}


def _left_out(person: Recipient, status: str) -> Outcome:
    reason = (
        "déjà envoyée (« renvoyer » pour l'envoyer de nouveau)"
        if status == MailStatus.SENT.value
        else "envoi commencé sans résultat connu (« renvoyer » pour le refaire)"
    )
    return Outcome(person.address, person.name, "", error=reason)
