"""Filters bound to the URL and the sidebar (territory, commune, reference date, plan), the project
filter widgets, the period slider, and the row a page shows (picked in a table or named in the URL).

The territory and commune filters, the reference date and the plan live in the URL
(``?territoire=roubaisien&commune=59512&au=2013-12-31&plan=PMDE-ESS-2011-2014``) and follow the
user from page to page. Without ``plan``, a page shows the plan in force on the reference date.
The reference date (« situation au … ») is the data's latest date unless a past semester end is
chosen; every page's :class:`Filters` carry it (``as_of``, None for the latest date).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from essdash.domain import fmt, periods
from essdash.domain.vocabulary import InterventionMode, ProjectStatus, Sector
from essdash.read import followup, indicators, plans, queries
from essdash.read.filters import Filters
from essdash.ui.cache import read
from essdash.ui.choices import labelled

PLACE_PARAMS = ("territoire", "commune")
DATE_PARAM = "au"
PLAN_PARAM = "plan"
NONE_LABEL = "Toute la métropole"


def _place_state() -> dict[str, str]:
    """The place filters of this session, reconciled with the URL (the URL wins when it has any)."""
    state = st.session_state.setdefault("place_filters", {})
    from_url = {k: st.query_params[k] for k in PLACE_PARAMS if st.query_params.get(k)}
    if from_url:
        state.clear()
        state.update(from_url)
    else:
        for key, value in state.items():
            st.query_params[key] = value
    return state


def _on_place_change(param: str) -> None:
    state = st.session_state["place_filters"]
    value = st.session_state[f"flt_{param}"]
    if value:
        state[param] = value
        st.query_params[param] = value
    else:
        state.pop(param, None)
        st.query_params.pop(param, None)
    if param == "territoire":
        state.pop("commune", None)
        st.query_params.pop("commune", None)


def _known(state: dict, param: str, known: dict, warning: str) -> str | None:
    """The filter's code if it is known; otherwise drop it from the URL and say so."""
    code = state.get(param)
    if code and code not in known:
        st.warning(warning.format(fmt.md_escape(code)))
        state.pop(param)
        st.query_params.pop(param, None)
        return None
    return code


def place_filters(*, widgets: bool = True) -> tuple[str | None, str | None]:
    """Sidebar territory and commune selectors bound to the URL; returns the valid codes.
    Without ``widgets``, the filters are only read from the URL and the session."""
    state = _place_state()
    territories = read(queries.territory_options)
    names = dict(zip(territories["code"], territories["name"]))
    territory = _known(state, "territoire", names, "Territoire « {} » inconnu : filtre ignoré.")
    communes = read(queries.commune_options, territory)
    commune_names = dict(zip(communes["insee_code"], communes["name"]))
    commune = _known(
        state,
        "commune",
        commune_names,
        "Commune « {} » inconnue" + (" dans ce territoire" if territory else "") + " : filtre ignoré.",
    )
    if not widgets:
        return territory, commune
    st.session_state["flt_territoire"] = territory
    st.session_state["flt_commune"] = commune
    with st.sidebar:
        st.selectbox(
            "Territoire",
            [None, *names],
            key="flt_territoire",
            placeholder=NONE_LABEL,
            format_func=lambda c: NONE_LABEL if c is None else names[c],
            on_change=_on_place_change,
            args=("territoire",),
        )
        st.selectbox(
            "Commune",
            [None, *commune_names],
            key="flt_commune",
            placeholder="Toutes les communes",
            format_func=lambda c: "Toutes les communes" if c is None else commune_names[c],
            on_change=_on_place_change,
            args=("commune",),
        )
    return territory, commune


def reference_dates() -> list[date]:
    """The days a page can show, latest first: the data's latest date, then every semester end before it."""
    latest = read(followup.as_of)
    ends = [periods.bounds(p)[1] for p in read(indicators.reference_periods)]
    return [latest, *sorted((d for d in ends if d < latest), reverse=True)]


def date_label(day: date, latest: date) -> str:
    """« 31/12/2013 (fin du 2e semestre 2013) », or « 15/12/2014 (dernière date des données) »."""
    if day == latest:
        return f"{fmt.short_day(day)} (dernière date des données)"
    return f"{fmt.short_day(day)} (fin du {fmt.period_label(periods.of_date(day))})"


def _date_state() -> str | None:
    """The chosen reference date of this session (ISO), reconciled with the URL (the URL wins)."""
    state = st.session_state.setdefault("reference_date", {})
    if st.query_params.get(DATE_PARAM):
        state[DATE_PARAM] = st.query_params[DATE_PARAM]
    elif state.get(DATE_PARAM):
        st.query_params[DATE_PARAM] = state[DATE_PARAM]
    return state.get(DATE_PARAM)


def _drop_date() -> None:
    st.session_state.setdefault("reference_date", {}).pop(DATE_PARAM, None)
    st.query_params.pop(DATE_PARAM, None)


def _on_date_change() -> None:
    day = st.session_state["flt_au"]
    if day == reference_dates()[0]:
        _drop_date()
    else:
        st.session_state["reference_date"][DATE_PARAM] = day.isoformat()
        st.query_params[DATE_PARAM] = day.isoformat()


def reference_date(*, widgets: bool = True) -> date | None:
    """The sidebar's « Situation au » selector bound to the URL: a past semester end, or None for the
    data's latest date. An unknown date in the URL is dropped with a warning.
    Without ``widgets``, the date is only read from the URL and the session."""
    options = reference_dates()
    latest = options[0]
    code = _date_state()
    chosen_day = None
    if code:
        try:
            chosen_day = date.fromisoformat(code)
        except ValueError:
            chosen_day = None
        if chosen_day not in options:
            st.warning(f"Date « {fmt.md_escape(code)} » non proposée : situation à la dernière date des données.")
            chosen_day = None
        if chosen_day is None or chosen_day == latest:
            _drop_date()
            chosen_day = None
    if widgets:
        st.session_state["flt_au"] = chosen_day or latest
        st.sidebar.selectbox(
            "Situation au",
            options,
            key="flt_au",
            format_func=lambda d: date_label(d, latest),
            on_change=_on_date_change,
            help="Toutes les pages montrent la situation à cette date : projets proposés jusque-là, à "
            "l'étape atteinte ce jour-là, financements des années jusqu'à celle-ci, fiches à leur statut d'alors.",
            placeholder=fmt.CHOOSE,
        )
    return chosen_day


def _plan_state() -> str | None:
    """The plan chosen in this session, reconciled with the URL (the URL wins)."""
    state = st.session_state.setdefault("plan_filter", {})
    if st.query_params.get(PLAN_PARAM):
        state[PLAN_PARAM] = st.query_params[PLAN_PARAM]
    elif state.get(PLAN_PARAM):
        st.query_params[PLAN_PARAM] = state[PLAN_PARAM]
    return state.get(PLAN_PARAM)


def _drop_plan() -> None:
    st.session_state.setdefault("plan_filter", {}).pop(PLAN_PARAM, None)
    st.query_params.pop(PLAN_PARAM, None)


def _on_plan_change(default: str) -> None:
    code = st.session_state["flt_plan"]
    if code == default:
        _drop_plan()
    else:
        st.session_state["plan_filter"][PLAN_PARAM] = code
        st.query_params[PLAN_PARAM] = code


def plan_filter(as_of: date | None, *, widgets: bool = True) -> tuple[str | None, plans.PlanInfo | None]:
    """The sidebar's « Plan d'actions » selector bound to the URL: the code the URL names (None for
    the plan in force on the reference date) and the plan shown. An unknown code is dropped with a
    warning. Without ``widgets``, the plan is only read from the URL and the session."""
    known = read(plans.plans)
    default = plans.in_force(known, as_of or read(followup.as_of))
    code = _plan_state()
    shown = next((p for p in known if p.code == code), None)
    if code and shown is None:
        st.warning(f"Plan « {fmt.md_escape(code)} » inconnu : plan en vigueur affiché.")
    if shown is None or (default and shown.code == default.code):
        _drop_plan()
        code, shown = None, default
    if widgets and shown is not None:
        labels = {p.code: p.label for p in known}
        st.session_state["flt_plan"] = shown.code
        st.sidebar.selectbox(
            "Plan d'actions",
            list(labels),
            key="flt_plan",
            format_func=labelled(labels),
            on_change=_on_plan_change,
            args=(default.code if default else "",),
            help="Fiches, retards, cibles des indicateurs et pack de séance suivent ce plan ; projets et "
            "porteurs sont communs à tous les plans. Par défaut : le plan en vigueur à la date de situation.",
            placeholder=fmt.CHOOSE,
        )
    return code, shown


def url_params(filters: Filters) -> dict[str, str]:
    """The URL parameters that carry the place filters, the reference date and the plan to another page."""
    params = {"territoire": filters.territory, "commune": filters.commune}
    params[DATE_PARAM] = filters.as_of.isoformat() if filters.as_of else None
    params[PLAN_PARAM] = filters.plan
    return {k: v for k, v in params.items() if v}


def place_caption(filters: Filters) -> str:
    """Plain-French description of the place filters, for headings and captions: the commune's or the
    territory's name escaped for Markdown (:func:`essdash.domain.fmt.md_escape`), or « Toute la métropole »."""
    if filters.commune:
        communes = read(queries.commune_options)
        return fmt.md_escape(communes.loc[communes["insee_code"] == filters.commune, "name"].iloc[0])
    if filters.territory:
        territories = read(queries.territory_options)
        return fmt.md_escape(territories.loc[territories["code"] == filters.territory, "name"].iloc[0])
    return NONE_LABEL


def scope_caption(filters: Filters) -> str:
    """Where, on which day and over which semesters of proposal a page's figures are:
    « Roubaix · situation au 31/12/2013 · projets proposés du 1er semestre 2011 au 2e semestre 2013 »."""
    day = filters.as_of or read(followup.as_of)
    semesters = read(indicators.reference_periods)
    first = filters.period_from or semesters[0]
    last = filters.period_to or periods.of_date(day)
    return (
        f"{place_caption(filters)} · situation au {fmt.short_day(day)} · projets proposés du "
        f"{fmt.period_label(first)} au {fmt.period_label(last)}"
    )


def project_filters(base: Filters, *, search: bool = True) -> Filters:
    """Widgets for step, fiche, sector and intervention mode, « à qualifier » (and free text); returns the filters."""
    sheets = read(queries.sheet_options, base.plan or read(followup.plan_code, base))
    titles = dict(zip(sheets["code"], sheets["title"]))
    c1, c2, c3, c4 = st.columns(4)
    statuses = c1.multiselect(
        "Étape", list(ProjectStatus), format_func=lambda s: s.label, placeholder="Toutes", key="f_status"
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
    options = read(indicators.reference_periods)
    start, end = st.select_slider(
        label, options=options, value=(options[0], options[-1]), format_func=fmt.period_label, key="f_period"
    )
    return start, end


def chosen(selection, table: pd.DataFrame, column: str, param: str):
    """The ``column`` value of the row selected in ``table`` (a ``st.dataframe`` selection event), or
    else the URL's ``param`` (a deep link such as ``?projet=12``), or None."""
    rows = selection.selection.rows if selection else []
    return table.iloc[rows[0]][column] if rows else st.query_params.get(param)
