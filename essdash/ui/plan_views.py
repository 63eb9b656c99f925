"""Streamlit views of the Plan d'actions page: the tree of fiches with its filters (axis, status,
late), the chosen fiche's record with its forms, and the carry-over of an earlier plan's projects."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.domain.vocabulary import SheetStatus
from essdash.read import followup, sheet_filters
from essdash.read.filters import Filters
from essdash.ui import forms, plan_forms, records
from essdash.ui.choices import options_of
from essdash.ui.frame import chosen, place_caption, read, tabs


def sheet_tree(engine: Engine, filters: Filters) -> None:
    """The fiches of the plan shown, narrowed by axis, status and lateness (and, with a place chosen,
    to the fiches its projects serve), as a table; the chosen fiche's record and forms beneath."""
    tree = read(followup.sheet_tree, filters)
    c1, c2, c3 = st.columns([1, 2, 1])
    axes = dict(zip(tree["axis"], tree["axis_title"]))
    axis = c1.selectbox(
        "Axe",
        [None, *axes],
        key="p_axis",
        format_func=lambda a: "Tous les axes" if a is None else f"Axe {a}",
        placeholder=fmt.CHOOSE,
    )
    statuses = c2.multiselect(
        "Statut", options_of(SheetStatus), format_func=lambda s: s.label, key="p_status", placeholder="Tous"
    )
    late_only = c3.toggle("En retard seulement", key="p_late")
    view = sheet_filters.narrow(
        tree,
        axis=axis,
        statuses=[s.value for s in statuses],
        late_only=late_only,
        with_projects=filters.is_place_filtered,
    )
    st.caption(
        f"{fmt.plural(len(view), 'fiche')} · {fmt.plural(int(view['late'].sum()), 'fiche')} en retard au "
        f"{fmt.day(filters.as_of)} · projets, montants et emplois : "
        f"{place_caption(filters)}. " + followup.PROGRESS_RULE
    )
    view = sheet_filters.indented(view)
    selection = st.dataframe(
        view,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="p_tree",
        column_order=records.SHEET_COLUMNS.keys(),
        column_config=records.SHEET_COLUMNS,
        placeholder=fmt.MISSING,
    )
    code = chosen(selection, view, "code", "fiche")
    if code:
        _sheet(engine, filters, code, tree[tree["code"] == code].iloc[0])
    else:
        st.caption("Sélectionnez une fiche pour voir son texte, ses actions, ses projets et son historique.")


def _sheet(engine: Engine, filters: Filters, code: str, row: pd.Series) -> None:
    """One fiche's record, then its status and comment forms (a tab each)."""
    detail = read(followup.sheet_detail, code, filters)
    if detail is None:
        st.error(f"Fiche « {fmt.md_escape(code)} » introuvable.")
        return
    records.sheet_record(detail, row)
    tabs(
        {
            "Changer le statut ou l'avancement": lambda: plan_forms.sheet_change(engine, detail),
            "Commenter": lambda: forms.comments(engine, "fiche", detail["id"], detail["timeline"].iloc[0:0]),
        },
        key="sheet_tab",
    )


def carry_over(engine: Engine, filters: Filters) -> None:
    """The carry-over form of an earlier plan's projects into the plan shown."""
    plan_forms.carry_over(engine, filters.plan)
