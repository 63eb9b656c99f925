"""The convocation of a meeting as data, and the messages already sent for it.

:func:`convocation` gathers what the secretariat sends to the members a body convenes
(:data:`essdash.domain.mailing.CONVENED`): the meeting, the previous one of the same body, the agenda
built from the data as things stood on the convocation's day (the meeting's day, or the data's
reference date when earlier): the proposals waiting for this body (the committee's opinion, the
technicians' validation), the fiches changed since the previous meeting, the late fiches and the key
figures, and the recipients. :func:`sends` lists the messages of the journal of sends.
:class:`Letter` is the message composed from it (:mod:`essdash.render.convocation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import periods
from essdash.domain.errors import ValidationError
from essdash.domain.mailing import CONVENED, MailKind, MailStatus
from essdash.domain.models_mail import MailSend
from essdash.domain.vocabulary import MeetingBody, ProjectStatus, Role
from essdash.read import followup, proceedings, selection
from essdash.read.filters import Filters, project_conditions, read_frame
from essdash.read.pack import figures as pack_figures
from essdash.read.pack.model import METROPOLIS
from essdash.read.sheet_filters import narrow

# The proposals each body decides on: the committee gives its opinion, the technicians validate.
WAITING = {
    MeetingBody.COMMITTEE: (ProjectStatus.VALIDATED, "Avis sur les propositions validées par les techniciens"),
    MeetingBody.TECHNICIANS: (ProjectStatus.PROPOSED, "Validation technique des propositions reçues"),
}
SEND_COLUMNS = ["Destinataire", "Adresse", "Envoi n°", "État", "Essais", "Erreur", "Objet", "Lieu", "Le", "Par"]


@dataclass(frozen=True)
class Recipient:
    """A member convened: their address, name and role (French label)."""

    address: str
    name: str
    role: str


@dataclass(frozen=True)
class Convocation:
    """What a convocation says: the meeting and its body, the day its figures describe (``day``) and
    that day's semester, the previous meeting of the body, the proposals waiting for it (``waiting``,
    with ``waiting_title``; empty for a body that decides on none), the number of fiches changed since
    the previous meeting, the late fiches, the key figures and their note, and the recipients."""

    meeting: proceedings.Meeting
    body: MeetingBody
    day: date
    period: str
    last: proceedings.Meeting | None
    waiting_title: str
    waiting: pd.DataFrame
    sheets_changed: int
    late: pd.DataFrame
    figures: list[tuple[str, str, str]]
    figures_note: str
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True)
class Letter:
    """The message of a convocation, the same for every recipient: its subject, its text (French, plain),
    the meeting pack attached (file name and bytes) and the link to the presentation."""

    subject: str
    text: str
    attachment_name: str
    attachment: bytes
    link: str


def meeting(engine: Engine, meeting_id: int) -> proceedings.Meeting:
    """The meeting of that id; an unknown one is refused in French."""
    frame = read_frame(engine, select(m.Meeting).where(col(m.Meeting.id) == meeting_id))
    if frame.empty:
        raise ValidationError([("Séance", "Numéro", f"aucune séance n° {meeting_id}.")])
    return proceedings.Meeting.of_row(frame.iloc[0].to_dict())


def recipients(engine: Engine, body: MeetingBody) -> tuple[Recipient, ...]:
    """The members ``body`` convenes, by address."""
    roles = [role.value for role in CONVENED[body]]
    with engine.connect() as conn:
        rows = conn.execute(
            select(col(m.Member.email), col(m.Member.name), col(m.Member.role))
            .where(col(m.Member.role).in_(roles))
            .order_by(col(m.Member.email))
        ).all()
    return tuple(Recipient(email, name, Role(role).label) for email, name, role in rows)


def convocation(engine: Engine, meeting_id: int) -> Convocation:
    """The convocation of the meeting ``meeting_id`` (see the module's docstring)."""
    held = meeting(engine, meeting_id)
    body = MeetingBody(held.body)
    day = min(held.date, followup.as_of(engine))
    period = periods.of_date(day)
    before = proceedings.meetings(engine, body.value)
    before = before[before["date"] < held.date]
    last = proceedings.Meeting.of_row(before.iloc[0].to_dict()) if not before.empty else None
    step, title = WAITING.get(body, (None, ""))
    filters = selection.resolve(engine, as_of=day)
    figures = pack_figures.key_figures(engine, filters, period, METROPOLIS)
    late = narrow(followup.sheet_tree(engine, filters), late_only=True, with_projects=False)
    return Convocation(
        meeting=held,
        body=body,
        day=day,
        period=period,
        last=last,
        waiting_title=title,
        waiting=_waiting(engine, step, day),
        sheets_changed=_sheets_changed(engine, last.date if last else None, day),
        late=late[["code", "title"]].reset_index(drop=True),
        figures=figures.figures,
        figures_note=" ".join(figures.sentences),
        recipients=recipients(engine, body),
    )


def _waiting(engine: Engine, step: ProjectStatus | None, day: date) -> pd.DataFrame:
    """The projects at ``step`` on ``day`` (none without a step), oldest proposal first."""
    if step is None:
        return pd.DataFrame(columns=["id", "title", "carrier", "commune"])
    return read_frame(
        engine,
        select(
            col(m.Project.id),
            col(m.Project.title),
            col(m.Organisation.name).label("carrier"),
            col(m.Commune.name).label("commune"),
        )
        .join(m.Organisation, col(m.Organisation.id) == col(m.Project.carrier_id))
        .join(m.Commune, col(m.Commune.insee_code) == col(m.Project.commune_code))
        .where(*project_conditions(Filters(as_of=day, statuses=(step.value,))))
        .order_by(col(m.Project.proposed_on), col(m.Project.id)),
    )


def _sheets_changed(engine: Engine, since: date | None, day: date) -> int:
    """How many fiches changed (status or progress) after ``since`` up to ``day`` included."""
    history = m.ActionSheetHistory
    stmt = select(func.count(func.distinct(col(history.sheet_id)))).where(
        col(history.changed_at) < day + timedelta(days=1)
    )
    if since is not None:
        stmt = stmt.where(col(history.changed_at) >= since + timedelta(days=1))
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def last_place(engine: Engine, meeting_id: int) -> str:
    """The place the latest convocation of that meeting gave ("" if none was sent)."""
    with engine.connect() as conn:
        found = conn.execute(
            select(col(MailSend.place))
            .where(col(MailSend.meeting_id) == meeting_id)
            .order_by(col(MailSend.id).desc())
            .limit(1)
        ).scalar_one_or_none()
    return found or ""


def sends(engine: Engine, meeting_id: int, kind: MailKind = MailKind.CONVOCATION) -> pd.DataFrame:
    """The messages of that meeting, newest first, with French column names and statuses."""
    frame = read_frame(
        engine,
        select(
            col(MailSend.name),
            col(MailSend.address),
            col(MailSend.send_no),
            col(MailSend.status),
            col(MailSend.tries),
            col(MailSend.error),
            col(MailSend.subject),
            col(MailSend.place),
            col(MailSend.started_at),
            col(MailSend.author),
        )
        .where(col(MailSend.meeting_id) == meeting_id, col(MailSend.kind) == kind.value)
        .order_by(col(MailSend.id).desc()),
    )
    frame["status"] = frame["status"].map(MailStatus.labels())
    frame.columns = SEND_COLUMNS
    return frame
