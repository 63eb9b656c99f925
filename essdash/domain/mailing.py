"""What the secretariat sends and to whom: the kinds of message, their statuses, the roles of the
members each body convenes, and the rule that decides whether an address gets a message.

Pure rules, no database: :mod:`essdash.write.mail` reads the earlier messages and asks here.
"""

from __future__ import annotations

from essdash.domain.vocabulary import LabelledEnum, MeetingBody, Role

MAX_TRIES = 3  # tries of one message in one send, before it is reported as failed
PLACE_LENGTH = 300  # characters of the place (and time) a convocation gives
ERROR_LENGTH = 500  # characters of a failed message's error, as journaled


class MailKind(LabelledEnum):
    CONVOCATION = ("convocation", "Convocation et dossier de séance")


class MailStatus(LabelledEnum):
    PENDING = ("en_cours", "en cours d'envoi")
    SENT = ("envoye", "envoyé")
    FAILED = ("echec", "échec")


# The members each body convenes, by role; the mission ESS (the secretariat) always has a copy.
CONVENED: dict[MeetingBody, frozenset[Role]] = {
    MeetingBody.COMMITTEE: frozenset({Role.CHAIR, Role.MEMBER, Role.MISSION}),
    MeetingBody.TECHNICIANS: frozenset({Role.TECHNICIAN, Role.MISSION}),
    MeetingBody.FORUM: frozenset({Role.CHAIR, Role.MEMBER, Role.TECHNICIAN, Role.MISSION}),
    MeetingBody.SCIENTIFIC_COUNCIL: frozenset({Role.CHAIR, Role.MISSION}),
}


def next_send(last_no: int | None, last_status: str | None, *, again: bool) -> int | None:
    """The number of the message to send to an address whose latest message for the meeting had
    ``last_no`` and ``last_status`` (``None``: never written to), or ``None`` to send nothing.

    Never written to: number 1. Failed: the next number (it was never received). Sent, or being sent
    (perhaps by another process right now): nothing, unless the secretariat asks ``again``."""
    if last_no is None:
        return 1
    if again or last_status == MailStatus.FAILED.value:
        return last_no + 1
    return None
