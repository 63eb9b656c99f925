"""What the public view (no login) may show: the semesters published, the day its figures describe,
the past committees whose pack is published, the public version of a pack — aggregated figures
only: no comment, no opinion's reasons, no project or person named — and the open data package it
offers.

:func:`published_periods` is the one place that decides which semesters are public: a semester in
which a committee met, up to the data's reference date, whose indicator values are validated or
locked at every place (each territory, and the metropolis when it has values or a state of its own),
as :func:`essdash.read.approval.completion` says — the rule by which the pack calls a figure
« provisoire ». The view, its day, its packs and its open data package all follow.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from essdash.domain import periods
from essdash.domain.vocabulary import MeetingBody
from essdash.read import approval, followup, pack, proceedings
from essdash.read.opendata import package as opendata_package
from essdash.read.pack.model import Pack, Section, situation_day
from essdash.read.voices import SECTION_TITLE

# The pack's sections that hold aggregated figures only (a territory's comparison and the map have a
# title of their own, see :func:`public_section`); the others name projects, carriers or opinions.
PUBLIC_SECTIONS = frozenset(
    {
        "Chiffres clés",
        "Indicateurs et cibles",
        "Équité territoriale",
        "Effet levier des financements",
        SECTION_TITLE,
        "Sources",
    }
)


def past_committees(engine: Engine) -> pd.DataFrame:
    """The committee meetings held up to the data's reference date, newest first: id, date, title, period."""
    held = proceedings.meetings(engine, MeetingBody.COMMITTEE.value)
    held = held[held["date"] <= followup.as_of(engine)]
    frame = held[["id", "date", "title"]].copy()
    frame["period"] = [periods.of_date(day) for day in frame["date"]]
    return frame.reset_index(drop=True)


def published_periods(engine: Engine) -> list[str]:
    """The semesters the public view may show, oldest first: those of a past committee whose values
    are validated or locked everywhere (none of its figures is « provisoire »)."""
    held = sorted(set(past_committees(engine)["period"]), key=periods.parse)
    return [period for period in held if not approval.completion(engine, period).provisional]


def published_day(engine: Engine) -> date | None:
    """The day the public view's figures describe: the situation at the end of the latest published
    semester (or the data's date if earlier); ``None`` when nothing is published yet."""
    published = published_periods(engine)
    return situation_day(engine, published[-1]) if published else None


def public_section(section: Section) -> bool:
    """Whether a pack's section holds aggregated figures only."""
    return (
        section.title in PUBLIC_SECTIONS
        or section.title.startswith("Carte : ")
        or section.title.endswith(" et la métropole")
    )


def public_pack(engine: Engine, period: str, territory: str | None = None) -> Pack:
    """The pack of a published semester, for the metropolis or a territory, with its public sections only;
    a semester not published is refused (``ValueError`` in French)."""
    if period not in published_periods(engine):
        raise ValueError(f"Le dossier du {period} n'est pas publié.")
    built = pack.build(engine, period, territory)
    return replace(built, sections=[section for section in built.sections if public_section(section)])


def public_package(engine: Engine) -> opendata_package.Package:
    """The open data package the public view offers: the whole register, with the indicator values
    and the equity findings of the published semesters only (no draft value)."""
    return opendata_package.build(engine, semesters=published_periods(engine))
