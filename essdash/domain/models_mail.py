"""The table of the messages the secretariat sends: one row per message to one address for one
meeting (the convocation with its meeting pack), with who sent it, when, what and how it went.

The key (meeting, kind, address, send_no) is unique: ``send_no`` is 1 for the first message to an address
and grows only when the secretariat explicitly sends again, or when an earlier message failed; a
message is claimed (status ``en_cours``) under the write lock before it is sent, so two sends at once
cannot both send it. Statuses and kinds are the codes of :mod:`essdash.domain.mailing`.
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class MailSend(SQLModel, table=True):
    """One message to one address for one meeting: its subject, the place it gave, its attachment, who
    sent it and when, its status (``en_cours``, ``envoye``, ``echec``), its tries and last error."""

    __table_args__ = (
        UniqueConstraint("meeting_id", "kind", "address", "send_no", name="uq_mailsend_once"),
        CheckConstraint("status IN ('en_cours', 'envoye', 'echec')", name="ck_mailsend_status"),
        CheckConstraint("kind IN ('convocation')", name="ck_mailsend_kind"),
        CheckConstraint("send_no >= 1 AND tries >= 0", name="ck_mailsend_counts"),
        Index("ix_mailsend_meeting", "meeting_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    kind: str
    address: str
    name: str
    send_no: int
    status: str
    tries: int = 0
    error: str = ""
    subject: str
    place: str
    attachment: str = ""
    started_at: NaiveDatetime
    finished_at: NaiveDatetime | None = None
    author: str
    account: str | None = None
