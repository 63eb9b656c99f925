"""Streamlit forms of the committee (the Comité page): its opinions on every awaiting proposal,
recorded in one go from one editable table, and the record of a meeting of one of the bodies. Each
form calls one function of :mod:`essdash.write.committee` and shows its French refusals beside the
form, through the shared machinery of :mod:`essdash.ui.forms` (signature, run, record versions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from essdash.domain import fmt
from essdash.domain.vocabulary import Deed, MeetingBody, OpinionValue, ProjectStatus
from essdash.read import followup
from essdash.ui import session
from essdash.ui.cache import read
from essdash.ui.choices import options_of
from essdash.ui.forms import forget_version, meeting_choice, once_token, remember_version, run, signature
from essdash.write import committee

if TYPE_CHECKING:
    from streamlit.elements.lib.column_config_utils import ColumnConfigMappingInput

OPINION_ROWS = 40  # proposals shown at once in the opinions form
NO_OPINION = "— pas d'avis —"
OPINION_SHOWN = ["id", "title", "carrier", "commune", "validated_on"]  # read-only, beside the two to fill
OPINION_COLUMNS: ColumnConfigMappingInput = {  # in this order: the two columns to fill come right after the proposition
    "id": st.column_config.NumberColumn("N°", format="%d", width="small"),
    "title": st.column_config.TextColumn("Proposition", width="medium"),
    "opinion": st.column_config.SelectboxColumn(
        "Avis", options=[NO_OPINION, *OpinionValue.labels().values()], required=True
    ),
    "comment": st.column_config.TextColumn("Commentaire (réserves, motif…)", width="medium"),
    "carrier": "Porteur",
    "commune": "Commune",
    "validated_on": st.column_config.DateColumn("Validée le", format="DD/MM/YYYY"),
}


def opinions(engine, awaiting: pd.DataFrame) -> None:
    """The committee's opinions on every awaiting proposal, recorded in one go: one editable table
    (its « Avis » and « Commentaire » columns), whatever the number of proposals. Whoever may not
    give opinions (a technician) sees the same proposals as a read-only list."""
    if awaiting.empty:
        st.caption("Aucune proposition en attente d'avis.")
        return
    if not session.may(Deed.OPINION):
        st.dataframe(
            awaiting[OPINION_SHOWN],
            hide_index=True,
            width="stretch",
            column_config={key: OPINION_COLUMNS[key] for key in OPINION_SHOWN},
            column_order=OPINION_SHOWN,
            placeholder=fmt.MISSING,
        )
        session.read_only("enregistrer les avis du comité")
        return
    table = awaiting[OPINION_SHOWN].assign(opinion=NO_OPINION, comment="")
    with st.form("opinions"):
        meeting = meeting_choice("Séance du comité", MeetingBody.COMMITTEE, "opinion_meeting")
        st.caption(
            "Choisissez l'avis de chaque proposition dans la colonne « Avis » (double-clic ou Entrée sur la "
            "cellule) et, au besoin, un commentaire ; les propositions sans avis restent en attente."
        )
        edited = st.data_editor(
            table,
            key="opinions_grid",
            hide_index=True,
            width="stretch",
            num_rows="fixed",
            disabled=OPINION_SHOWN,
            column_config=OPINION_COLUMNS,
            column_order=OPINION_COLUMNS.keys(),
            placeholder=fmt.MISSING,
        )
        actor = signature("sig-opinions")
        submitted = st.form_submit_button("Enregistrer les avis", type="primary")
    values = {label: value for value, label in OpinionValue.labels().items()}
    loaded = {
        row.id: remember_version(
            "project",
            row.id,
            {"id": row.id, "version": row.version, "status": ProjectStatus.VALIDATED.value},
            submitted,
        )
        for row in awaiting.itertuples()
    }
    items = [
        {"project": loaded[pid], "opinion": values.get(opinion), "comment": comment or ""}
        for pid, opinion, comment in zip(edited["id"], edited["opinion"], edited["comment"])
    ]
    token = once_token("opinions")
    if submitted and run(
        lambda: committee.record_opinions(engine, actor, meeting, items, once=token),
        f"{fmt.plural(sum(1 for i in items if i['opinion']), 'avis enregistré', 'avis enregistrés')}.",
        actor,
        once="opinions",
    ):
        for pid in loaded:
            forget_version("project", pid)
        st.rerun()


def new_meeting(engine) -> None:
    """The form that records a meeting of one of the bodies."""
    if not session.may(Deed.MEETING):
        session.read_only("enregistrer une séance")
        return
    token = once_token("new-meeting")
    with st.form("new-meeting", clear_on_submit=True):
        c1, c2 = st.columns(2)
        body = c1.selectbox(
            "Instance",
            options_of(MeetingBody),
            format_func=lambda b: b.label,
            key="meeting_body",
            placeholder=fmt.CHOOSE,
        )
        day = c2.date_input("Date", value=read(followup.as_of), format="DD/MM/YYYY", key="meeting_day")
        title = st.text_input("Intitulé", key="meeting_title")
        attendance = c1.number_input("Participants", min_value=0, step=1, key="meeting_attendance")
        notes = st.text_area("Relevé de décisions", key="meeting_notes")
        actor = signature("sig-meeting")
        submitted = st.form_submit_button("Enregistrer la séance")
    if submitted and run(
        lambda: committee.create_meeting(
            engine, actor, body=body.value, day=day, title=title, attendance=int(attendance), notes=notes, once=token
        ),
        "Séance enregistrée.",
        actor,
        once="new-meeting",
    ):
        st.rerun()
