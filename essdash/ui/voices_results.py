"""What the beneficiaries' answers say, on a project's record and on the Indicateurs page: the count and
the sentence, the questions' table and the free answers — never below
:data:`essdash.domain.voices.MIN_RESPONSES` answers, which the views say."""

from __future__ import annotations

import streamlit as st

from essdash.domain import fmt
from essdash.domain import voices as dv
from essdash.read import voices as read_voices
from essdash.read.filters import Filters
from essdash.ui.cache import read
from essdash.ui.filters import place_caption

THRESHOLD = (
    f"Les résultats ne sont montrés qu'à partir de {dv.MIN_RESPONSES} réponses (par question aussi), "
    "pour protéger l'anonymat des personnes qui répondent."
)


def summary_view(found: read_voices.Summary) -> None:
    """A summary's sentence, and its questions' table when shown."""
    st.markdown(fmt.md_escape(found.sentence))
    if found.items:
        st.dataframe(read_voices.table(found), hide_index=True, width="stretch", placeholder=fmt.MISSING)


def project_voices(project_id: int) -> None:
    """On a project's record: what its beneficiaries answered, and their free answers (when shown)."""
    found = read(read_voices.summary, project_id=project_id)
    st.markdown("**Avis des bénéficiaires**")
    st.caption(THRESHOLD)
    summary_view(found)
    texts = read(read_voices.free_texts, project_id)
    if texts:
        with st.expander(f"Réponses libres ({fmt.number(len(texts))})"):
            for text in texts:
                st.markdown(f"- {fmt.md_escape(text)}")


def by_semester(filters: Filters) -> None:
    """The Indicateurs page's tab: the answers of the place's projects per semester, with their sentence."""
    st.caption(f"{place_caption(filters)} · questionnaires des bénéficiaires · {THRESHOLD}")
    rows = read(read_voices.by_period, territory=filters.territory, commune=filters.commune)
    if rows.empty:
        st.info("Aucune réponse des bénéficiaires pour cette sélection.")
        return
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            "period": "Semestre",
            "responses": st.column_config.NumberColumn("Réponses", format="%d"),
            "sentence": "Ce qu'elles disent",
        },
        placeholder=fmt.MISSING,
    )
    latest = read(read_voices.periods_of)[-1]
    st.markdown(f"**{fmt.period_label(latest)}, par question**")
    summary_view(read(read_voices.summary, territory=filters.territory, commune=filters.commune, period=latest))
