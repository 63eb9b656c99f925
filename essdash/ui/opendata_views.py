"""The open data downloads: the Données page's « Données ouvertes » tab — a funder's subsidies of a
year in the national SCDL « Subventions » 2.1.1 format (what cannot be published listed in French),
and the whole open data package (Frictionless Data Package, ZIP) — and the pieces the public view
shares with it (:func:`subsidies_choice`, :func:`subsidies_button`, :func:`package_button`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.read.opendata import package as opendata_package
from essdash.read.opendata import scdl as opendata_scdl
from essdash.read.opendata.scdl import Subsidies
from essdash.ui.cache import read

PACKAGE_FILE = "essdash-donnees-ouvertes.zip"


def _package(engine: Engine) -> bytes:
    return opendata_package.zip_bytes(opendata_package.build(engine))


def subsidies_choice(prefix: str) -> Subsidies | None:
    """Choose a funder and a year (keys ``{prefix}_funder`` and ``{prefix}_year``; Lille Métropole and
    the latest year first) and get their subsidies, their summary shown; ``None`` when the base holds
    no subsidy."""
    funders, years = read(opendata_scdl.choices)
    if not funders:
        st.caption("Aucune subvention enregistrée.")
        return None
    c1, c2 = st.columns(2)
    default = next((i for i, name in enumerate(funders) if name == "Lille Métropole"), 0)
    funder = c1.selectbox("Financeur", funders, index=default, key=f"{prefix}_funder", placeholder=fmt.CHOOSE)
    year = c2.selectbox("Année", years, index=len(years) - 1, key=f"{prefix}_year", placeholder=fmt.CHOOSE)
    result = read(opendata_scdl.subsidies, funder=funder, year=year)
    st.caption(fmt.md_escape(result.summary()))
    return result


def subsidies_button(result: Subsidies, key: str) -> None:
    """The download of the subsidies' SCDL file (CSV), disabled when it would be empty."""
    st.download_button(
        "Télécharger le fichier des subventions (CSV)",
        data=opendata_scdl.csv_bytes(result),
        file_name=opendata_scdl.file_name(result),
        mime="text/csv",
        key=key,
        on_click="ignore",
        type="primary",
        icon=":material/download:",
        disabled=not result.rows,
    )


def package_button(data: Callable[[], bytes], key: str) -> None:
    """The download of an open data package as a ZIP, made only when asked for (``data``)."""
    st.download_button(
        "Télécharger le paquet (ZIP)",
        data=data,
        file_name=PACKAGE_FILE,
        mime="application/zip",
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def open_data_tab(engine: Engine) -> None:
    """Choose a funder and a year; see the subsidies published and those held back; download the
    file, or the whole package."""
    st.subheader("Subventions au format national (SCDL « Subventions » 2.1.1)")
    result = subsidies_choice("od")
    if result is not None:
        if result.refused:
            st.warning(
                "Non publiées, faute d'un champ obligatoire (à compléter dans l'onglet « Données ouvertes » "
                "du projet, ou par import) :\n\n" + "\n".join(f"- {fmt.md_escape(line)}" for line in result.refused)
            )
        st.dataframe(
            pd.DataFrame(list(result.rows), columns=list(opendata_scdl.COLUMNS)),
            hide_index=True,
            width="stretch",
            key="od_table",
            placeholder=fmt.MISSING,
        )
        subsidies_button(result, "od_download")
    st.subheader("Paquet de données ouvertes (Frictionless Data Package)")
    st.caption(
        "Territoires et communes, porteurs, projets, financements, fiches et leur historique, valeurs "
        "d'indicateurs avec leur provenance, constats d'équité de chaque semestre ; sans donnée personnelle. "
        "Licence Ouverte 2.0. Réimportable dans une base vide : python -m essdash opendata importer DOSSIER."
    )
    package_button(partial(_package, engine), "od_package")
