"""The semester meeting pack: everything the chair presents, assembled as plain data.

:func:`build` gathers, for a semester (and optionally one territory compared with the
metropolis): key figures and their change since the previous semester, what happened since the
last committee, the fiches, the proposals and their opinions, the choropleth, indicator series,
the equity figures with their sentences, the leverage of a euro of the metropolis and of citizen
savings (« 1 € → x € ») against the plan's aim, and the data's sources. The presentation mode and the
PDF / PowerPoint / JSON renderers (:mod:`essdash.render.report`) all read this one structure, so they
show the same figures. A chart is the rows behind it and the kind of chart that draws them
(:class:`Chart`); :mod:`essdash.render.pack_charts` draws it.

Truth of date: every figure is the situation on the pack's day (« situation au … »: the semester's
last day, or the data's reference date if earlier), read through the « status on date » functions
(:func:`essdash.read.filters.step_on` via ``Filters.as_of``, :func:`essdash.read.history.sheet_states_on`
via :func:`essdash.read.followup.sheet_tree`), never today's columns.

Truth of scope: with a territory, every figure is the territory's (its projects; the fiches its
projects serve; its indicator values) and says so, except the sections that compare it with the
metropolis (the map, the equity table), which say so too.

One label, one definition: « proposés » counts every project proposed (whatever became of it),
the indicator « Projets pour 10 000 habitants » counts engaged ones (validated, retained, in
progress or done); « Emplois prévus » are the jobs the projects announce, « Emplois créés » the
jobs the territories report.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from essdash.domain import fmt, periods
from essdash.domain import leverage as lv
from essdash.domain.vocabulary import MeetingBody, OpinionValue, SheetStatus
from essdash.read import equity_report, followup, indicators, leverage, places, plans, proceedings, queries
from essdash.read.filters import Filters
from essdash.read.indicators import Indicator
from essdash.read.pack_model import (
    JOBS_PLANNED,
    KEY_INDICATORS,
    METROPOLIS,
    NO_DATA,
    PLAN_START,
    PROPOSED_PER_10K,
    Chart,
    Pack,
    Section,
    situation_day,
)
from essdash.read.plans import FICTIONAL, PlanInfo
from essdash.read.proceedings import Meeting
from essdash.read.sheet_filters import narrow
from essdash.store.reference import ATTRIBUTION


def _meeting_of(engine: Engine, period: str) -> Meeting | None:
    start, end = periods.bounds(period)
    held = proceedings.meetings(engine, MeetingBody.COMITE.value)
    held = held[(held["date"] >= start) & (held["date"] <= end)]
    return Meeting.of_row(held.iloc[0].to_dict()) if not held.empty else None


def _figure_rows(now: dict, before: dict, year_before: dict, year: int) -> list[tuple[str, str, str]]:
    """The key figures with their change since the previous semester; money, whose fundings are
    dated by year only, with its change since the end of the previous year."""

    def change(key: str) -> str:
        delta = now[key] - before[key]
        return ("+" if delta > 0 else "") + fmt.number(delta) + " depuis le semestre précédent"

    delta = now["money"] - year_before["money"]
    money_change = ("+" if delta > 0 else "") + fmt.money(delta) + f" depuis fin {year - 1}"
    return [
        ("Projets proposés depuis 2011", fmt.number(now["projects"]), change("projects")),
        ("Montant engagé", fmt.money(now["money"]), money_change),
        (JOBS_PLANNED, fmt.number(now["jobs_created"]), change("jobs_created")),
        ("Emplois maintenus prévus par les projets", fmt.number(now["jobs_maintained"]), change("jobs_maintained")),
        ("Communes d'implantation", fmt.number(now["communes"]), change("communes")),
    ]


def _key_figures(engine: Engine, filters: Filters, period: str, scope: str) -> Section:
    assert filters.as_of is not None
    now = queries.key_figures(engine, filters.with_(period_from=PLAN_START, period_to=period))
    previous = periods.previous(period)
    before = queries.key_figures(
        engine,
        filters.with_(
            period_from=PLAN_START, period_to=previous, as_of=min(periods.bounds(previous)[1], filters.as_of)
        ),
    )
    year = filters.as_of.year
    year_before = queries.key_figures(
        engine,
        filters.with_(period_from=PLAN_START, period_to=f"{year - 1}-S2", as_of=date(year - 1, 12, 31)),
    )
    section = Section("Chiffres clés", figures=_figure_rows(now, before, year_before, year) if now["projects"] else [])
    if now["projects"]:
        section.values = dict(
            zip(
                [label for label, _, _ in section.figures],
                [now[k] for k in ("projects", "money", "jobs_created", "jobs_maintained", "communes")],
            )
        )
    section.sentences.append(
        f"Cumul depuis le 1er semestre 2011, {scope}, situation au {fmt.short_day(filters.as_of)} : projets "
        "proposés à cette date, à l'étape atteinte ce jour-là, financements des années écoulées."
        if now["projects"]
        else NO_DATA
    )
    if now["projects"]:
        by_status = queries.projects_by_status(engine, filters.with_(period_from=PLAN_START, period_to=period))
        section.charts.append(("Projets par étape", Chart("projects_by_status", by_status)))
    return section


def _scope(place: str | None) -> str:
    return place or METROPOLIS


def _since_last(engine: Engine, meeting: Meeting | None, filters: Filters, period: str, place: str | None) -> Section:
    assert filters.as_of is not None
    section = Section("Depuis le dernier comité")
    end = min(meeting.date if meeting else periods.bounds(period)[1], filters.as_of)
    held = proceedings.meetings(engine, MeetingBody.COMITE.value)
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
        (f"Nouveaux projets ({_scope(place)})", len(diff.new_projects)),
        (f"Étapes franchies ({_scope(place)})", len(diff.steps)),
        (f"Avis rendus ({_scope(place)})", len(diff.opinions)),
    ]
    section.figures = [(label, fmt.number(n), "") for label, n in counts]
    money_label = f"Financements des projets retenus ({_scope(place)})"
    sheets_label = (
        f"Changements de fiches (fiches servies, {place})"
        if diff.sheets_scoped
        else f"Changements de fiches ({METROPOLIS})"
    )
    section.figures += [(money_label, fmt.money(diff.money), ""), (sheets_label, fmt.number(len(diff.sheets)), "")]
    section.values = dict(counts) | {money_label: diff.money, sheets_label: len(diff.sheets)}
    return section


def _fiches(engine: Engine, filters: Filters, period: str, place: str | None) -> Section:
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


def _proposals(engine: Engine, meeting: Meeting | None, filters: Filters, period: str, place: str | None) -> Section:
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
        section.sentences[-1] += f" ; en attente d'avis : situation au {fmt.short_day(filters.as_of)}."
    return section


def _map(engine: Engine, filters: Filters, period: str) -> Section:
    assert filters.as_of is not None
    figures = places.place_figures(engine, filters.with_(period_from=PLAN_START, period_to=period), "commune")
    section = Section(f"Carte : {PROPOSED_PER_10K.lower()}")
    if figures["projects"].sum() == 0:
        section.sentences.append(NO_DATA)
        return section
    section.charts.append(
        (
            f"{PROPOSED_PER_10K}, par commune",
            Chart("choropleth", figures, {"level": "commune", "measure": "projects_per_10k"}),
        )
    )
    section.sentences.append(
        f"Toutes les communes de la métropole, situation au {fmt.short_day(filters.as_of)} : projets proposés depuis "
        "2011, rapportés aux habitants des communes membres."
    )
    section.sentences.append(ATTRIBUTION)
    return section


def _indicator_sentence(indicator: Indicator, values: pd.DataFrame, targets: pd.DataFrame, place: str) -> str | None:
    """The last value of ``values`` (one place) with, when one is set for that place, its target."""
    if values.empty:
        return None
    code = values["place"].iloc[0]
    gaps = indicators.gaps(values, targets, indicator.direction, code)
    last = values.sort_values("period", key=lambda p: p.map(periods.parse)).iloc[-1]
    text = (
        f"{indicator.label} — {place} : {indicators.value_text(indicator, last['value'])} "
        f"au {fmt.period_label(last['period'])}"
    )
    target = gaps[gaps["period"] == last["period"]]
    if target.empty:
        return text + "."
    row = target.iloc[0]
    return (
        f"{text} pour une cible de {indicators.value_text(indicator, row['value_target'])} "
        f"({'atteinte' if row['met'] else 'non atteinte'})."
    )


def _indicators(engine: Engine, filters: Filters, period: str, place: str | None) -> Section:
    territory = filters.territory
    section = Section("Indicateurs et cibles")
    for code in KEY_INDICATORS:
        data = indicators.series(engine, code, PLAN_START, period, filters)
        indicator, values = data.indicator, data.values
        if territory:
            values = values[values["place"].isin([territory, indicators.METRO])]
        if values.empty:
            continue
        title = f"{indicator.label} (projets engagés)" if code == "projets_pour_10000_hab" else indicator.label
        section.charts.append((title, Chart("indicator", values, indicator=indicator, targets=data.targets)))
        shown = [(territory, place)] if territory and place else []
        for where, name in shown + [(indicators.METRO, "Métropole")]:
            sentence = _indicator_sentence(indicator, values[values["place"] == where], data.targets, name)
            if sentence:
                section.sentences.append(sentence)
    if section.empty:
        section.sentences.append(NO_DATA)
    else:
        section.sentences.append(
            "Projets pour 10 000 habitants (indicateur) : projets validés, retenus, en cours ou réalisés, rapportés "
            "aux habitants des communes membres ; emplois créés : relevés par les territoires."
        )
    return section


def _equity(engine: Engine, filters: Filters, period: str, place: str | None) -> Section:
    assert filters.as_of is not None
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
    where = f"communes du {place}" if place else "communes de toute la métropole"
    section.sentences = [f"Projets proposés depuis 2011, {where}, situation au {fmt.short_day(filters.as_of)}."]
    section.sentences += [finding.sentence for finding in result.findings]
    section.figures = [(f.label, f.value, "") for f in result.findings if f.value is not None and not f.technical]
    table = result.territories[["name", "population", "projects", "projects_per_10k", "lq"]]
    section.tables.append(
        (
            "Projets proposés par territoire (toute la métropole)",
            pd.DataFrame(
                {
                    "Territoire": table["name"],
                    "Habitants": table["population"].map(fmt.number),
                    "Projets proposés": table["projects"].astype(int),
                    "Pour 10 000 hab.": table["projects_per_10k"].map(lambda v: fmt.number(v, 1)),
                    "Quotient de localisation": table["lq"].map(lambda v: fmt.number(v, 2)),
                }
            ),
        )
    )
    return section


def _leverage(engine: Engine, filters: Filters, period: str, place: str | None) -> Section:
    """« 1 € → x € »: the euros of other funders per euro of Lille Métropole and of citizen savings,
    against the plan's aim of 2 €, in the pack's scope; per territory (all of them, to compare), the
    metropolis's leverage and those drawing less than half of it."""
    assert filters.as_of is not None
    scope = filters.with_(period_from=PLAN_START, period_to=period)
    result = leverage.summary(engine, scope)
    section = Section("Effet levier des financements")
    if not any(result.results[lever]["lever"] for lever in lv.LEVERS):
        section.sentences.append(NO_DATA)
        return section
    for lever in lv.LEVERS:
        value = result.results[lever]["leverage"]
        label = f"{lv.LEVER_LABELS[lever]} → autres financeurs ({_scope(place)})"
        section.figures.append((label, lv.figure(value), lv.against_aim(value)))
        if result.results[lever]["lever"]:
            section.values[label] = value
    where = f"projets du {place}" if place else "projets de toute la métropole"
    section.sentences = [
        f"Cumul depuis le 1er semestre 2011, {where}, situation au {fmt.short_day(filters.as_of)} : "
        "financements des années écoulées.",
        *result.sentences,
        leverage.equity_of_leverage(engine, scope).finding_sentence("far_below"),
        lv.DEFINITION,
    ]
    territories = leverage.place_table(engine, scope, "territory")
    funded = territories[territories["metropolis"] > 0]
    if not funded.empty:
        section.charts.append(
            (
                "Euros d'autres financeurs par euro de Lille Métropole, par territoire (toute la métropole)",
                Chart("leverage", territories, {"lever": "metropolis"}),
            )
        )
    section.tables.append(
        (
            "Effet levier par territoire (toute la métropole)",
            pd.DataFrame(
                {
                    "Territoire": territories["name"],
                    "Lille Métropole": territories["metropolis"].map(fmt.money),
                    "Autres financeurs": territories["metropolis_others"].map(fmt.money),
                    "1 € de Lille Métropole →": territories["metropolis_leverage"].map(lv.figure),
                    "Épargne citoyenne": territories["citizen"].map(fmt.money),
                    "1 € d'épargne citoyenne →": territories["citizen_leverage"].map(lv.figure),
                }
            ),
        )
    )
    return section


def _compare(engine: Engine, territory: str, period: str, place: str, day: date) -> Section:
    scope = Filters(period_from=PLAN_START, period_to=period, as_of=day)
    figures = places.place_figures(engine, scope, "territory")
    summary = places.place_summary(figures, territory)
    section = Section(f"{place} et la métropole")
    if summary is None:
        section.sentences.append(NO_DATA)
        return section
    rows = [
        (PROPOSED_PER_10K, "projects_per_10k", 1, ""),
        ("Montant engagé par habitant", "money_per_inhabitant", 2, "\u00a0€"),
        ("Emplois prévus pour 10 000 habitants", "jobs_per_10k", 1, ""),
    ]
    section.figures = [
        (label, f"{fmt.number(summary[key], d)}{unit}", f"métropole : {fmt.number(summary['metro'][key], d)}{unit}")
        for label, key, d, unit in rows
    ]
    section.values = {label: float(summary[key]) for label, key, _, _ in rows}
    section.sentences.append(f"Cumul depuis le 1er semestre 2011, situation au {fmt.short_day(day)}.")
    return section


def _sources(plan: PlanInfo | None, day: date) -> Section:
    adopted = f"{plan.title} (adopté le {fmt.day(plan.adopted_on)})" if plan else "aucun plan dans la base"
    fictional = f" — {FICTIONAL}, ce plan n'existe pas" if plan and plan.fictional else ""
    return Section(
        "Sources",
        sentences=[
            ATTRIBUTION + ".",
            f"Plan d'actions : {adopted}{fictional}.",
            "Tableau de bord essdash ; chiffres calculés à partir du registre des projets et de l'historique daté "
            f"des étapes et des fiches, situation au {fmt.short_day(day)}.",
        ],
    )


def _plan_name(plan: PlanInfo | None) -> str:
    """« plan d'actions 2011-2014 », flagged when the plan is made up."""
    if plan is None:
        return "plan d'actions"
    return f"plan d'actions {plan.start.year}-{plan.end.year}" + (f" ({FICTIONAL})" if plan.fictional else "")


def build(engine: Engine, period: str, territory: str | None = None, plan_code: str | None = None) -> Pack:
    """The meeting pack of a semester, for the metropolis or one territory (compared with it), as
    things stood on :func:`situation_day`, on the fiches of the plan ``plan_code`` (else the plan in
    force that day)."""
    periods.parse(period)
    info = queries.dataset_info(engine)
    names = queries.territory_options(engine).set_index("code")["name"]
    if territory and territory not in names.index:
        raise ValueError(f"Territoire « {territory} » inconnu.")
    name = str(names[territory]) if territory else None
    place = name or "Toute la métropole"
    day = situation_day(engine, period)
    plan = plans.chosen(engine, plan_code, day)
    if plan_code and (plan is None or plan.code != plan_code):
        raise ValueError(f"Plan « {plan_code} » inconnu.")
    filters = Filters(territory=territory, as_of=day, plan=plan.code if plan else None)
    meeting = _meeting_of(engine, period)
    when = f"séance du {fmt.day(meeting.date)}" if meeting else f"{fmt.period_label(period)} (pas de séance du comité)"
    sections = [_key_figures(engine, filters, period, name or METROPOLIS)]
    if territory and name:
        sections.append(_compare(engine, territory, period, name, day))
    sections += [
        _since_last(engine, meeting, filters, period, name),
        _fiches(engine, filters, period, name),
        _proposals(engine, meeting, filters, period, name),
        _map(engine, filters, period),
        _indicators(engine, filters, period, name),
        _equity(engine, filters, period, name),
        _leverage(engine, filters, period, name),
        _sources(plan, day),
    ]
    return Pack(
        period=period,
        title="Comité métropolitain de l'économie sociale et solidaire",
        subtitle=f"Point d'étape du {_plan_name(plan)} — {when} — situation au {fmt.short_day(day)} — {place}",
        meeting=meeting,
        territory=territory,
        place=place,
        demo=info.get("dataset") == "demo",
        sections=sections,
        day=day,
    )
