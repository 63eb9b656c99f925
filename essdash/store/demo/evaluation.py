"""The demo's evaluation, invented and deterministic (no random draw): the semesters' states of the
indicator values — every past semester locked (one territory's 2nd semester 2013 reopened and locked
again), the latest one in a mix (validated, submitted, sent back, still in entry) — with the dated
steps that led there, and a few entries of the register of « dysfonctionnements » and reorientations,
each saying it is fictional.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import col

from essdash.domain import models as m
from essdash.domain import periods
from essdash.domain.approval import LOCK, REOPEN, SEND_BACK, SUBMIT, VALIDATE, Step
from essdash.domain.vocabulary import MeetingBody
from essdash.store.demo.names import AS_OF, FIRST_PERIOD, PEOPLE

MISSION, TECHNICIAN = PEOPLE[0], PEOPLE[1]
REOPENED = "2013-S2"
INCIDENTS = [  # day, kind, sheet position (None: a project), what, what changed
    (
        date(2012, 9, 12),
        "dysfonctionnement",
        0,
        "Retards de versement des subventions de fonctionnement signalés par plusieurs porteurs (exemple fictif).",
        "Calendrier de versement avancé au premier trimestre.",
    ),
    (
        date(2013, 6, 18),
        "reorientation",
        1,
        "Fiche recentrée sur les quartiers prioritaires après l'évaluation à mi-parcours (exemple fictif).",
        "Critère de priorité ajouté à l'appel à projets.",
    ),
    (
        date(2014, 10, 12),
        "dysfonctionnement",
        None,
        "Projet bloqué faute de local ; le porteur demande un report (exemple fictif).",
        "Report de six mois accordé, point d'étape au groupe des techniciens.",
    ),
    (
        date(2014, 11, 12),
        "reorientation",
        2,
        "Actions de sensibilisation regroupées avec celles d'une fiche voisine (exemple fictif).",
        "Un seul programme d'animation pour les deux fiches.",
    ),
]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def _step(period: str, territory: str, step: Step, source: str, at: datetime, reason: str = "") -> dict:
    return {
        "period": period,
        "territory_code": territory,
        "step": step.code,
        "from_state": source,
        "to_state": step.target.value,
        "at": at,
        "author": TECHNICIAN if step is SUBMIT else MISSION,
        "role": "technicien" if step is SUBMIT else "mission ESS",
        "reason": reason,
    }


def _past(period: str, territory: str, reopened: bool) -> list[dict]:
    end = periods.bounds(period)[1]
    rows = [
        _step(period, territory, SUBMIT, "saisie", _at(end + timedelta(days=15))),
        _step(period, territory, VALIDATE, "soumis", _at(end + timedelta(days=30))),
        _step(period, territory, LOCK, "valide", _at(end + timedelta(days=60))),
    ]
    if reopened:
        again = end + timedelta(days=100)
        reason = "Correction d'une valeur mal reportée par le territoire (exemple fictif)."
        rows += [
            _step(period, territory, REOPEN, "verrouille", _at(again), reason),
            _step(period, territory, SUBMIT, "saisie", _at(again + timedelta(days=5))),
            _step(period, territory, VALIDATE, "soumis", _at(again + timedelta(days=10))),
            _step(period, territory, LOCK, "valide", _at(again + timedelta(days=15))),
        ]
    return rows


def _latest(period: str, index: int, territory: str) -> list[dict]:
    """The latest semester, in a mix: three validated, two submitted, one sent back, the others in entry."""
    start = AS_OF - timedelta(days=14)
    if index < 3:
        return [
            _step(period, territory, SUBMIT, "saisie", _at(start + timedelta(days=index))),
            _step(period, territory, VALIDATE, "soumis", _at(start + timedelta(days=7 + index))),
        ]
    if index < 5:
        return [_step(period, territory, SUBMIT, "saisie", _at(start + timedelta(days=5 + index)))]
    if index == 5:
        reason = "Deux valeurs manquantes et une source à préciser (exemple fictif)."
        return [
            _step(period, territory, SUBMIT, "saisie", _at(start)),
            _step(period, territory, SEND_BACK, "soumis", _at(start + timedelta(days=6)), reason),
        ]
    return []


def semester_states(territories: list[str]) -> tuple[list[dict], list[dict]]:
    """The state rows and step rows of every semester of the demo, for ``territories`` (codes)."""
    semesters = periods.span(FIRST_PERIOD, periods.of_date(AS_OF))
    steps = []
    for period in semesters[:-1]:
        for index, territory in enumerate(territories):
            steps += _past(period, territory, period == REOPENED and index == 0)
    for index, territory in enumerate(territories):
        steps += _latest(semesters[-1], index, territory)
    last: dict[tuple[str, str], dict] = {}
    for row in steps:
        last[(row["period"], row["territory_code"])] = row
    states = [
        {
            "period": period,
            "territory_code": territory,
            "state": row["to_state"],
            "changed_at": row["at"],
            "changed_by": row["author"],
        }
        for (period, territory), row in last.items()
    ]
    return states, steps


def incidents(conn: Connection, now: datetime) -> list[dict]:
    """The register's demo entries, on fiches of the plan and one project, decided at the meeting of
    their day (a committee or the technicians' group)."""
    sheets = conn.execute(
        select(col(m.ActionSheet.id)).where(col(m.ActionSheet.parent_id).is_not(None)).order_by(col(m.ActionSheet.id))
    ).scalars()
    sheet_ids = list(sheets)
    project = conn.execute(select(col(m.Project.id)).order_by(col(m.Project.id))).scalars().first()
    meetings = dict(
        conn.execute(
            select(col(m.Meeting.date), col(m.Meeting.id)).where(
                col(m.Meeting.body).in_([MeetingBody.COMMITTEE.value, MeetingBody.TECHNICIANS.value])
            )
        ).all()
    )
    rows = []
    for day, kind, sheet, what, change in INCIDENTS:
        rows.append(
            {
                "day": day,
                "kind": kind,
                "what": what,
                "change": change,
                "sheet_id": sheet_ids[sheet] if sheet is not None and sheet < len(sheet_ids) else None,
                "project_id": project if sheet is None else None,
                "meeting_id": meetings.get(day),
                "comment_id": None,
                "recorded_at": now,
                "author": MISSION,
                "account": None,
            }
        )
    return [row for row in rows if row["sheet_id"] or row["project_id"]]
