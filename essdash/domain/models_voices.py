"""The tables of the beneficiaries' questionnaires (the plan's participatory evaluation).

A :class:`Questionnaire` is opened by the mission ESS for one project or one fiche, with questions of
the catalogue (``data/questionnaire.yaml``). It hands out one-time links: each is a :class:`VoiceToken`,
stored only as the SHA-256 digest of its secret, spent by the one answer it allows. An answer is a
:class:`VoiceResponse` (when, which semester) with one :class:`VoiceAnswer` per question; nothing links
an answer to the token that carried it, nor to any person.
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

DIGEST_LENGTH = 64  # a SHA-256 digest in hexadecimal


class Questionnaire(SQLModel, table=True):
    """A questionnaire on a project or a fiche (exactly one of them): its questions (catalogue codes,
    comma-separated in the catalogue's order), when and by whom it was opened, how many links it has."""

    __table_args__ = (
        CheckConstraint("(project_id IS NULL) <> (sheet_id IS NULL)", name="ck_questionnaire_target"),
        CheckConstraint("links > 0", name="ck_questionnaire_links"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    sheet_id: int | None = Field(default=None, foreign_key="actionsheet.id", index=True)
    title: str
    questions: str
    links: int
    opened_at: NaiveDatetime
    author: str
    account: str | None = None


class VoiceToken(SQLModel, table=True):
    """One link of a questionnaire: the digest of its secret, and when its one answer was given."""

    __table_args__ = (Index("ix_voicetoken_questionnaire", "questionnaire_id"),)

    digest: str = Field(primary_key=True, max_length=DIGEST_LENGTH)
    questionnaire_id: int = Field(foreign_key="questionnaire.id")
    used_at: NaiveDatetime | None = None


class VoiceResponse(SQLModel, table=True):
    """One answer to a questionnaire: when, and the semester it counts for (``2013-S1``)."""

    __table_args__ = (Index("ix_voiceresponse_questionnaire", "questionnaire_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id")
    answered_at: NaiveDatetime
    period: str


class VoiceAnswer(SQLModel, table=True):
    """The answer to one question: a score (yes = 1, no = 0; a scale 1 to 5) or a short text."""

    __table_args__ = (
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 5", name="ck_voiceanswer_score"),
        CheckConstraint("(score IS NULL) <> (text IS NULL)", name="ck_voiceanswer_value"),
    )

    response_id: int = Field(foreign_key="voiceresponse.id", primary_key=True)
    question: str = Field(primary_key=True)
    score: int | None = None
    text: str | None = None
