"""Streamlit views of the committee (the Comité page): the next committee's agenda with the opinions
form, what changed between two committees, the proposal pipeline and the meetings (with the send of
a convocation, :mod:`essdash.ui.committee_mail`), and the column
labels of their tables; codes are shown as their French labels."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.domain.vocabulary import MeetingBody, OpinionValue, SheetStatus
from essdash.read import followup, proceedings
from essdash.read.filters import Filters
from essdash.render import charts
from essdash.ui import committee_forms, committee_mail
from essdash.ui.frame import chart, folded, place_caption, read
from essdash.ui.records import SHEET_COLUMNS, paged

if TYPE_CHECKING:
    from streamlit.elements.lib.column_config_utils import ColumnConfigMappingInput

FIELD_LABELS = {"status": "Statut", "progress": "Avancement déclaré"}
LATE_COLUMNS = {"code": st.column_config.TextColumn("Fiche", width="small"), **SHEET_COLUMNS}
SHEET_CHANGE_COLUMNS: ColumnConfigMappingInput = {
    "code": "Fiche",
    "title": "Intitulé",
    "changed_at": st.column_config.DatetimeColumn("Le", format="DD/MM/YYYY"),
    "field": "Champ",
    "old_value": "Avant",
    "new_value": "Après",
    "author": "Par",
    "comment": "Pourquoi",
}
DIFF_COLUMNS: ColumnConfigMappingInput = {
    "id": st.column_config.NumberColumn("N°", format="%d"),
    "title": "Intitulé",
    "proposed_on": st.column_config.DateColumn("Proposé le", format="DD/MM/YYYY"),
    "date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
    "from_status": "Avant",
    "to_status": "Après",
    "author": "Par",
    "value": "Avis",
    "comment": "Commentaire",
    "code": "Fiche",
    "changed_at": st.column_config.DatetimeColumn("Le", format="DD/MM/YYYY"),
    "field": "Champ",
    "old_value": "Avant",
    "new_value": "Après",
}
PIPELINE_COLUMNS: ColumnConfigMappingInput = {
    "territory": "Territoire",
    "step": "Étape",
    "projects": st.column_config.NumberColumn("Projets", format="%d"),
    "median_days": st.column_config.NumberColumn("Attente médiane (jours)", format="%d"),
    "max_days": st.column_config.NumberColumn("Attente maximale (jours)", format="%d"),
}
MEETING_COLUMNS: ColumnConfigMappingInput = {
    "date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
    "body_label": "Instance",
    "title": "Intitulé",
    "attendance": st.column_config.NumberColumn("Participants", format="%d"),
    "notes": "Relevé de décisions",
}


def _sheet_value(field: str, value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if field == "status":
        return SheetStatus.labels().get(value, value)
    return f"{value} %" if field == "progress" else str(value)


def in_french(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a committee table with its codes as French labels: a fiche change's field and its
    values before and after (« En cours » → « Réalisée », « 40 % »), an opinion's value."""
    table = table.copy()
    if {"field", "old_value", "new_value"} <= set(table.columns):
        for column in ("old_value", "new_value"):
            table[column] = [_sheet_value(f, v) for f, v in zip(table["field"], table[column])]
        table["field"] = table["field"].map(FIELD_LABELS).fillna(table["field"])
    if "value" in table.columns:
        table["value"] = table["value"].map(OpinionValue.labels()).fillna(table["value"])
    return table


def agenda(engine: Engine, filters: Filters) -> None:
    """The next committee's agenda: the proposals awaiting its opinion (with the opinions form), the
    fiches changed since the last committee and the late fiches."""
    items = read(proceedings.agenda, filters)
    last, following = items.last, items.following
    st.subheader(
        f"Ordre du jour — {fmt.md_escape(following.title)}" if following else "Ordre du jour du prochain comité"
    )
    if not following:
        st.info("Aucune séance du comité n'est programmée : enregistrez-la dans l'onglet « Séances ».")
    st.markdown(
        f"**1. Propositions validées par les techniciens, en attente d'avis** ({len(items.awaiting)}, "
        f"{place_caption(filters)})"
    )
    if len(items.awaiting) > committee_forms.OPINION_ROWS:
        st.caption(
            f"Les {committee_forms.OPINION_ROWS} plus anciennes sont présentées ; choisissez un territoire pour "
            "traiter les autres."
        )
    committee_forms.opinions(engine, items.awaiting.head(committee_forms.OPINION_ROWS))
    since = f" depuis le comité du {fmt.day(last.date)}" if last else ""
    st.markdown(f"**2. Fiches dont le statut ou l'avancement a changé{since}** ({len(items.sheets_changed)})")
    st.dataframe(
        in_french(items.sheets_changed),
        hide_index=True,
        width="stretch",
        column_config=SHEET_CHANGE_COLUMNS,
        placeholder=fmt.MISSING,
    )
    st.markdown(f"**3. Fiches en retard** ({len(items.late)})")
    st.dataframe(
        items.late,
        hide_index=True,
        width="stretch",
        column_config=LATE_COLUMNS,
        column_order=[c for c in LATE_COLUMNS if c in items.late.columns],
        placeholder=fmt.MISSING,
    )


def changes(filters: Filters) -> None:
    """What changed between two committee meetings chosen in the list of committees, for the
    selection's projects (its place; fiche changes: the fiches its projects serve)."""
    committees = read(proceedings.meetings, MeetingBody.COMMITTEE.value)
    dates = committees["date"].tolist()
    c1, c2 = st.columns(2)
    start = c1.selectbox(
        "Depuis le comité du",
        dates,
        index=min(1, len(dates) - 1) if dates else None,
        format_func=fmt.day,
        key="c_start",
        placeholder=fmt.CHOOSE,
    )
    end = c2.selectbox(
        "Jusqu'au comité du",
        dates,
        index=0 if dates else None,
        format_func=fmt.day,
        key="c_end",
        placeholder=fmt.CHOOSE,
    )
    if not (start and end and start < end):
        st.caption("Choisissez deux séances, la première avant la seconde.")
        return
    diff = read(proceedings.changes_between, start, end, filters.with_(as_of=None))
    place = place_caption(filters)
    sheets = f"fiches servies par les projets ({place})" if diff.sheets_scoped else "toute la métropole"
    st.caption(f"Projets : {place} · fiches : {sheets} · du {fmt.day(start)} au {fmt.day(end)}.")
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric("Nouveaux projets", fmt.number(len(diff.new_projects)))
    m2.metric("Étapes franchies", fmt.number(len(diff.steps)))
    m3.metric("Avis rendus", fmt.number(len(diff.opinions)))
    m4.metric("Financements des projets retenus", fmt.money_short(diff.money), help=fmt.money(diff.money))
    m5.metric("Changements de fiches", fmt.number(len(diff.sheets)))
    for key, title, table, noun in (
        ("projects", "Nouveaux projets", diff.new_projects, ("projet", "projets")),
        ("steps", "Étapes", diff.steps, ("étape", "étapes")),
        ("opinions", "Avis du comité", diff.opinions, ("avis", "avis")),
        ("sheets", "Fiches", diff.sheets, ("changement", "changements")),
    ):
        folded(f"{title} ({len(table)})", f"c_open_{key}", partial(_change_table, table, key, noun))


def _change_table(table: pd.DataFrame, key: str, noun: tuple[str, str]) -> None:
    shown = in_french(paged(table, f"c_page_{key}", "Page", noun))  # only the page shown is translated
    st.dataframe(shown, hide_index=True, width="stretch", column_config=DIFF_COLUMNS, placeholder=fmt.MISSING)


def pipeline(filters: Filters) -> None:
    """The proposals waiting at each step, per territory, and how long they have waited."""
    waiting = read(proceedings.pipeline, filters)
    st.caption(
        f"Propositions qui attendent, par étape et par territoire ({place_caption(filters)}), "
        f"et depuis combien de jours au {fmt.day(read(followup.as_of))}."
    )
    if waiting.empty:
        st.info("Aucune proposition en attente.")
        return
    chart(charts.pipeline, waiting)
    st.dataframe(
        paged(waiting, "c_page_pipeline", "Page", ("proposition", "propositions")),
        hide_index=True,
        width="stretch",
        column_config=PIPELINE_COLUMNS,
        column_order=PIPELINE_COLUMNS.keys(),
        placeholder=fmt.MISSING,
    )


def meetings(engine: Engine) -> None:
    """The meetings of one body or of all, and the form to record a meeting."""
    body = st.selectbox(
        "Instance",
        [None, *MeetingBody],
        key="c_body",
        format_func=lambda b: "Toutes les instances" if b is None else b.label,
        placeholder=fmt.CHOOSE,
    )
    st.dataframe(
        read(proceedings.meetings, body.value if body else None),
        hide_index=True,
        width="stretch",
        column_order=MEETING_COLUMNS.keys(),
        column_config=MEETING_COLUMNS,
        placeholder=fmt.MISSING,
    )
    folded("Enregistrer une séance", "c_new_meeting_open", lambda: committee_forms.new_meeting(engine))
    folded("Envoyer la convocation et le dossier de séance", "c_mail_open", lambda: committee_mail.send(engine))
