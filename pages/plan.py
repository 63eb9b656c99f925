"""Plan d'actions: the chosen plan (the 2011–2014 one by default) as a tree of fiches, their progress and history."""

import streamlit as st

from essdash.domain import fmt
from essdash.domain.vocabulary import SheetStatus
from essdash.read import followup, sheet_filters
from essdash.ui import forms as ui_forms
from essdash.ui import frame as ui
from essdash.ui import plan_forms as ui_plan_forms
from essdash.ui import records as ui_records

ctx = ui.page_frame("Plan d'actions", ":material/account_tree:")
ui_forms.flash()
tree = ui.read(followup.sheet_tree, ctx.filters)

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
    "Statut", list(SheetStatus), format_func=lambda s: s.label, key="p_status", placeholder="Tous"
)
late_only = c3.toggle("En retard seulement", key="p_late")
view = sheet_filters.narrow(
    tree,
    axis=axis,
    statuses=[s.value for s in statuses],
    late_only=late_only,
    with_projects=ctx.filters.is_place_filtered,
)
st.caption(
    f"{fmt.plural(len(view), 'fiche')} · {fmt.plural(int(view['late'].sum()), 'fiche')} en retard au "
    f"{fmt.day(ctx.filters.as_of or ui.read(followup.as_of))} · projets, montants et emplois : "
    f"{ui.place_caption(ctx.filters)}. " + followup.PROGRESS_RULE
)
view = sheet_filters.indented(view)
selection = st.dataframe(
    view,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="p_tree",
    column_order=ui_records.SHEET_COLUMNS.keys(),
    column_config=ui_records.SHEET_COLUMNS,
)
code = ui.chosen(selection, view, "code", "fiche")

if code:
    detail = ui.read(followup.sheet_detail, code, ctx.filters)
    if detail is None:
        st.error(f"Fiche « {fmt.md_escape(code)} » introuvable.")
    else:
        ui_records.sheet_record(detail, tree[tree["code"] == code].iloc[0])
        ui.tabs(
            {
                "Changer le statut ou l'avancement": lambda: ui_plan_forms.sheet_change(ctx.engine, detail),
                "Commenter": lambda: ui_forms.comments(ctx.engine, "fiche", detail["id"], detail["timeline"].iloc[0:0]),
            },
            key="sheet_tab",
        )
else:
    st.caption("Sélectionnez une fiche pour voir son texte, ses actions, ses projets et son historique.")

ui.folded(
    "Reprise des projets d'un plan antérieur (correspondance des fiches)",
    "co_open",
    lambda: ui_plan_forms.carry_over(ctx.engine, ui.read(followup.plan_code, ctx.filters)),
)
