"""Comité: the next committee's agenda and opinions, what changed since the last one, the
proposal pipeline, and the meetings of every body."""

import streamlit as st

from essdash.domain import fmt
from essdash.domain.vocabulary import MeetingBody
from essdash.read import followup
from essdash.render import charts
from essdash.ui import forms as ui_forms
from essdash.ui import frame as ui
from essdash.ui import views as ui_views

ctx = ui.page_frame("Comité", ":material/groups:")
ui_forms.flash()
agenda = ui.read(followup.agenda, ctx.filters)
last, following = agenda["last"], agenda["next"]

tab_next, tab_since, tab_pipeline, tab_meetings = st.tabs(
    ["Prochain comité", "Depuis le dernier comité", "Pipeline des propositions", "Séances"]
)
with tab_next:
    st.subheader(f"Ordre du jour — {following['title']}" if following else "Ordre du jour du prochain comité")
    if not following:
        st.info("Aucune séance du comité n'est programmée : enregistrez-la dans l'onglet « Séances ».")
    awaiting = agenda["awaiting"]
    st.markdown(
        f"**1. Propositions validées par les techniciens, en attente d'avis** ({len(awaiting)}, "
        f"{ui.place_caption(ctx.filters)})"
    )
    if len(awaiting) > ui_forms.OPINION_ROWS:
        st.caption(
            f"Les {ui_forms.OPINION_ROWS} plus anciennes sont présentées ; choisissez un territoire pour "
            "traiter les autres."
        )
    ui_forms.opinions(ctx.engine, awaiting.head(ui_forms.OPINION_ROWS))
    since = f" depuis le comité du {fmt.day(last['date'])}" if last else ""
    st.markdown(f"**2. Fiches dont le statut ou l'avancement a changé{since}** ({len(agenda['sheets_changed'])})")
    st.dataframe(
        agenda["sheets_changed"], hide_index=True, width="stretch", column_config=ui_views.SHEET_CHANGE_COLUMNS
    )
    st.markdown(f"**3. Fiches en retard** ({len(agenda['late'])})")
    st.dataframe(agenda["late"], hide_index=True, width="stretch", column_config=ui_views.SHEET_COLUMNS)

with tab_since:
    committees = ui.read(followup.meetings, MeetingBody.COMITE.value)
    dates = committees["date"].tolist()
    c1, c2 = st.columns(2)
    start = c1.selectbox(
        "Depuis le comité du",
        dates,
        index=min(1, len(dates) - 1) if dates else None,
        format_func=fmt.day,
        key="c_start",
    )
    end = c2.selectbox("Jusqu'au comité du", dates, index=0 if dates else None, format_func=fmt.day, key="c_end")
    if start and end and start < end:
        diff = ui.read(followup.changes_between, start, end)
        m1, m2, m3, m4, m5 = st.columns(5)
        m1.metric("Nouveaux projets", fmt.number(len(diff["new_projects"])))
        m2.metric("Étapes franchies", fmt.number(len(diff["steps"])))
        m3.metric("Avis rendus", fmt.number(len(diff["opinions"])))
        m4.metric("Montant engagé", fmt.money_short(diff["money"]), help=fmt.money(diff["money"]))
        m5.metric("Changements de fiches", fmt.number(len(diff["sheets"])))
        for key, title in (
            ("new_projects", "Nouveaux projets"),
            ("steps", "Étapes"),
            ("opinions", "Avis du comité"),
            ("sheets", "Fiches"),
        ):
            with st.expander(f"{title} ({len(diff[key])})"):
                st.dataframe(diff[key], hide_index=True, width="stretch", column_config=ui_views.DIFF_COLUMNS)
    else:
        st.caption("Choisissez deux séances, la première avant la seconde.")

with tab_pipeline:
    pipeline = ui.read(followup.pipeline, ctx.filters)
    st.caption(
        f"Propositions qui attendent, par étape et par territoire ({ui.place_caption(ctx.filters)}), "
        f"et depuis combien de jours au {fmt.day(ui.read(followup.as_of))}."
    )
    if pipeline.empty:
        st.info("Aucune proposition en attente.")
    else:
        st.altair_chart(charts.pipeline(pipeline), width="stretch")
        st.dataframe(
            pipeline,
            hide_index=True,
            width="stretch",
            column_config=ui_views.PIPELINE_COLUMNS,
            column_order=ui_views.PIPELINE_COLUMNS.keys(),
        )

with tab_meetings:
    body = st.selectbox(
        "Instance",
        [None, *MeetingBody],
        key="c_body",
        format_func=lambda b: "Toutes les instances" if b is None else b.label,
    )
    st.dataframe(
        ui.read(followup.meetings, body.value if body else None),
        hide_index=True,
        width="stretch",
        column_order=ui_views.MEETING_COLUMNS.keys(),
        column_config=ui_views.MEETING_COLUMNS,
    )
    with st.expander("Enregistrer une séance"):
        ui_forms.new_meeting(ctx.engine)
