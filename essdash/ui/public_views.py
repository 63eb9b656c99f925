"""The pages anyone may open without an account (:data:`essdash.ui.navigation.PUBLIC_PAGES`): their
frame, and the public view — the Synthèse figures, the map, the equity findings and the packs of past
committees, for the metropolis or a territory, as things stood at the end of the latest published
semester (:func:`essdash.read.public.published_day`: only validated semesters are published), and the
open data files to download. Aggregated figures only: no comment, no name of a person, no form; the only
write of a public page is a beneficiary's answer (:mod:`essdash.ui.voices_views`).
"""

from __future__ import annotations

from functools import partial

import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.read import equity_report, places, public, queries
from essdash.read.equity_report import EQUITY_MEASURES
from essdash.read.filters import Filters
from essdash.read.opendata import package as opendata_package
from essdash.render import report, static_map
from essdash.store.reference import ATTRIBUTION
from essdash.ui import cache, equity_views, map_views, opendata_views, session, summary_views
from essdash.ui.cache import chart, compute, read
from essdash.ui.choices import labelled
from essdash.ui.frame import READABLE_CSS
from essdash.ui.lazy import tabs
from essdash.ui.navigation import APP_TITLE, FAVICON

METROPOLIS = "Toute la métropole"
LICENCE = "Licence Ouverte 2.0 (Etalab)"


def public_frame(title: str) -> None:
    """What a public page runs first: its configuration, Streamlit's words in French and, in shared mode,
    the check of the settings — never a login, and no sidebar links to the members' pages."""
    st.set_page_config(
        page_title=f"{title} · {APP_TITLE}", page_icon=FAVICON, layout="wide", initial_sidebar_state="collapsed"
    )
    session.admit_public()
    st.markdown(READABLE_CSS, unsafe_allow_html=True)


def public_view() -> None:
    """The public view: the place, then one tab per part (only the open one runs)."""
    st.title("L'économie sociale et solidaire dans la métropole lilloise")
    day = read(public.published_day)
    if read(queries.dataset_info).get("dataset") == "demo":
        st.info("**Données de démonstration fictives.**", icon=":material/science:")
    if day is None:
        st.info("Aucun semestre n'est encore publié par le comité métropolitain de l'ESS.")
        return
    latest = read(public.published_periods)[-1]
    territories = read(queries.territory_options)
    names = {"": METROPOLIS, **dict(zip(territories["code"], territories["name"]))}
    territory = st.selectbox("Lieu", list(names), format_func=labelled(names), key="pub_lieu", placeholder=fmt.CHOOSE)
    filters = Filters(territory=territory or None, as_of=day)
    st.caption(
        "Chiffres publiés par le comité métropolitain de l'ESS : seuls les semestres validés sont publiés ; "
        f"situation au {fmt.short_day(day)} ({fmt.period_label(latest)}). Chiffres agrégés seulement : "
        f"ni commentaire, ni nom de personne. {ATTRIBUTION}"
    )
    tabs(
        {
            "Synthèse": lambda: _summary(filters),
            "Carte": lambda: _map(filters),
            "Équité": lambda: _equity(filters),
            "Dossiers des comités": lambda: _packs(filters),
            "Données ouvertes": open_data,
        },
        key="pub_tab",
    )


def _summary(filters: Filters) -> None:
    summary_views.key_figures(filters)
    summary_views.breakdowns(filters)


def _map(filters: Filters) -> None:
    c1, c2 = st.columns([1, 2])
    level, measure = map_views.level_and_measure(c1, c2, ("territory", "commune"), prefix="pub")
    chart(static_map.static_choropleth, read(places.place_figures, filters, level), level, measure, width="content")
    st.caption(f"Toute la métropole, pour comparer. {ATTRIBUTION}")


def _equity(filters: Filters) -> None:
    measure = st.radio(
        "Mesure",
        list(EQUITY_MEASURES),
        key="pub_e_measure",
        horizontal=True,
        format_func=lambda k: EQUITY_MEASURES[k].label,
    )
    commune_figures = read(places.place_figures, filters, "commune")
    if filters.territory:
        commune_figures = commune_figures[commune_figures["territory_code"] == filters.territory]
    result = compute(equity_report.report, commune_figures, read(places.place_figures, filters, "territory"), measure)
    st.caption(fmt.md_escape(result.metro_sentence))
    equity_views.findings(result)


def pack_file(engine: Engine, period: str, territory: str | None) -> bytes:
    """The public pack of a published semester as a PDF (through :func:`essdash.ui.cache.read`: made once
    per data version)."""
    return report.render(public.public_pack(engine, period, territory), "pdf")


def _packs(filters: Filters) -> None:
    held = read(public.past_committees)
    held = held[held["period"].isin(read(public.published_periods))]
    if held.empty:
        st.info("Aucun dossier de comité publié.")
        return
    titles = {
        int(row.id): f"{fmt.short_day(row.date)} — {row.title} ({fmt.period_label(row.period)})"
        for row in held.itertuples()
    }
    chosen = st.selectbox(
        "Séance du comité", list(titles), format_func=labelled(titles), key="pub_pack", placeholder=fmt.CHOOSE
    )
    st.caption(
        "Le dossier public d'une séance : chiffres clés, carte, indicateurs, équité, effet levier et avis des "
        "bénéficiaires du semestre, sans les propositions ni les avis motivés."
    )
    if chosen is None:
        return
    period = str(held.loc[held["id"] == chosen, "period"].iloc[0])
    if st.button("Préparer le dossier (PDF)", key="pub_pack_make", icon=":material/picture_as_pdf:"):
        st.download_button(
            "Télécharger le dossier (PDF)",
            read(pack_file, period, filters.territory),
            file_name=report.filename_of(period, filters.territory, "pdf"),
            mime=report.FORMATS["pdf"],
            key="pub_pack_pdf",
            on_click="ignore",
        )


def _public_package(engine: Engine) -> bytes:
    return opendata_package.zip_bytes(public.public_package(engine))


def open_data() -> None:
    """The open data files anyone may download, each said what it is, under which licence, and
    fictional on the demo: a funder's subsidies of a year in the SCDL format, and the data package of
    the published semesters (no personal data)."""
    demo = read(queries.dataset_info).get("dataset") == "demo"
    fictional = " **Données fictives** : tirées de la base de démonstration, tout y est inventé." if demo else ""
    st.caption(f"Fichiers sous {LICENCE}, réutilisables librement en citant la source.{fictional}")
    st.subheader("Subventions au format national (SCDL « Subventions » 2.1.1)")
    st.caption(
        "Une ligne par subvention accordée par le financeur choisi cette année-là (attribuant, bénéficiaire, "
        "objet, montant, convention), au format national des données essentielles des subventions (CSV)."
    )
    result = opendata_views.subsidies_choice("pub_od")
    if result is not None:
        opendata_views.subsidies_button(result, "pub_od_subsidies")
    st.subheader("Paquet de données ouvertes (Frictionless Data Package)")
    st.caption(
        "Un fichier ZIP : datapackage.json (description, licence, sources) et un tableau CSV décrit par "
        "son schéma pour chacun des éléments suivants : territoires et communes avec leur population, "
        "porteurs de projets (structures), projets, financements, fiches du plan et leur historique, valeurs "
        "d'indicateurs avec leur provenance et constats d'équité des semestres publiés. Sans donnée "
        "personnelle : ni nom de personne, ni adresse électronique, ni commentaire."
    )
    opendata_views.package_button(partial(_public_package, cache.engine()), "pub_od_package")
