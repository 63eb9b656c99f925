"""The evaluation's tables: the state of a semester's indicator values per territory (and for the
metropolis's own values), its dated history of steps, and the plan's register of « dysfonctionnements »
and reorientations.

Registered by :mod:`essdash.domain.models`. The states and steps are those of
:mod:`essdash.domain.approval`; the kinds of register entries those of
:class:`essdash.domain.vocabulary.IncidentKind` (their codes are written out here, and a test holds
them equal).
"""

from __future__ import annotations

from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import CheckConstraint, Index, func, text
from sqlmodel import Field, SQLModel

STATES = ("saisie", "soumis", "valide", "verrouille")
STEPS = ("soumettre", "valider", "renvoyer", "verrouiller", "rouvrir")
INCIDENT_KINDS = ("dysfonctionnement", "reorientation")


def _one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=name)


class SemesterApproval(SQLModel, table=True):
    """Where a semester's values of a territory stand (``territory_code`` unset: the metropolis's
    own values). One row per semester and place; no row is « en saisie »."""

    __table_args__ = (
        _one_of("state", STATES, "ck_semesterapproval_state"),
        Index(
            "ux_semesterapproval_place",
            "period",
            func.coalesce(text("territory_code"), ""),
            unique=True,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str
    territory_code: str | None = Field(default=None, foreign_key="territory.code")
    state: str
    changed_at: NaiveDatetime
    changed_by: str
    account: str | None = None


class SemesterApprovalStep(SQLModel, table=True):
    """One step of a semester's values for a place: from which state to which, who, when and why."""

    __table_args__ = (
        _one_of("step", STEPS, "ck_semesterapprovalstep_step"),
        Index("ix_semesterapprovalstep_period", "period", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str
    territory_code: str | None = Field(default=None, foreign_key="territory.code")
    step: str
    from_state: str
    to_state: str
    at: NaiveDatetime
    author: str
    role: str
    reason: str = ""
    account: str | None = None


class PlanIncident(SQLModel, table=True):
    """An entry of the register of the plan's « dysfonctionnements » and reorientations: what happened
    (``what``), on which fiche or project, decided at which meeting, what changed, and the comment it
    was drawn from, if any."""

    __table_args__ = (
        _one_of("kind", INCIDENT_KINDS, "ck_planincident_kind"),
        Index("ix_planincident_day", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    day: date
    kind: str
    what: str
    change: str = ""
    sheet_id: int | None = Field(default=None, foreign_key="actionsheet.id")
    project_id: int | None = Field(default=None, foreign_key="project.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    comment_id: int | None = Field(default=None, foreign_key="comment.id")
    recorded_at: NaiveDatetime
    author: str
    account: str | None = None
