"""The Données page's « Données ouvertes » tab: a funder's subsidies of a year in the national SCDL
« Subventions » 2.1.1 format (what cannot be published listed in French), and the whole open data
package (Frictionless Data Package, ZIP)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.read import opendata_package, opendata_scdl
from essdash.ui.cache import read


def _package(engine: Engine) -> bytes:
    return opendata_package.zip_bytes(opendata_package.build(engine))


def open_data_tab(engine: Engine) -> None:
    """Choose a funder and a year; see the subsidies published and those held back; download the
    file, or the whole package."""
    st.subheader("Subventions au format national (SCDL « Subventions » 2.1.1)")
    funders, years = read(opendata_scdl.choices)
    if not funders:
        st.caption("Aucune subvention enregistrée.")
    else:
        c1, c2 = st.columns(2)
        default = next((i for i, name in enumerate(funders) if name == "Lille Métropole"), 0)
        funder = c1.selectbox("Financeur", funders, index=default, key="od_funder", placeholder=fmt.CHOOSE)
        year = c2.selectbox("Année", years, index=len(years) - 1, key="od_year", placeholder=fmt.CHOOSE)
        result = read(opendata_scdl.subsidies, funder=funder, year=year)
        st.caption(fmt.md_escape(result.summary()))
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
        st.download_button(
            "Télécharger le fichier des subventions (CSV)",
            data=opendata_scdl.csv_bytes(result),
            file_name=opendata_scdl.file_name(result),
            mime="text/csv",
            key="od_download",
            on_click="ignore",
            type="primary",
            icon=":material/download:",
            disabled=not result.rows,
        )
    st.subheader("Paquet de données ouvertes (Frictionless Data Package)")
    st.caption(
        "Territoires et communes, porteurs, projets, financements, fiches et leur historique, valeurs "
        "d'indicateurs avec leur provenance, constats d'équité de chaque semestre ; sans donnée personnelle. "
        "Licence Ouverte 2.0. Réimportable dans une base vide : python -m essdash opendata importer DOSSIER."
    )
    st.download_button(
        "Télécharger le paquet (ZIP)",
        data=partial(_package, engine),
        file_name="essdash-donnees-ouvertes.zip",
        mime="application/zip",
        key="od_package",
        on_click="ignore",
        icon=":material/download:",
    )
