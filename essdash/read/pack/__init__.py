"""The semester meeting pack: everything the chair presents, assembled as plain data.

:func:`build` gathers, for a semester (and optionally one territory compared with the
metropolis): key figures and their change since the previous semester, what happened since the
last committee, the fiches, the proposals and their opinions, the choropleth, indicator series,
the equity figures with their sentences, the leverage of a euro of the metropolis and of citizen
savings (« 1 € → x € ») against the plan's aim, the evaluation (how complete and checked the
semester's indicator values are, reopenings, the register of « dysfonctionnements »:
:mod:`essdash.read.pack.evaluation`), the beneficiaries' answers (:mod:`essdash.read.voices`),
and the data's sources. The presentation mode and the
PDF / PowerPoint / JSON renderers (:mod:`essdash.render.report`) all read this one structure, so they
show the same figures. A chart is the rows behind it and the kind of chart that draws them
(:class:`Chart`); :mod:`essdash.render.pack_charts` draws it. The sections come from
:mod:`essdash.read.pack.figures` (key figures, indicators), :mod:`essdash.read.pack.followup` (since
the last committee, fiches, proposals) and :mod:`essdash.read.pack.places` (a territory against the
metropolis, map, equity, leverage); this module orders them and adds the sources. The data classes
and labels live in :mod:`essdash.read.pack.model` and are re-exported here.

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

from sqlalchemy.engine import Engine

from essdash.domain import fmt, periods
from essdash.domain.vocabulary import MeetingBody
from essdash.read import proceedings, queries, selection, voices
from essdash.read.pack import evaluation as pack_evaluation
from essdash.read.pack import figures as pack_figures
from essdash.read.pack import followup as pack_followup
from essdash.read.pack import places as pack_places
from essdash.read.pack.model import (
    JOBS_PLANNED,
    METROPOLIS,
    NO_DATA,
    PROPOSED_PER_10K,
    Chart,
    Pack,
    Section,
    situation_day,
)
from essdash.read.plans import FICTIONAL, PlanInfo
from essdash.read.proceedings import Meeting
from essdash.store.reference import ATTRIBUTION

# The pack's data classes and the labels its tests look for, re-exported so that a reader of the
# built pack needs only this module.
__all__ = ["JOBS_PLANNED", "NO_DATA", "PROPOSED_PER_10K", "Chart", "Pack", "Section", "build"]


def _meeting_of(engine: Engine, period: str) -> Meeting | None:
    start, end = periods.bounds(period)
    held = proceedings.meetings(engine, MeetingBody.COMMITTEE.value)
    held = held[(held["date"] >= start) & (held["date"] <= end)]
    return Meeting.of_row(held.iloc[0].to_dict()) if not held.empty else None


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
    known = selection.choices(engine)
    settled = selection.settle(known, territory=territory, as_of=day, plan=plan_code)
    if "plan" in settled.dropped:
        raise ValueError(f"Plan « {plan_code} » inconnu.")
    filters = settled.filters
    plan = known.plan(filters.plan)
    meeting = _meeting_of(engine, period)
    when = f"séance du {fmt.day(meeting.date)}" if meeting else f"{fmt.period_label(period)} (pas de séance du comité)"
    sections = [pack_figures.key_figures(engine, filters, period, name or METROPOLIS)]
    if territory and name:
        sections.append(pack_places.comparison(engine, territory, period, name, day))
    sections += [
        pack_followup.since_last(engine, meeting, filters, period, name),
        pack_followup.fiches(engine, filters, period, name),
        pack_followup.proposals(engine, meeting, filters, period, name),
        pack_places.project_map(engine, filters, period),
        pack_figures.indicator_targets(engine, filters, period, name),
        pack_places.equity(engine, filters, period, name),
        pack_places.funding_leverage(engine, filters, period, name),
        pack_evaluation.evaluation(engine, period),
        voices.pack_section(engine, territory, period, name),
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
