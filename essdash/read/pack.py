"""The semester meeting pack: everything the chair presents, assembled as plain data.

:func:`build` gathers, for a semester (and optionally one territory compared with the
metropolis): key figures and their change since the previous semester, what happened since the
last committee, the fiches, the proposals and their opinions, the choropleth, indicator series,
the equity figures with their sentences, and the data's sources. The presentation mode and the
PDF / PowerPoint renderers (:mod:`essdash.render.report`) all read this one structure, so they show the
same figures. A chart is the rows behind it and the kind of chart that draws them
(:class:`Chart`); :mod:`essdash.render.pack_charts` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.engine import Engine

from essdash.domain import fmt, lifecycle, periods
from essdash.domain.vocabulary import MeetingBody, OpinionValue, SheetStatus
from essdash.read import equity_report, followup, indicators, places, proceedings, queries
from essdash.read.filters import Filters
from essdash.read.indicators import Indicator
from essdash.read.proceedings import Meeting
from essdash.store.reference import ATTRIBUTION

PLAN_START = "2011-S1"
KEY_INDICATORS = ("projets_pour_10000_hab", "emplois_crees", "part_cdi")
NO_DATA = "Aucune donnée pour ce semestre."


@dataclass(frozen=True)
class Chart:
    """The rows behind one chart of the pack, and which drawing of :mod:`essdash.render.pack_charts` shows them."""

    kind: str  # "projects_by_status", "choropleth" or "indicator"
    rows: pd.DataFrame
    options: dict[str, str] = field(default_factory=dict)  # the choropleth's level and measure
    indicator: Indicator | None = None  # an indicator chart's indicator…
    targets: pd.DataFrame | None = None  # …and its targets


@dataclass
class Section:
    """One part of the pack: a title, sentences, tables (title → DataFrame) and charts."""

    title: str
    sentences: list[str] = field(default_factory=list)
    figures: list[tuple[str, str, str]] = field(default_factory=list)  # (label, value, change)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    charts: list[tuple[str, Chart]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.figures or any(not t.empty for _, t in self.tables) or self.charts)


@dataclass
class Pack:
    period: str
    title: str
    subtitle: str
    meeting: Meeting | None
    territory: str | None
    place: str
    demo: bool
    sections: list[Section]


def _meeting_of(engine: Engine, period: str) -> Meeting | None:
    start, end = periods.bounds(period)
    held = proceedings.meetings(engine, MeetingBody.COMITE.value)
    held = held[(held["date"] >= start) & (held["date"] <= end)]
    return Meeting.of_row(held.iloc[0].to_dict()) if not held.empty else None


def _figure_rows(now: dict, before: dict) -> list[tuple[str, str, str]]:
    def change(key: str, money: bool = False) -> str:
        delta = now[key] - before[key]
        text = fmt.money(delta) if money else fmt.number(delta)
        return ("+" if delta > 0 else "") + text + " depuis le semestre précédent"

    return [
        ("Projets proposés depuis 2011", fmt.number(now["projects"]), change("projects")),
        ("Montant engagé", fmt.money(now["money"]), change("money", money=True)),
        ("Emplois créés (prévus)", fmt.number(now["jobs_created"]), change("jobs_created")),
        ("Emplois maintenus", fmt.number(now["jobs_maintained"]), change("jobs_maintained")),
        ("Communes d'implantation", fmt.number(now["communes"]), change("communes")),
    ]


def _key_figures(engine: Engine, filters: Filters, period: str, place: str) -> Section:
    now = queries.key_figures(engine, filters.with_(period_from=PLAN_START, period_to=period))
    before = queries.key_figures(engine, filters.with_(period_from=PLAN_START, period_to=periods.previous(period)))
    section = Section("Chiffres clés", figures=_figure_rows(now, before) if now["projects"] else [])
    section.sentences.append(
        f"Cumul depuis le 1er semestre 2011, {place}, à la fin du {fmt.period_label(period)}."
        if now["projects"]
        else NO_DATA
    )
    if now["projects"]:
        by_status = queries.projects_by_status(engine, filters.with_(period_from=PLAN_START, period_to=period))
        section.charts.append(("Projets par étape", Chart("projects_by_status", by_status)))
    return section


def _since_last(engine: Engine, meeting: Meeting | None, period: str) -> Section:
    section = Section("Depuis le dernier comité")
    end = meeting.date if meeting else periods.bounds(period)[1]
    held = proceedings.meetings(engine, MeetingBody.COMITE.value)
    earlier = held[held["date"] < end]
    start = earlier.iloc[0]["date"] if not earlier.empty else periods.bounds(period)[0]
    diff = proceedings.changes_between(engine, start, end)
    if diff.empty:
        section.sentences.append(NO_DATA)
        return section
    section.sentences.append(f"Du {fmt.day(start)} au {fmt.day(end)}.")
    section.figures = [
        ("Nouveaux projets", fmt.number(len(diff.new_projects)), ""),
        ("Étapes franchies", fmt.number(len(diff.steps)), ""),
        ("Avis rendus", fmt.number(len(diff.opinions)), ""),
        ("Montant engagé", fmt.money(diff.money), ""),
        ("Changements de fiches", fmt.number(len(diff.sheets)), ""),
    ]
    return section


def _fiches(engine: Engine, filters: Filters, period: str) -> Section:
    """The fiches with their status and declared progress as they stood at the end of the semester
    (the day after its last day)."""
    end = pd.Timestamp(periods.bounds(period)[1]) + pd.Timedelta(days=1)
    tree = followup.sheet_tree(engine, filters)
    history = followup.sheet_history(engine)
    history = history[history["changed_at"] < end]
    latest = history.drop_duplicates(["sheet_id", "field"], keep="last").pivot(
        index="sheet_id", columns="field", values="new_value"
    )
    status = tree["id"].map(latest.get("status", {})).astype(object).fillna(SheetStatus.A_VENIR.value)
    progress = tree["id"].map(latest.get("progress", {})).astype(object)
    progress = progress.where(progress.notna(), status.map({SheetStatus.REALISEE.value: "100"})).fillna("–")
    late = lifecycle.late(tree["planned_end"], status, end.date())
    table = pd.DataFrame(
        {
            "Fiche": tree["code"],
            "Intitulé": tree["title"],
            "Statut": status.map(SheetStatus.labels()),
            "Avancement déclaré": progress.map(lambda v: v if v == "–" else f"{v} %"),
            "En retard": late.map({True: "oui", False: ""}),
            "Projets": tree["projects"].astype(int),
        }
    )
    section = Section("Fiches du plan", tables=[("Fiches par statut", table)])
    counts = table["Statut"].value_counts()
    section.sentences.append(
        ", ".join(f"{fmt.plural(int(n), 'fiche')} « {label} »" for label, n in counts.items())
        + f" ; {fmt.plural(int(late.sum()), 'fiche')} en retard à la fin du {fmt.period_label(period)}."
    )
    if history.empty:
        section.sentences.append("Aucun changement de fiche enregistré à cette date.")
    return section


def _proposals(engine: Engine, meeting: Meeting | None, filters: Filters, period: str) -> Section:
    section = Section("Propositions et avis du comité")
    if meeting:
        opinions = proceedings.opinions_at(engine, meeting.id, filters)
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
    awaiting = proceedings.awaiting_opinion(engine, filters, at=periods.bounds(period)[1])
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
    return section


def _map(engine: Engine, filters: Filters, period: str) -> Section:
    figures = places.place_figures(engine, filters.with_(period_from=PLAN_START, period_to=period), "commune")
    section = Section("Carte : projets pour 10 000 habitants")
    if figures["projects"].sum() == 0:
        section.sentences.append(NO_DATA)
        return section
    section.charts.append(
        (
            "Projets pour 10 000 habitants, par commune",
            Chart("choropleth", figures, {"level": "commune", "measure": "projects_per_10k"}),
        )
    )
    section.sentences.append(ATTRIBUTION)
    return section


def _indicators(engine: Engine, period: str, territory: str | None) -> Section:
    section = Section("Indicateurs et cibles")
    for code in KEY_INDICATORS:
        data = indicators.series(engine, code, PLAN_START, period)
        indicator, values = data.indicator, data.values
        if territory:
            values = values[values["place"].isin([territory, indicators.METRO])]
        if values.empty:
            continue
        section.charts.append((indicator.label, Chart("indicator", values, indicator=indicator, targets=data.targets)))
        gaps = indicators.gaps(values, data.targets, indicator.direction)
        if not gaps.empty:
            last = gaps.iloc[-1]
            section.sentences.append(
                f"{indicator.label} : {fmt.number(last['value'], 1)} {indicator.unit} au "
                f"{fmt.period_label(last['period'])} pour une cible de {fmt.number(last['value_target'], 1)} "
                f"({'atteinte' if last['met'] else 'non atteinte'})."
            )
    if section.empty:
        section.sentences.append(NO_DATA)
    return section


def _equity(engine: Engine, filters: Filters, period: str) -> Section:
    scope = filters.with_(period_from=PLAN_START, period_to=period)
    communes = places.place_figures(engine, scope, "commune")
    territories = places.place_figures(engine, scope, "territory")
    if filters.territory:
        communes = communes[communes["territory_code"] == filters.territory]
    section = Section("Équité territoriale")
    if communes["projects"].sum() == 0:
        section.sentences.append(NO_DATA)
        return section
    result = equity_report.report(communes, territories, "projects")
    section.sentences = [finding.sentence for finding in result.findings]
    section.figures = [(f.label, f.value, "") for f in result.findings if f.value is not None and not f.technical]
    table = result.territories[["name", "population", "projects", "projects_per_10k", "lq"]]
    section.tables.append(
        (
            "Projets par territoire",
            pd.DataFrame(
                {
                    "Territoire": table["name"],
                    "Habitants": table["population"].map(fmt.number),
                    "Projets": table["projects"].astype(int),
                    "Pour 10 000 hab.": table["projects_per_10k"].map(lambda v: fmt.number(v, 1)),
                    "Quotient de localisation": table["lq"].map(lambda v: fmt.number(v, 2)),
                }
            ),
        )
    )
    return section


def _compare(engine: Engine, territory: str, period: str, place: str) -> Section:
    scope = Filters(period_from=PLAN_START, period_to=period)
    figures = places.place_figures(engine, scope, "territory")
    summary = places.place_summary(figures, territory)
    section = Section(f"{place} et la métropole")
    if summary is None:
        section.sentences.append(NO_DATA)
        return section
    rows = [
        ("Projets pour 10 000 habitants", "projects_per_10k", 1, ""),
        ("Montant engagé par habitant", "money_per_inhabitant", 2, " €"),
        ("Emplois créés pour 10 000 habitants", "jobs_per_10k", 1, ""),
    ]
    section.figures = [
        (label, f"{fmt.number(summary[key], d)}{unit}", f"métropole : {fmt.number(summary['metro'][key], d)}{unit}")
        for label, key, d, unit in rows
    ]
    return section


def _sources(engine: Engine) -> Section:
    title = queries.plan_title(engine)
    return Section(
        "Sources",
        sentences=[
            ATTRIBUTION + ".",
            f"Plan d'actions : {title} (délibération du 28 janvier 2011).",
            "Tableau de bord essdash ; chiffres calculés à partir du registre des projets à la date indiquée.",
        ],
    )


def build(engine: Engine, period: str, territory: str | None = None) -> Pack:
    """The meeting pack of a semester, for the metropolis or one territory (compared with it)."""
    periods.parse(period)
    info = queries.dataset_info(engine)
    filters = Filters(territory=territory)
    names = queries.territory_options(engine).set_index("code")["name"]
    if territory and territory not in names.index:
        raise ValueError(f"Territoire « {territory} » inconnu.")
    place = names[territory] if territory else "Toute la métropole"
    meeting = _meeting_of(engine, period)
    when = f"séance du {fmt.day(meeting.date)}" if meeting else f"{fmt.period_label(period)} (pas de séance du comité)"
    sections = [_key_figures(engine, filters, period, place)]
    if territory:
        sections.append(_compare(engine, territory, period, place))
    sections += [
        _since_last(engine, meeting, period),
        _fiches(engine, filters, period),
        _proposals(engine, meeting, filters, period),
        _map(engine, filters, period),
        _indicators(engine, period, territory),
        _equity(engine, filters, period),
        _sources(engine),
    ]
    return Pack(
        period=period,
        title="Comité métropolitain de l'économie sociale et solidaire",
        subtitle=f"Point d'étape du plan d'actions 2011-2014 — {when} — {place}",
        meeting=meeting,
        territory=territory,
        place=place,
        demo=info.get("dataset") == "demo",
        sections=sections,
    )
