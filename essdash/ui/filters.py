"""The selection bound to the URL and the sidebar (territory, commune, reference date, plan), the
project filter widgets, the period slider, and the row a page shows (picked in a table or named in
the URL).

The territory and commune filters, the reference date and the plan live in the URL
(``?territoire=roubaisien&commune=59512&au=2013-12-31&plan=PMDE-ESS-2011-2014``) and follow the
user from page to page: :class:`UrlParams` keeps each of them in step between the URL, the session
and its sidebar widget. :func:`selection` turns them, once per run and against one cached read of
what they may name (:func:`essdash.read.selection.choices`), into the page's resolved
:class:`Filters` (:func:`essdash.read.selection.settle`): without ``au``, the data's latest date;
without ``plan``, the plan in force on the reference date. What the URL names but the base does not
know is dropped from the URL, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from essdash.domain import fmt, periods
from essdash.domain.vocabulary import InterventionMode, ProjectStatus, Sector
from essdash.read import plans, queries
from essdash.read import selection as resolved
from essdash.read.filters import Filters
from essdash.ui.cache import read
from essdash.ui.choices import labelled, options_of

DATE_PARAM = "au"
PLAN_PARAM = "plan"
NONE_LABEL = "Toute la métropole"
UNKNOWN = {
    "territoire": "Territoire « {} » inconnu : filtre ignoré.",
    "commune": "Commune « {} » inconnue{} : filtre ignoré.",
    "plan": "Plan « {} » inconnu : plan en vigueur affiché.",
}


@dataclass(frozen=True)
class UrlParams:
    """A group of URL parameters kept in step with this session (``st.session_state[store]``) and with
    their sidebar widgets (key ``flt_<name>``): when the URL names any of them, the URL wins; otherwise
    the session's values are written back to the URL, so that they follow the user to another page."""

    store: str
    names: tuple[str, ...]

    def _state(self) -> dict[str, str]:
        return st.session_state.setdefault(self.store, {})

    def values(self) -> dict[str, str]:
        """The group's values of this run, the URL and the session reconciled."""
        state = self._state()
        from_url = {k: st.query_params[k] for k in self.names if st.query_params.get(k)}
        if from_url:
            state.clear()
            state.update(from_url)
        else:
            for key, value in state.items():
                st.query_params[key] = value
        return dict(state)

    def set(self, name: str, value: str | None) -> None:
        """Set (or, with None, drop) a parameter in the session and the URL."""
        state = self._state()
        if value:
            state[name] = value
            st.query_params[name] = value
        else:
            state.pop(name, None)
            st.query_params.pop(name, None)

    def _changed(self, name: str, to_url: Callable[[object], str | None], clears: tuple[str, ...]) -> None:
        self.set(name, to_url(st.session_state[f"flt_{name}"]))
        for other in clears:
            self.set(other, None)

    def select(
        self,
        name: str,
        label: str,
        options: Iterable[object],
        value: object,
        to_url: Callable[[Any], str | None],
        *,
        clears: tuple[str, ...] = (),
        **widget: Any,
    ) -> None:
        """A sidebar selectbox showing ``value``, whose change goes to the session and the URL as
        ``to_url(choice)`` (None drops the parameter) and drops the parameters ``clears``."""
        st.session_state[f"flt_{name}"] = value
        st.sidebar.selectbox(
            label,
            list(options),
            key=f"flt_{name}",
            on_change=self._changed,
            args=(name, to_url, clears),
            **widget,
        )


PLACES = UrlParams("place_filters", ("territoire", "commune"))
DAY = UrlParams("reference_date", (DATE_PARAM,))
PLAN = UrlParams("plan_filter", (PLAN_PARAM,))


def choices() -> resolved.Choices:
    """What the selection may name (territories, communes, reference days, plans): one cached read."""
    return read(resolved.choices)


def date_label(day: date, latest: date) -> str:
    """« 31/12/2013 (fin du 2e semestre 2013) », or « 15/12/2014 (dernière date des données) »."""
    if day == latest:
        return f"{fmt.short_day(day)} (dernière date des données)"
    return f"{fmt.short_day(day)} (fin du {fmt.period_label(periods.of_date(day))})"


def _requested_day(known: resolved.Choices) -> date | None:
    """The URL's past reference day, or None for the data's latest date; an unknown date is dropped
    with a warning."""
    code = DAY.values().get(DATE_PARAM)
    if not code:
        return None
    try:
        day: date | None = date.fromisoformat(code)
    except ValueError:
        day = None
    if day not in known.days:
        st.warning(f"Date « {fmt.md_escape(code)} » non proposée : situation à la dernière date des données.")
        day = None
    if day is None or day == known.latest:
        DAY.set(DATE_PARAM, None)
        return None
    return day


def selection(*, widgets: bool = True) -> tuple[Filters, plans.PlanInfo | None, resolved.Choices]:
    """The page's resolved selection, the plan it shows and what it was resolved against, from the
    URL and the session, with the sidebar's « Territoire », « Commune », « Situation au » and « Plan
    d'actions » selectors (none without ``widgets``). Unknown codes are dropped from the URL with a warning."""
    known = choices()
    place = PLACES.values()
    day = _requested_day(known)
    asked = PLAN.values().get(PLAN_PARAM)
    settled = resolved.settle(
        known, territory=place.get("territoire"), commune=place.get("commune"), as_of=day, plan=asked
    )
    filters = settled.filters
    for param, code in settled.dropped.items():
        where = " dans ce territoire" if param == "commune" and filters.territory else ""
        st.warning(UNKNOWN[param].format(fmt.md_escape(code), where))
        (PLAN if param == PLAN_PARAM else PLACES).set(param, None)
    default = plans.in_force(list(known.plans), filters.as_of)
    if default is not None and filters.plan == default.code:
        PLAN.set(PLAN_PARAM, None)
    shown = known.plan(filters.plan)
    if widgets:
        _selectors(known, filters, default)
    return filters, shown, known


def _selectors(known: resolved.Choices, filters: Filters, default: plans.PlanInfo | None) -> None:
    territories, communes = known.territories, known.communes_of(filters.territory)
    PLACES.select(
        "territoire",
        "Territoire",
        [None, *territories],
        filters.territory,
        lambda code: code,
        clears=("commune",),
        placeholder=NONE_LABEL,
        format_func=lambda c: NONE_LABEL if c is None else territories[c],
    )
    PLACES.select(
        "commune",
        "Commune",
        [None, *communes],
        filters.commune,
        lambda code: code,
        placeholder="Toutes les communes",
        format_func=lambda c: "Toutes les communes" if c is None else communes[c],
    )
    latest = known.latest
    DAY.select(
        DATE_PARAM,
        "Situation au",
        known.days,
        filters.as_of,
        lambda day: None if day == latest else day.isoformat(),
        format_func=lambda d: date_label(d, latest),
        help="Toutes les pages montrent la situation à cette date : projets proposés jusque-là, à "
        "l'étape atteinte ce jour-là, financements des années jusqu'à celle-ci, fiches à leur statut d'alors.",
        placeholder=fmt.CHOOSE,
    )
    if filters.plan is None:
        return
    labels = {p.code: p.label for p in known.plans}
    in_force = default.code if default else ""
    PLAN.select(
        PLAN_PARAM,
        "Plan d'actions",
        labels,
        filters.plan,
        lambda code: None if code == in_force else code,
        format_func=labelled(labels),
        help="Fiches, retards, cibles des indicateurs et pack de séance suivent ce plan ; projets et "
        "porteurs sont communs à tous les plans. Par défaut : le plan en vigueur à la date de situation.",
        placeholder=fmt.CHOOSE,
    )


def url_params(filters: Filters) -> dict[str, str]:
    """The URL parameters that carry the place filters, the reference date and the plan to another page."""
    params = {"territoire": filters.territory, "commune": filters.commune}
    params[DATE_PARAM] = filters.history_day.isoformat() if filters.history_day else None
    params[PLAN_PARAM] = filters.plan
    return {k: v for k, v in params.items() if v}


def place_caption(filters: Filters) -> str:
    """Plain-French description of the place filters, for headings and captions: the commune's or the
    territory's name escaped for Markdown (:func:`essdash.domain.fmt.md_escape`), or « Toute la métropole »."""
    if filters.commune:
        return fmt.md_escape(choices().communes_of(None)[filters.commune])
    if filters.territory:
        return fmt.md_escape(choices().territories[filters.territory])
    return NONE_LABEL


def scope_caption(filters: Filters) -> str:
    """Where, on which day and over which semesters of proposal a page's figures are:
    « Roubaix · situation au 31/12/2013 · projets proposés du 1er semestre 2011 au 2e semestre 2013 »."""
    day = filters.day
    first = filters.period_from or choices().semesters[0]
    last = filters.period_to or periods.of_date(day)
    return (
        f"{place_caption(filters)} · situation au {fmt.short_day(day)} · projets proposés du "
        f"{fmt.period_label(first)} au {fmt.period_label(last)}"
    )


def project_filters(base: Filters, *, search: bool = True) -> Filters:
    """Widgets for step, fiche, sector and intervention mode, « à qualifier » (and free text); returns the filters."""
    sheets = read(queries.sheet_options, base.plan)
    titles = dict(zip(sheets["code"], sheets["title"]))
    c1, c2, c3, c4 = st.columns(4)
    statuses = c1.multiselect(
        "Étape", options_of(ProjectStatus), format_func=lambda s: s.label, placeholder="Toutes", key="f_status"
    )
    sheet = c2.selectbox(
        "Fiche du plan",
        [None, *titles],
        key="f_sheet",
        placeholder="Toutes les fiches",
        format_func=lambda c: "Toutes les fiches" if c is None else f"{c} — {titles[c]}",
    )
    sector = c3.selectbox(
        "Filière",
        [None, *Sector],
        key="f_sector",
        placeholder="Toutes les filières",
        format_func=lambda s: "Toutes les filières" if s is None else s.label,
    )
    mode = c4.selectbox(
        "Mode d'intervention",
        [None, *InterventionMode],
        key="f_mode",
        placeholder="Tous les modes",
        format_func=lambda s: "Tous les modes" if s is None else s.label,
    )
    to_qualify = st.checkbox(
        "À qualifier", key="f_to_qualify", help="Seulement les projets dont la filière ou le mode reste à qualifier"
    )
    # The label says in French what Streamlit's « Press Enter to apply » says in English.
    text = (
        st.text_input(
            "Rechercher (Entrée pour appliquer)", placeholder="Titre, description ou porteur…", key="f_search"
        )
        if search
        else ""
    )
    return base.with_(
        to_qualify=to_qualify,
        statuses=tuple(s.value for s in statuses),
        sheet=sheet,
        sector=sector and sector.value,
        mode=mode and mode.value,
        search=text,
    )


def period_range(label: str = "Période (semestre de proposition des projets)") -> tuple[str, str]:
    """A semester range slider from the plan's start to the data's reference date."""
    options = list(choices().semesters)
    start, end = st.select_slider(
        label, options=options, value=(options[0], options[-1]), format_func=fmt.period_label, key="f_period"
    )
    return start, end


def chosen(selection, table: pd.DataFrame, column: str, param: str):
    """The ``column`` value of the row selected in ``table`` (a ``st.dataframe`` selection event), or
    else the URL's ``param`` (a deep link such as ``?projet=12``), or None."""
    rows = selection.selection.rows if selection else []
    return table.iloc[rows[0]][column] if rows else st.query_params.get(param)
