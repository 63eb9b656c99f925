"""The only shared Streamlit-aware module: page frame, URL-bound filters, cached reads, widgets.

Every page calls :func:`page_frame` first, so that a page works on its own (also when a deep
link is the first request to a fresh server). The territory and commune filters live in the URL
(``?territoire=roubaisien&commune=59512``) and follow the user from page to page.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.domain.errors import EssdashError
from essdash.domain.vocabulary import InterventionMode, ProjectStatus, Sector
from essdash.read import indicators, queries
from essdash.read.filters import Filters
from essdash.store.config import get_settings
from essdash.store.db import open_database
from essdash.store.reference import ATTRIBUTION

APP_TITLE = "ESS · Lille Métropole"
# (script, title, icon, URL path): app.py's navigation and the sidebar links are built from this.
PAGES = (
    ("pages/synthese.py", "Synthèse", ":material/dashboard:", "synthese"),
    ("pages/projets.py", "Projets", ":material/folder_open:", "projets"),
    ("pages/plan.py", "Plan d'actions", ":material/account_tree:", "plan"),
    ("pages/comite.py", "Comité", ":material/groups:", "comite"),
    ("pages/carte.py", "Carte", ":material/map:", "carte"),
    ("pages/indicateurs.py", "Indicateurs", ":material/monitoring:", "indicateurs"),
    ("pages/equite.py", "Équité", ":material/balance:", "equite"),
    ("pages/presentation.py", "Présentation", ":material/slideshow:", "presentation"),
    ("pages/donnees.py", "Données", ":material/database:", "donnees"),
)
PLACE_PARAMS = ("territoire", "commune")
NONE_LABEL = "Toute la métropole"


@dataclass(frozen=True)
class PageContext:
    engine: Engine
    filters: Filters
    info: dict


@st.cache_resource(show_spinner="Préparation de la base de données…")
def _engine(url: str) -> Engine:
    return open_database(replace(get_settings(), database_url=url))


def engine() -> Engine:
    """The cached engine; on a database problem, a French error and the page stops."""
    try:
        return _engine(get_settings().database_url)
    except EssdashError as exc:
        st.error(f"**Impossible d'ouvrir les données.** {exc}")
        st.stop()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(module: str, name: str, url: str, *args, **kwargs):
    return getattr(importlib.import_module(module), name)(_engine(url), *args, **kwargs)


def read(func, *args, **kwargs):
    """Run a read function of essdash (engine first) through the data cache.

    The cache is keyed by the function, the database and the arguments; :func:`clear_reads`
    empties it after a write.
    """
    return _cached(func.__module__, func.__name__, get_settings().database_url, *args, **kwargs)


def clear_reads() -> None:
    _cached.clear()


@st.cache_data(show_spinner=False, max_entries=128)
def _computed(module: str, name: str, *args, **kwargs):
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def compute(func, *args, **kwargs):
    """Run a pure function of essdash (no engine) through the data cache, keyed by its arguments."""
    return _computed(func.__module__, func.__name__, *args, **kwargs)


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


def _navigation(container, territory: str | None, commune: str | None) -> None:
    """Links to every page, carrying the place filters.

    Streamlit's own menu is hidden: on a fresh server a deep link may run in the legacy
    ``pages/`` mode, whose menu lists file names; these links look and work the same in both modes.
    """
    params = {k: v for k, v in (("territoire", territory), ("commune", commune)) if v}
    with container:
        st.markdown(f"**{APP_TITLE}**")
        for script, label, icon, _ in PAGES:
            st.page_link(script, label=label, icon=icon, query_params=params, width="stretch")
        st.divider()


PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
[data-testid="stMainBlockContainer"] {max-width: 100%; padding: 1.5rem 3rem;}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {font-size: 1.55rem; line-height: 1.45;}
[data-testid="stMetricValue"] {font-size: 3.4rem;}
[data-testid="stMetricLabel"] p {font-size: 1.3rem;}
h1 {font-size: 3.2rem !important;} h2 {font-size: 2.4rem !important;}
</style>
"""


def page_frame(title: str, icon: str, *, presenting: bool = False) -> PageContext:
    """Page config, database check, navigation, sidebar filters and the fictional-data notice.

    ``presenting`` hides the sidebar, header and page title (full-width views, large type); the
    fictional-data notice then shrinks to one line.
    """
    st.set_page_config(
        page_title=f"{title} · {APP_TITLE}",
        page_icon=icon,
        layout="wide",
        initial_sidebar_state="collapsed" if presenting else "auto",
    )
    eng = engine()
    info = read(queries.dataset_info)
    if presenting:
        territory, commune = place_filters(widgets=False)
        st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
        if info.get("dataset") == "demo":
            st.caption("Données de démonstration fictives.")
        return PageContext(eng, Filters(territory=territory, commune=commune), info)
    nav = st.sidebar.container()
    territory, commune = place_filters()
    _navigation(nav, territory, commune)
    with st.sidebar:
        st.caption(f"Données au {fmt.day(pd.Timestamp(info.get('as_of')).date())}" if info.get("as_of") else "")
        st.caption(ATTRIBUTION)
    st.title(title)
    if info.get("dataset") == "demo":
        st.info(
            "**Données de démonstration fictives.** Porteurs, projets, montants et indicateurs sont "
            "inventés ; seuls la géographie (95 communes, 8 territoires) et le plan d'actions 2011-2014 "
            "sont réels.",
            icon=":material/science:",
        )
    return PageContext(eng, Filters(territory=territory, commune=commune), info)


def place_caption(filters: Filters) -> str:
    """Plain-French description of the place filters, for headings."""
    if filters.commune:
        communes = read(queries.commune_options)
        return communes.loc[communes["insee_code"] == filters.commune, "name"].iloc[0]
    if filters.territory:
        territories = read(queries.territory_options)
        return territories.loc[territories["code"] == filters.territory, "name"].iloc[0]
    return "Toute la métropole"


def project_filters(base: Filters, *, search: bool = True) -> Filters:
    """Widgets for step, fiche, sector and intervention mode (and free text); returns the filters."""
    sheets = read(queries.sheet_options)
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
    text = st.text_input("Rechercher", placeholder="Titre, description ou porteur…", key="f_search") if search else ""
    return base.with_(
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
