"""Reads of a semester's state of indicator values (:mod:`essdash.domain.approval`): the state of
each place, the completeness grid (territory × indicator: missing, entered, submitted, validated,
locked), the reminders to send (who has not submitted, since when), the dated steps, and a summary
for the meeting pack (how complete, whether reopened).

A place is a territory code, or :data:`essdash.read.indicators.METRO` for the metropolis's own values
(``territory_code`` unset in the tables); its row shows only when such values or a state exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from essdash.domain import approval, fmt, periods
from essdash.domain import models as m
from essdash.domain.approval import SemesterState
from essdash.domain.models_evaluation import SemesterApproval, SemesterApprovalStep
from essdash.domain.vocabulary import Role
from essdash.read.filters import read_frame
from essdash.read.indicators import METRO, METRO_LABEL

MISSING = "manquant"
ENTRY_LABELS = {  # a cell of the completeness grid, by the state of its place
    SemesterState.ENTRY: "saisi",
    SemesterState.SUBMITTED: "soumis",
    SemesterState.VALIDATED: "validé",
    SemesterState.LOCKED: "verrouillé",
}
PLURALS = {
    SemesterState.ENTRY: "en saisie",
    SemesterState.SUBMITTED: "soumis",
    SemesterState.VALIDATED: "validés",
    SemesterState.LOCKED: "verrouillés",
}


def recorded_states(conn: Connection, period: str | None = None) -> dict[tuple[str, str | None], SemesterState]:
    """The recorded state of each (semester, territory code or ``None`` for the metropolis), for
    one semester or all; a place missing here is « en saisie »."""
    stmt = select(col(SemesterApproval.period), col(SemesterApproval.territory_code), col(SemesterApproval.state))
    if period is not None:
        stmt = stmt.where(col(SemesterApproval.period) == period)
    return {(p, t): SemesterState(s) for p, t, s in conn.execute(stmt)}


def state_frame(engine: Engine, period_list: list[str]) -> pd.DataFrame:
    """(period, place, state) of the recorded states of ``period_list``; place as in the indicator series."""
    with engine.connect() as conn:
        found = recorded_states(conn)
    rows = [(p, t or METRO, s.value) for (p, t), s in found.items() if p in period_list]
    return pd.DataFrame(rows, columns=["period", "place", "state"])


def _territories(engine: Engine) -> pd.DataFrame:
    return read_frame(engine, select(col(m.Territory.code), col(m.Territory.name)).order_by(col(m.Territory.position)))


def _current(engine: Engine, period: str) -> pd.DataFrame:
    """The current values of the semester's entered indicators: (indicator_code, place)."""
    values = read_frame(
        engine,
        select(
            col(m.Measurement.indicator_code),
            col(m.Measurement.territory_code),
            col(m.Commune.territory_code).label("commune_territory"),
        )
        .outerjoin(m.Commune, col(m.Commune.insee_code) == col(m.Measurement.commune_code))
        .where(col(m.Measurement.period) == period, col(m.Measurement.superseded_at).is_(None)),
    )
    place = values["territory_code"].fillna(values["commune_territory"]).fillna(METRO)
    return pd.DataFrame({"indicator_code": values["indicator_code"], "place": place}).drop_duplicates()


def _steps(engine: Engine, period: str) -> pd.DataFrame:
    return read_frame(
        engine,
        select(
            col(SemesterApprovalStep.territory_code),
            col(SemesterApprovalStep.step),
            col(SemesterApprovalStep.from_state),
            col(SemesterApprovalStep.to_state),
            col(SemesterApprovalStep.at),
            col(SemesterApprovalStep.author),
            col(SemesterApprovalStep.role),
            col(SemesterApprovalStep.reason),
        )
        .where(col(SemesterApprovalStep.period) == period)
        .order_by(col(SemesterApprovalStep.at), col(SemesterApprovalStep.id)),
    )


def places(engine: Engine, period: str) -> pd.DataFrame:
    """Each place of the semester: ``place``, ``name``, ``state`` (code), ``state_label``, ``since``
    (the day it reached that state, the semester's first day for a place never moved), ``by``."""
    periods.parse(period)
    territories = _territories(engine)
    rows = [(code, name) for code, name in zip(territories["code"], territories["name"])]
    with engine.connect() as conn:
        found = recorded_states(conn, period)
        stamped = {
            (t or METRO): (at, by)
            for t, at, by in conn.execute(
                select(
                    col(SemesterApproval.territory_code),
                    col(SemesterApproval.changed_at),
                    col(SemesterApproval.changed_by),
                ).where(col(SemesterApproval.period) == period)
            )
        }
    if (period, None) in found or METRO in set(_current(engine, period)["place"]):
        rows.append((METRO, METRO_LABEL))
    start = periods.bounds(period)[0]
    table = []
    for code, name in rows:
        state = found.get((period, None if code == METRO else code), SemesterState.ENTRY)
        at, by = stamped.get(code, (None, ""))
        table.append(
            {
                "place": code,
                "name": name,
                "state": state.value,
                "state_label": state.label,
                "since": at.date() if at is not None else start,
                "by": by,
            }
        )
    return pd.DataFrame(table, columns=["place", "name", "state", "state_label", "since", "by"])


def _entered_indicators(engine: Engine) -> pd.DataFrame:
    return read_frame(
        engine,
        select(col(m.Indicator.code), col(m.Indicator.label), col(m.Indicator.category))
        .where(col(m.Indicator.kind) == "entered")
        .order_by(col(m.Indicator.category), col(m.Indicator.code)),
    )


def completeness(engine: Engine, period: str) -> pd.DataFrame:
    """Each place × entered indicator of the semester: ``status`` « manquant », « saisi », « soumis »,
    « validé » or « verrouillé » (a value is there, and its place is in that state)."""
    where = places(engine, period)
    known = _entered_indicators(engine)
    present = set(map(tuple, _current(engine, period)[["place", "indicator_code"]].to_numpy()))
    rows = []
    for place in where.itertuples():
        entered = ENTRY_LABELS[SemesterState(place.state)]
        for indicator in known.itertuples():
            rows.append(
                {
                    "place": place.place,
                    "name": place.name,
                    "indicator_code": indicator.code,
                    "indicator": indicator.label,
                    "status": entered if (place.place, indicator.code) in present else MISSING,
                }
            )
    return pd.DataFrame(rows, columns=["place", "name", "indicator_code", "indicator", "status"])


def grid(engine: Engine, period: str) -> pd.DataFrame:
    """The completeness as a table to read: indicators in rows, places in columns."""
    cells = completeness(engine, period)
    if cells.empty:
        return pd.DataFrame(columns=["Indicateur"])
    table = cells.pivot(index="indicator", columns="name", values="status")
    order = list(dict.fromkeys(cells["name"]))
    return table[order].reset_index().rename(columns={"indicator": "Indicateur"}).rename_axis(columns=None)


def reminders(engine: Engine, period: str, on: date) -> pd.DataFrame:
    """The reminders to send for the semester, as of ``on``: each place not yet submitted, since when
    (its last sending back or reopening, else the semester's first day), the days waited, its values
    entered and missing, and the technicians who answer for it (French headers, ready to export)."""
    where = places(engine, period)
    cells = completeness(engine, period)
    technicians = read_frame(
        engine,
        select(col(m.Member.territory_code), col(m.Member.name), col(m.Member.email))
        .where(col(m.Member.role) == Role.TECHNICIAN.value)
        .order_by(col(m.Member.name)),
    )
    rows = []
    for place in where[where["state"] == SemesterState.ENTRY.value].itertuples():
        mine = cells[cells["place"] == place.place]
        people = technicians[technicians["territory_code"] == place.place]
        rows.append(
            {
                "Semestre": fmt.period_label(period),
                "Lieu": place.name,
                "État": place.state_label,
                "En saisie depuis": place.since,
                "Jours d'attente": max(0, (on - place.since).days),
                "Valeurs saisies": int((mine["status"] != MISSING).sum()),
                "Valeurs manquantes": int((mine["status"] == MISSING).sum()),
                "À relancer": ", ".join(f"{n} <{e}>" for n, e in zip(people["name"], people["email"])),
            }
        )
    columns = ["Semestre", "Lieu", "État", "En saisie depuis", "Jours d'attente", "Valeurs saisies"]
    return pd.DataFrame(rows, columns=[*columns, "Valeurs manquantes", "À relancer"])


def steps(engine: Engine, period: str) -> pd.DataFrame:
    """The dated steps of the semester's values, oldest first, with French labels."""
    found = _steps(engine, period)
    names = dict(zip(*_territories(engine)[["code", "name"]].to_numpy().T))
    labels = SemesterState.labels()
    return pd.DataFrame(
        {
            "Le": found["at"],
            "Lieu": found["territory_code"].map(lambda t: names.get(t, t) if t else METRO_LABEL),
            "Étape": found["step"].map(lambda s: approval.STEPS[s].label),
            "De": found["from_state"].map(labels),
            "À": found["to_state"].map(labels),
            "Par": found["author"] + " (" + found["role"] + ")",
            "Motif": found["reason"],
        }
    )


@dataclass(frozen=True)
class Completion:
    """How far a semester's values are: places by state, values entered out of expected, the
    reopenings (place name, day, who, reason)."""

    period: str
    places: int
    by_state: dict[str, int]
    entered: int
    expected: int
    reopened: list[tuple[str, date, str, str]]

    @property
    def provisional(self) -> bool:
        return (
            self.by_state.get(SemesterState.VALIDATED.value, 0) + self.by_state.get(SemesterState.LOCKED.value, 0)
            < self.places
        )

    def sentences(self) -> list[str]:
        """The completion in French, to read aloud."""
        counts = ", ".join(
            f"{self.by_state[s.value]} {PLURALS[s] if self.by_state[s.value] > 1 else s.label.lower()}"
            for s in SemesterState
            if self.by_state.get(s.value)
        )
        share = fmt.percent(self.entered / self.expected) if self.expected else "–"
        said = [
            f"Valeurs des indicateurs saisis, {fmt.period_label(self.period)} : {counts} "
            f"(sur {fmt.plural(self.places, 'lieu', 'lieux')}) ; {fmt.number(self.entered)} valeurs saisies "
            f"sur {fmt.number(self.expected)} attendues ({share})."
        ]
        if self.provisional:
            said.append(
                "Les chiffres qui reposent sur des valeurs non encore validées par la mission ESS sont provisoires."
            )
        for name, day, by, reason in self.reopened:
            said.append(f"Semestre rouvert pour {name} le {fmt.short_day(day)} par {by} : {reason}")
        return said


def completion(engine: Engine, period: str) -> Completion:
    """The :class:`Completion` of the semester."""
    where = places(engine, period)
    cells = completeness(engine, period)
    found = _steps(engine, period)
    names = dict(zip(where["place"], where["name"]))
    reopened = [
        (names.get(t or METRO, t), at.date(), author, reason)
        for t, step, at, author, reason in found[["territory_code", "step", "at", "author", "reason"]].itertuples(
            index=False
        )
        if step == approval.REOPEN.code
    ]
    return Completion(
        period=period,
        places=len(where),
        by_state=where["state"].value_counts().to_dict(),
        entered=int((cells["status"] != MISSING).sum()),
        expected=len(cells),
        reopened=reopened,
    )


def commune_territories(conn: Connection) -> dict[str, str]:
    """INSEE code → territory code, for a commune's value whose state is its territory's."""
    return dict(conn.execute(select(col(m.Commune.insee_code), col(m.Commune.territory_code))).all())
