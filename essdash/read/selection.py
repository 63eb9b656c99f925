"""The selection resolved once: what a request names (territory, commune, reference day, plan)
turned into a frozen, fully resolved :class:`~essdash.read.filters.Filters`.

:func:`choices` reads in one go what a selection may name (territories, communes, the data's latest
date and the semester ends before it, the plans); :func:`settle` checks a request against it,
dropping what is unknown; :func:`resolve` does both and refuses the unknown. The page frame, the
command line, the meeting pack and the tests all build their Filters here, so the reads below never
decide a default themselves: ``as_of`` is a day (the data's latest date when the request names
none, then ``latest`` is set), ``plan`` a code (the plan in force on that day when none is named).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.engine import Engine

from essdash.domain import periods
from essdash.domain.errors import EssdashError
from essdash.read import followup, plans, queries
from essdash.read.filters import Filters
from essdash.read.plans import PlanInfo

DEFAULT_FIRST_SEMESTER = "2011-S1"


@dataclass(frozen=True)
class Choices:
    """What a selection may name: territories (code → name, in their order), communes (INSEE code,
    name, territory code, by name), the data's latest date, the reference days offered (the latest
    date, then every semester end before it) and the plans (the earliest first)."""

    territories: dict[str, str]
    communes: pd.DataFrame
    latest: date
    semesters: tuple[str, ...]
    plans: tuple[PlanInfo, ...]

    @property
    def days(self) -> list[date]:
        """The reference days a page offers, latest first."""
        ends = [periods.bounds(p)[1] for p in self.semesters]
        return [self.latest, *sorted((d for d in ends if d < self.latest), reverse=True)]

    def communes_of(self, territory: str | None) -> dict[str, str]:
        """The communes (INSEE code → name, by name) of ``territory``, or of the metropolis."""
        rows = self.communes if not territory else self.communes[self.communes["territory_code"] == territory]
        return dict(zip(rows["insee_code"], rows["name"]))

    def plan(self, code: str | None) -> PlanInfo | None:
        """The plan of that code, if the base has it."""
        return next((p for p in self.plans if p.code == code), None)


def choices(engine: Engine) -> Choices:
    """What a selection may name, read once (one cached read for a page)."""
    known = plans.plans(engine)
    latest = followup.as_of(engine)
    first = periods.of_date(min(p.start for p in known)) if known else DEFAULT_FIRST_SEMESTER
    last = periods.of_date(latest)
    return Choices(
        territories=dict(zip(*queries.territory_options(engine)[["code", "name"]].to_dict("list").values())),
        communes=queries.commune_options(engine)[["insee_code", "name", "territory_code"]],
        latest=latest,
        semesters=tuple(periods.span(first, max(first, last, key=periods.parse))),
        plans=tuple(known),
    )


@dataclass(frozen=True)
class Settled:
    """A request checked against the choices: the resolved filters and what was dropped as unknown
    (``{"territoire": code, "commune": code, "plan": code}``, the URL's names)."""

    filters: Filters
    dropped: dict[str, str]


def settle(
    known: Choices,
    *,
    territory: str | None = None,
    commune: str | None = None,
    as_of: date | None = None,
    plan: str | None = None,
) -> Settled:
    """Resolve a request against ``known``, dropping the unknown: a territory that is not one, a
    commune that is not one (of the territory, when one is chosen), a plan the base does not have.
    Without ``as_of``, the data's latest date (``latest``); a named day is a situation rebuilt
    from history. Without a (known) plan, the plan in force on the day."""
    dropped: dict[str, str] = {}
    if territory and territory not in known.territories:
        dropped["territoire"], territory = territory, None
    if commune and commune not in known.communes_of(territory):
        dropped["commune"], commune = commune, None
    day = as_of or known.latest
    shown = known.plan(plan)
    if plan and shown is None:
        dropped["plan"] = plan
    if shown is None:
        shown = plans.in_force(list(known.plans), day)
    filters = Filters(
        territory=territory or None,
        commune=commune or None,
        as_of=day,
        latest=as_of is None,
        plan=shown.code if shown else None,
    )
    return Settled(filters, dropped)


UNKNOWN = {
    "territoire": "Territoire inconnu : « {} ».",
    "commune": "Commune inconnue : « {} » (code INSEE attendu).",
    "plan": "Plan « {} » inconnu.",
}


def resolve(
    engine: Engine,
    *,
    territory: str | None = None,
    commune: str | None = None,
    as_of: date | None = None,
    plan: str | None = None,
) -> Filters:
    """The resolved :class:`Filters` of a request (command line, meeting pack, tests); an unknown
    territory, commune or plan is refused with a French error."""
    settled = settle(choices(engine), territory=territory, commune=commune, as_of=as_of, plan=plan)
    for param, code in settled.dropped.items():
        raise EssdashError(UNKNOWN[param].format(code))
    return settled.filters
