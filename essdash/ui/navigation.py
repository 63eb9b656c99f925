"""The application's pages, listed once: read by ``app.py``'s navigation, the sidebar links and the bench.

:data:`PAGES` are the members' pages (in shared mode, behind the login); :data:`PUBLIC_PAGES` are the
pages anyone may open without an account: the public view and the beneficiaries' answer page. An
anonymous visitor of the shared dashboard gets :func:`public_navigation`: those pages only, and the
login page at every other page's URL (no member's page is even registered for that visit).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from essdash.ui import session

APP_TITLE = "ESS · Lille Métropole"
# The browser tab's icon, served from static/ (Streamlit fetches a ``:material/…:`` favicon from Google's CDN).
FAVICON = "/app/static/favicon.png"
HOME = "accueil"  # the URL path of the members' root page, which switches to Synthèse


@dataclass(frozen=True)
class Page:
    """One page: its script under ``pages/``, its title and icon, and its URL path (``/projets``)."""

    script: str
    title: str
    icon: str
    url_path: str
    admin_only: bool = False


PAGES = (
    Page("pages/synthese.py", "Synthèse", ":material/dashboard:", "synthese"),
    Page("pages/projets.py", "Projets", ":material/folder_open:", "projets"),
    Page("pages/plan.py", "Plan d'actions", ":material/account_tree:", "plan"),
    Page("pages/comite.py", "Comité", ":material/groups:", "comite"),
    Page("pages/carte.py", "Carte", ":material/map:", "carte"),
    Page("pages/indicateurs.py", "Indicateurs", ":material/monitoring:", "indicateurs"),
    Page("pages/evaluation.py", "Évaluation", ":material/fact_check:", "evaluation"),
    Page("pages/equite.py", "Équité", ":material/balance:", "equite"),
    Page("pages/financements.py", "Financements", ":material/euro:", "financements"),
    Page("pages/presentation.py", "Présentation", ":material/slideshow:", "presentation"),
    Page("pages/donnees.py", "Données", ":material/database:", "donnees"),
    Page("pages/questionnaires.py", "Questionnaires", ":material/rate_review:", "questionnaires"),
    Page("pages/acces.py", "Accès", ":material/admin_panel_settings:", "acces", admin_only=True),
)
# Pages reachable without an account (and by members): read-only, but the one answer a link allows.
PUBLIC_PAGES = (
    Page("pages/public.py", "Vue publique", ":material/public:", "public"),
    Page("pages/reponse.py", "Questionnaire", ":material/edit_note:", "reponse"),
)


def visible_pages() -> tuple[Page, ...]:
    """The pages of this session: « Accès » only for whom manages accounts."""
    admin = session.is_admin()
    return tuple(page for page in PAGES if admin or not page.admin_only)


def _home() -> None:
    """The root URL: Synthèse, at its own path (``/synthese``), with the URL's filters."""
    st.switch_page(PAGES[0].script, query_params=st.query_params.to_dict())


def navigation() -> StreamlitPage:
    """Streamlit's navigation over :data:`PAGES` (menu hidden); the page to run.

    Every page has its own URL path, Synthèse included: the root URL is a hidden page that
    switches to Synthèse. (Streamlit serves its default page at ``/`` only, so a default Synthèse
    would answer ``/synthese`` with an English « Page not found » dialog.)
    """
    pages = [st.Page(_home, title=APP_TITLE, url_path=HOME, default=True, visibility="hidden")]
    pages += [
        st.Page(page.script, title=page.title, icon=page.icon, url_path=page.url_path)
        for page in (*visible_pages(), *PUBLIC_PAGES)
    ]
    return st.navigation(pages, position="hidden")


def public_navigation() -> StreamlitPage:
    """An anonymous visitor's navigation (shared mode): :data:`PUBLIC_PAGES`, and the login page at the
    root and at the URL of every member's page (so that a bookmark leads to the login, and no member's
    page is registered, hence none can run, for this visit)."""
    pages = [st.Page(session.login_page, title=APP_TITLE, url_path="connexion", default=True, visibility="hidden")]
    pages += [
        st.Page(session.login_page, title=title, url_path=path, visibility="hidden")
        for title, path in ((APP_TITLE, HOME), *((page.title, page.url_path) for page in PAGES))
    ]
    pages += [st.Page(page.script, title=page.title, icon=page.icon, url_path=page.url_path) for page in PUBLIC_PAGES]
    return st.navigation(pages, position="hidden")


def sidebar_links(container, params: dict[str, str]) -> None:
    """Links to every page, carrying ``params`` (the place filters and the reference date of the URL).

    Streamlit's own menu is hidden: on a fresh server a deep link may run in the legacy
    ``pages/`` mode, whose menu lists file names; these links look and work the same in both modes.
    """
    with container:
        st.markdown(f"**{APP_TITLE}**")
        for page in visible_pages():
            st.page_link(page.script, label=page.title, icon=page.icon, query_params=params, width="stretch")
        st.divider()
