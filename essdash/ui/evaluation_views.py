"""Streamlit views of the evaluation: a semester's indicator values per territory (state, steps to
take: submit, validate, send back, lock, reopen), its completeness (territory × indicator) and the
reminders to send, and the register of « dysfonctionnements » and reorientations (entered directly or
drawn from a comment). Each write calls one function of :mod:`essdash.write`."""

from __future__ import annotations

from datetime import date
from functools import partial

import streamlit as st

from essdash.domain import approval as rules
from essdash.domain import fmt
from essdash.domain.vocabulary import Deed, IncidentKind
from essdash.read import approval, exports, followup, incidents, indicators, proceedings
from essdash.read.filters import Filters
from essdash.ui import forms, session
from essdash.ui.choices import labelled, options_of
from essdash.ui.frame import folded, read
from essdash.write.approval import take_step
from essdash.write.incidents import add_incident

TAB_KEY, REGISTER_TAB, FROM_COMMENT = forms.EVALUATION_TAB, forms.REGISTER_TAB, forms.FROM_COMMENT
FORMATS = {"csv": "CSV pour Excel", "xlsx": "Classeur Excel (.xlsx)"}
PLACE_COLUMNS = {"name": "Lieu", "state_label": "État", "since": "Depuis le", "by": "Par"}


def semester() -> str:
    """The semester chosen (the latest by default)."""
    semesters = read(indicators.reference_periods)[::-1]
    return st.selectbox("Semestre", semesters, format_func=fmt.period_label, key="ev_period", placeholder=fmt.CHOOSE)


def states(engine) -> None:
    """The semester's state per place, how complete it is, the step form and the dated steps."""
    period = semester()
    for sentence in read(approval.completion, period).sentences():
        st.markdown(fmt.md_escape(sentence))
    where = read(approval.places, period)
    st.dataframe(
        where[list(PLACE_COLUMNS)].rename(columns=PLACE_COLUMNS),
        hide_index=True,
        width="stretch",
        column_config={"Depuis le": st.column_config.DateColumn("Depuis le", format="DD/MM/YYYY")},
        placeholder=fmt.MISSING,
    )
    _step_form(engine, period, where)
    folded(
        "Historique des étapes de ce semestre",
        "ev_steps_open",
        lambda: st.dataframe(
            read(approval.steps, period),
            hide_index=True,
            width="stretch",
            column_config={"Le": st.column_config.DatetimeColumn("Le", format="DD/MM/YYYY HH:mm")},
            placeholder=fmt.MISSING,
        ),
    )


def _step_form(engine, period: str, where) -> None:
    offered = {code: step for code, step in rules.STEPS.items() if session.may(step.deed)}
    if not offered:
        session.read_only("faire avancer les valeurs d'un semestre")
        return
    names = dict(zip(where["place"], where["name"]))
    mine = session.scope(Deed.SUBMIT)
    with st.form("ev_step"):
        code = st.selectbox(
            "Étape",
            list(offered),
            format_func=lambda c: offered[c].label,
            key="ev_step_code",
            placeholder=fmt.CHOOSE,
        )
        chosen = st.multiselect(
            "Lieux",
            [p for p in names if mine is None or p == mine.territory],
            format_func=labelled(names),
            key="ev_step_places",
            placeholder=fmt.CHOOSE,
        )
        reason = st.text_area("Motif (obligatoire pour un renvoi en saisie ou une réouverture)", key="ev_reason")
        actor = forms.signature("ev_author")
        submitted = st.form_submit_button("Appliquer l'étape", type="primary")
    places = [None if p == indicators.METRO else p for p in chosen]
    if submitted and forms.run(
        lambda: take_step(engine, actor, period, code, places, reason),
        lambda n: f"{offered[code].label} : {fmt.plural(n, 'lieu', 'lieux')}, {fmt.period_label(period)}.",
        actor,
    ):
        st.rerun()


def completeness(engine) -> None:
    """Territory × indicator for the semester, and the reminders to send, exportable."""
    period = semester()
    st.caption("Pour chaque indicateur saisi : manquant, saisi, soumis, validé ou verrouillé.")
    st.dataframe(read(approval.grid, period), hide_index=True, width="stretch", placeholder=fmt.MISSING)
    st.subheader("Relances à faire")
    on = read(followup.as_of)
    reminders = read(approval.reminders, period, on)
    if reminders.empty:
        st.success("Tous les lieux ont soumis leurs valeurs pour ce semestre.")
        return
    st.caption(f"Lieux qui n'ont pas soumis leurs valeurs, au {fmt.short_day(on)}.")
    st.dataframe(
        reminders,
        hide_index=True,
        width="stretch",
        column_config={"En saisie depuis": st.column_config.DateColumn("En saisie depuis", format="DD/MM/YYYY")},
        placeholder=fmt.MISSING,
    )
    _download(reminders, "Relances", f"relances-{period}", "Télécharger les relances", "ev_format", "ev_reminders")


def _download(table, title: str, stem: str, label: str, format_key: str, key: str) -> None:
    """A choice of format and the button that writes ``table`` as that file when clicked (not at each run)."""
    chosen = st.radio("Format", list(FORMATS), format_func=FORMATS.get, horizontal=True, key=format_key)
    today = date.today()
    st.download_button(
        label,
        data=partial(_file_bytes, table, title, stem, chosen, today),
        file_name=exports.table_file_name(stem, chosen, today),
        mime=exports.MIME[chosen],
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def _file_bytes(table, title: str, stem: str, file_format: str, today: date) -> bytes:
    return exports.table_file(table, title, stem, file_format, today).data


def register(engine, filters: Filters) -> None:
    """The register of « dysfonctionnements » and reorientations, exportable, and its entry form."""
    table = read(incidents.register)
    st.caption(fmt.plural(len(table), "entrée") + " · toute la durée du plan · la plus ancienne d'abord")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"Date": st.column_config.DateColumn("Date", format="DD/MM/YYYY")},
        placeholder=fmt.MISSING,
    )
    _download(
        table, "Dysfonctionnements", "dysfonctionnements", "Télécharger le registre", "ev_reg_format", "ev_register"
    )
    if not session.may(Deed.INCIDENT):
        session.read_only("consigner un dysfonctionnement")
        return
    _incident_form(engine, filters)
    folded("Consigner à partir d'un commentaire", "ev_comments_open", _comments)


def _comments() -> None:
    """The latest comments, each with a button that draws an entry of the register from it."""
    found = read(incidents.recent_comments)
    if found.empty:
        st.caption("Aucun commentaire sur les fiches ou les projets.")
    for row in found.itertuples():
        text, button = st.columns([5, 1])
        text.markdown(
            f"{fmt.day(row.created_at)} — **{fmt.md_escape(row.about)}** — {fmt.md_escape(row.author)} : "
            + fmt.md_escape(row.text)
        )
        if button.button("Consigner", key=f"ev_from_{row.id}", icon=":material/report:"):
            st.session_state[FROM_COMMENT] = int(row.id)
            st.rerun()


def _incident_form(engine, filters: Filters) -> None:
    source = st.session_state.get(FROM_COMMENT)
    found = read(incidents.comment, source) if source else None
    if found:
        st.info(
            f"Entrée tirée du commentaire n° {found['id']} ({fmt.md_escape(found['author'])}) : "
            + fmt.md_escape(found["text"]),
            icon=":material/comment:",
        )
    sheets = read(followup.sheet_tree, filters)
    sheet_names = dict(zip(sheets["id"], sheets["code"] + " — " + sheets["title"]))
    meetings = read(proceedings.meetings)
    held = dict(zip(meetings["id"], meetings["title"] + " (" + meetings["date"].map(fmt.short_day) + ")"))
    form = "ev_incident"
    token = forms.once_token(form)
    with st.form(form, clear_on_submit=True):
        day = st.date_input("Date", value=read(followup.as_of), format="DD/MM/YYYY", key="ev_day")
        kind = st.selectbox(
            "Nature", options_of(IncidentKind), format_func=lambda k: k.label, key="ev_kind", placeholder=fmt.CHOOSE
        )
        sheet = st.selectbox(
            "Fiche",
            list(sheet_names),
            format_func=labelled(sheet_names),
            index=None,
            key="ev_sheet",
            placeholder="Aucune (le projet ou le commentaire la donne)",
        )
        project = st.number_input("Projet n° (facultatif)", min_value=0, step=1, value=0, key="ev_project")
        meeting = st.selectbox(
            "Décidé en séance",
            list(held),
            format_func=labelled(held),
            index=None,
            key="ev_meeting",
            placeholder="Aucune séance",
        )
        what = st.text_area("Constat", value=found["text"] if found else "", key="ev_what")
        change = st.text_area("Ce qui a changé", key="ev_change")
        actor = forms.signature("ev_inc_author")
        submitted = st.form_submit_button("Consigner", type="primary")
    if submitted and forms.run(
        lambda: add_incident(
            engine,
            actor,
            day=day,
            kind=kind.value,
            what=what,
            change=change,
            sheet_id=sheet,
            project_id=int(project) or None,
            meeting_id=meeting,
            comment_id=source if found else None,
            once=token,
        ),
        lambda n: f"Entrée n° {n} consignée au registre des dysfonctionnements.",
        actor,
        once=form,
    ):
        st.session_state.pop(FROM_COMMENT, None)
        st.rerun()


def fictional_note(info: dict) -> None:
    """The page's reminder that demo entries are invented (each says « exemple fictif »)."""
    if info.get("dataset") == "demo":
        st.caption("Les états des semestres et les entrées du registre de la démonstration sont fictifs.")
