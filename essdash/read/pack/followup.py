"""The meeting pack's follow-up sections: what happened since the last committee (new projects,
steps, opinions, fundings, fiche changes), the plan's fiches on the pack's day, and the proposals
with the committee's opinions and those awaiting one. Assembled by :func:`essdash.read.pack.build`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from essdash.domain import fmt, periods
from essdash.domain.vocabulary import MeetingBody, OpinionValue, SheetStatus
from essdash.read import followup, proceedings
from essdash.read.filters import Filters
from essdash.read.pack.model import METROPOLIS, NO_DATA, Section, scope_name
from essdash.read.proceedings import Meeting
from essdash.read.sheet_filters import narrow


def since_last(engine: Engine, meeting: Meeting | None, filters: Filters, period: str, place: str | None) -> Section:
    """« Depuis le dernier comité »: the changes from the committee before ``meeting`` (else the
    semester's start) to that meeting (else the semester's end), capped at the pack's day."""
    assert filters.as_of is not None
    section = Section("Depuis le dernier comité")
    end = min(meeting.date if meeting else periods.bounds(period)[1], filters.as_of)
    held = proceedings.meetings(engine, MeetingBody.COMMITTEE.value)
    earlier = held[held["date"] < end]
    start = earlier.iloc[0]["date"] if not earlier.empty else periods.bounds(period)[0]
    diff = proceedings.changes_between(engine, start, end, Filters(territory=filters.territory))
    if diff.empty:
        section.sentences.append(NO_DATA)
        return section
    projects = f"projets du {place}" if place else "projets de toute la métropole"
    sheets = f"fiches servies par les projets du {place}" if diff.sheets_scoped else "fiches de toute la métropole"
    section.sentences.append(f"Du {fmt.day(start)} au {fmt.day(end)} : {projects} ; {sheets}.")
    counts = [
        (f"Nouveaux projets ({scope_name(place)})", len(diff.new_projects)),
        (f"Étapes franchies ({scope_name(place)})", len(diff.steps)),
        (f"Avis rendus ({scope_name(place)})", len(diff.opinions)),
    ]
    section.figures = [(label, fmt.number(n), "") for label, n in counts]
    money_label = f"Financements des projets retenus ({scope_name(place)})"
    sheets_label = (
        f"Changements de fiches (fiches servies, {place})"
        if diff.sheets_scoped
        else f"Changements de fiches ({METROPOLIS})"
    )
    section.figures += [(money_label, fmt.money(diff.money), ""), (sheets_label, fmt.number(len(diff.sheets)), "")]
    section.values = dict(counts) | {money_label: diff.money, sheets_label: len(diff.sheets)}
    return section


def fiches(engine: Engine, filters: Filters, period: str, place: str | None) -> Section:
    """The fiches with their status, declared progress and lateness on the pack's day; with a
    territory, the fiches its projects serve (as the Plan d'actions page shows them)."""
    assert filters.as_of is not None
    tree = narrow(followup.sheet_tree(engine, filters), with_projects=filters.is_place_filtered)
    table = pd.DataFrame(
        {
            "Fiche": tree["code"],
            "Intitulé": tree["title"],
            "Statut": tree["status"].map(SheetStatus.labels()),
            "Avancement déclaré": tree["progress"].map(lambda v: "–" if pd.isna(v) else f"{int(v)} %"),
            "En retard": tree["late"].map({True: "oui", False: ""}),
            "Projets": tree["projects"].astype(int),
        }
    )
    section = Section("Fiches du plan", tables=[("Fiches par statut", table)])
    counts = table["Statut"].value_counts()
    which = f"fiches servies par les projets du {place}" if place else "toutes les fiches du plan"
    section.sentences.append(
        ", ".join(f"{fmt.plural(int(n), 'fiche')} « {label} »" for label, n in counts.items())
        + f" ; {fmt.plural(int(tree['late'].sum()), 'fiche')} en retard, situation au {fmt.short_day(filters.as_of)} "
        f"({which})."
    )
    section.values = {"Fiches en retard": int(tree["late"].sum())}
    return section


def proposals(engine: Engine, meeting: Meeting | None, filters: Filters, period: str, place: str | None) -> Section:
    """« Propositions et avis du comité »: the opinions given at ``meeting`` and the projects awaiting
    one on the pack's day."""
    assert filters.as_of is not None
    section = Section("Propositions et avis du comité")
    if meeting:
        opinions = proceedings.opinions_at(engine, meeting.id, filters.with_(as_of=None))
        if not opinions.empty:
            opinions["Avis"] = opinions.pop("value").map(OpinionValue.labels())
            section.tables.append(
                (
                    f"Avis du {meeting.title}",
                    opinions.rename(
                        columns={"id": "N°", "title": "Projet", "commune": "Commune", "comment": "Commentaire"}
                    ),
                )
            )
    awaiting = proceedings.awaiting_opinion(engine, filters.with_(as_of=None), at=filters.as_of)
    if not awaiting.empty:
        section.tables.append(
            (
                "En attente d'avis",
                awaiting[["id", "title", "carrier", "commune"]].rename(
                    columns={"id": "N°", "title": "Projet", "carrier": "Porteur", "commune": "Commune"}
                ),
            )
        )
    if section.empty:
        section.sentences.append(NO_DATA)
    else:
        section.sentences.append(f"Projets du {place}" if place else "Projets de toute la métropole")
        waiting = "aucune proposition, " if awaiting.empty else ""
        section.sentences[-1] += f" ; en attente d'avis : {waiting}situation au {fmt.short_day(filters.as_of)}."
    return section
