"""The project forms: a new proposal (with its probable-duplicate confirmation), a project's next
step (only the steps the person may record, dated as the lifecycle accepts, at a recorded meeting or
one not yet recorded), its edits, and its comments' tab. Each calls one function of
:mod:`essdash.write.projects` through :func:`essdash.ui.forms.run`, with the form's one-time token
where it creates a record.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from essdash.domain import fields, fmt, steps
from essdash.domain.field_kinds import Field, FieldType, View
from essdash.domain.vocabulary import (
    PROJECT_TRANSITIONS,
    Deed,
    InterventionMode,
    LegalForm,
    MeetingBody,
    OpinionValue,
    ProjectStatus,
    Sector,
)
from essdash.read import followup, proceedings, queries
from essdash.ui import opendata_forms, session
from essdash.ui.cache import read
from essdash.ui.choices import labelled, options_of
from essdash.ui.forms import FORM_HINT, comments, forget_version, once_token, remember_version, run, signature
from essdash.ui.lazy import tabs
from essdash.write import project_checks, projects

_label = fields.PROJECTS.label  # every field's one label (essdash.domain.fields)
PRIORITY_HELP = "En quartier prioritaire de la politique de la ville"
DUPLICATE = "new-project-duplicate"  # the refusal of a probable duplicate, shown in the form with its checkbox
# The declared fields each form lays out by hand (views « proposal », « edit »); it renders the others after them.
BY_HAND: dict[View, frozenset[str]] = {
    "proposal": frozenset({"title", "intervention_mode", "sector", "jobs_created", "jobs_maintained"})
    | {"proposed_on", "priority_district", "description"},
    "edit": frozenset({"title", "jobs_created", "jobs_maintained", "beneficiaries", "priority_district"})
    | {"start_date", "end_date", "description"},
}


def declared_widgets(view: View, values: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A widget for each declared field of ``view`` that its form does not lay out by hand
    (:data:`BY_HAND`), showing its value in ``values`` (by column), keyed ``prefix`` + its key; the
    values given, by column."""
    return {
        str(f.column): _widget(f, values.get(str(f.column)), f"{prefix}{f.key}")
        for f in fields.PROJECTS.shown_in(view)
        if f.key not in BY_HAND[view] and f.column is not None
    }


def _widget(field: Field, value: Any, key: str) -> Any:
    """The widget of the declared ``field`` by its kind, holding ``value``; the value given."""
    label = field.label
    if field.widget == "long_text":
        return st.text_area(label, value or "", key=key)
    if field.widget == "checkbox":
        return st.checkbox(label, value=bool(value), key=key)
    if field.widget == "date":
        return st.date_input(label, value=value, format="DD/MM/YYYY", key=key)
    if field.widget == "choice" and field.codes is not None:
        options = options_of(field.codes)
        index = options.index(value) if value in options else None
        chosen = st.selectbox(
            label, options, index=index, format_func=lambda c: c.label, key=key, placeholder=fmt.CHOOSE
        )
        return chosen.value if chosen is not None else None
    if field.widget == "number" and field.type in (FieldType.INTEGER, FieldType.COUNT):
        least = 0 if field.type is FieldType.COUNT else None
        return st.number_input(label, min_value=least, value=int(value or 0), step=1, key=key)
    if field.widget == "number":
        return st.number_input(label, value=None if value is None else float(value), key=key)
    return st.text_input(label, value or "", key=key)


def new_project(engine, plan: str | None) -> None:
    """The form that registers a new proposal, linked to fiches of the plan ``plan``."""
    if not session.may(Deed.PROJECT):
        session.read_only("proposer un projet")
        return
    sheets = read(queries.sheet_options, plan)
    communes = read(queries.commune_options)
    names = dict(zip(communes["insee_code"], communes["name"]))
    if (mine := session.scope(Deed.PROJECT)) is not None:  # a technician: the communes they answer for
        names = {code: name for code, name in names.items() if code in mine.territory_communes | mine.communes}
    token = once_token("new-project")
    duplicate = st.session_state.get(DUPLICATE)
    with st.form("new-project", clear_on_submit=False):
        st.markdown(FORM_HINT.format(button="Enregistrer la proposition"))
        title = st.text_input("Titre du projet *")
        c1, c2 = st.columns(2)
        carrier = c1.text_input(
            "Porteur (structure) *", help="Nom exact d'un porteur existant, ou d'un nouveau porteur"
        )
        legal_form = c2.selectbox(
            "Forme juridique (nouveau porteur)",
            options_of(LegalForm),
            format_func=lambda f: f.label,
            placeholder=fmt.CHOOSE,
        )
        commune = c1.selectbox(
            "Commune principale *",
            list(names),
            format_func=labelled(names),
            index=None,
            placeholder="Choisir une commune",
        )
        chosen = c2.multiselect("Fiches du plan servies *", sheets["code"].tolist(), placeholder="Choisir")
        mode = c1.selectbox(
            f"{_label('intervention_mode')} *",
            options_of(InterventionMode),
            format_func=lambda f: f.label,
            placeholder=fmt.CHOOSE,
        )
        sector = c2.selectbox(
            f"{_label('sector')} *", options_of(Sector), format_func=lambda f: f.label, placeholder=fmt.CHOOSE
        )
        jobs = c1.number_input(_label("jobs_created"), min_value=0, step=1)
        kept = c2.number_input(_label("jobs_maintained"), min_value=0, step=1)
        proposed_on = c1.date_input(_label("proposed_on"), value=read(followup.as_of), format="DD/MM/YYYY")
        priority = c2.checkbox(_label("priority_district"), help=PRIORITY_HELP)
        description = st.text_area(_label("description"))
        declared = declared_widgets("proposal", {}, "new_")
        anyway = False
        if duplicate:
            st.warning(fmt.md_escape(duplicate))
            anyway = st.checkbox("Enregistrer quand même", key="new-project-anyway")
        actor = signature("sig-new-project")
        submitted = st.form_submit_button("Enregistrer la proposition", type="primary")
    if submitted:
        data = {
            "title": title,
            "description": description,
            "commune_code": commune,
            "intervention_mode": mode.value,
            "sector": sector.value,
            "jobs_created": jobs,
            "jobs_maintained": kept,
            "priority_district": priority,
            **declared,
        }

        def propose() -> int:
            try:
                return projects.create_project(
                    engine,
                    actor,
                    data,
                    carrier_name=carrier,
                    legal_form=legal_form.value,
                    sheets=chosen,
                    proposed_on=proposed_on,
                    plan=plan,
                    once=token,
                    confirmed=anyway,
                )
            except projects.ProbableDuplicate as exc:
                st.session_state[DUPLICATE] = exc.issues[0][2]
                raise

        if run(propose, "Proposition enregistrée.", actor, once="new-project"):
            st.session_state.pop(DUPLICATE, None)
            st.rerun()
        elif st.session_state.get(DUPLICATE) != duplicate:  # the form shows the duplicate and its checkbox
            st.rerun()


def project_actions(engine, project_id: int) -> None:
    """Under a project's record: move it one step, edit it, and its comments."""
    detail = read(queries.project_detail, project_id)
    if detail is None:
        return
    held = ("id", "version", "status", *project_checks.project_labels())
    current = {k: detail[k] for k in held if k in detail}
    status = ProjectStatus(detail["status"])
    can_step = session.may(Deed.STEP, project_id=project_id) or session.may(Deed.OPINION, project_id=project_id)
    can_edit = session.may(Deed.PROJECT, project_id=project_id)

    def step() -> None:
        following = steps.offered(status, lambda deed: session.may(deed, project_id=project_id))
        if not can_step:
            session.read_only("faire avancer ce projet")
        elif not PROJECT_TRANSITIONS[status]:
            st.caption(f"Étape finale : {status.label}.")
        elif not following:
            session.read_only(f"faire avancer ce projet depuis l'étape « {status.label} »")
        else:
            _step_form(engine, project_id, status, following, detail, current)

    def edit() -> None:
        if can_edit:
            _project_edit(engine, project_id, detail, current)
        else:
            session.read_only("modifier ce projet")

    def comment() -> None:
        comments(engine, "projet", project_id, read(followup.project_comments, project_id))

    def open_data() -> None:
        opendata_forms.open_data(engine, project_id)

    tabs(
        {"Faire avancer": step, "Modifier": edit, "Données ouvertes": open_data, "Commentaires": comment}, key="pa_tab"
    )


def _step_form(engine, project_id: int, status: ProjectStatus, following, detail: dict, current: dict) -> None:
    """The form that records a project's next step among ``following`` (those the person may
    record): the committee's opinion when the person may give it, the meeting where the step
    happened (none dated before the previous step; for the technicians' group, « séance pas encore
    enregistrée » with a date of its own), the date (by default one the lifecycle accepts), the
    reason."""
    previous = detail["events"]["date"].max() if not detail["events"].empty else None
    c1, c2 = st.columns(2)
    target = c1.selectbox(
        "Nouvelle étape", list(following), format_func=lambda s: s.label, key="step_to", placeholder=fmt.CHOOSE
    )
    opinion = None
    if session.may(Deed.OPINION, project_id=project_id) and (
        target in steps.COMMITTEE_STEPS or status is ProjectStatus.VALIDATED
    ):
        default = {ProjectStatus.RETAINED: 1, ProjectStatus.REFUSED: 3}.get(target, 0)
        opinion = c2.selectbox(
            "Avis du comité",
            [None, *OpinionValue],
            key=f"step_opinion_{target.value}",
            index=default,
            format_func=lambda o: "—" if o is None else o.label,
            help="Pour un projet validé techniquement : l'avis décide de l'étape suivante "
            "(ajourné : il reste en attente).",
            placeholder=fmt.CHOOSE,
        )
    body = steps.body_of(target, opinion.value if opinion else None)
    meeting = _step_meeting(body, previous, f"step_meeting_{project_id}_{body.value}") if body else None
    with st.form(f"step-{project_id}"):
        if meeting:
            st.caption(f"Date de l'étape : {fmt.day(meeting.date)}, celle de la séance.")
            day = None
        else:
            day = st.date_input(
                "Date",
                value=steps.default_day(previous, read(followup.as_of)),
                min_value=previous,
                format="DD/MM/YYYY",
                key=f"step_day_{project_id}",
            )
        comment = st.text_area("Motif ou commentaire", key="step_comment")
        actor = signature("sig-step")
        submitted = st.form_submit_button("Enregistrer l'étape", type="primary")
    loaded = remember_version("project", project_id, current, submitted)
    token = once_token(f"step-{project_id}")
    if submitted and run(
        lambda: projects.advance_project(
            engine,
            actor,
            project_id,
            loaded,
            target.value,
            day=day,
            meeting_id=meeting.id if meeting else None,
            comment=comment,
            opinion=opinion.value if opinion else None,
            meeting_unrecorded=body is MeetingBody.TECHNICIANS and meeting is None,
            once=token,
        ),
        "Étape enregistrée.",
        actor,
        once=f"step-{project_id}",
    ):
        forget_version("project", project_id)
        st.rerun()


def _step_meeting(body: MeetingBody, previous, key: str) -> proceedings.Meeting | None:
    """The meeting of ``body`` where a step happened, among those not before the previous step
    (newest first); for the technicians' group, last, « Séance pas encore enregistrée » (``None``)."""
    held = read(proceedings.meetings, body.value)
    if previous is not None:
        held = held[held["date"] >= previous]
    choices = {int(row["id"]): proceedings.Meeting.of_row(row) for row in held.to_dict("records")}
    options: list[int | None] = list(choices)
    if body is MeetingBody.TECHNICIANS:
        options.append(None)
    elif not options:
        since = f" depuis l'étape précédente ({fmt.day(previous)})" if previous is not None else ""
        st.caption(
            f"Aucune séance « {body.label} » enregistrée{since} : enregistrez-la d'abord (page Comité, onglet "
            "« Séances »)."
        )
        return None
    chosen = st.selectbox(
        f"Séance ({body.label})",
        options,
        format_func=lambda i: (
            "Séance pas encore enregistrée" if i is None else f"{choices[i].title} ({fmt.day(choices[i].date)})"
        ),
        key=key,
        placeholder=fmt.CHOOSE,
    )
    return choices.get(chosen) if chosen is not None else None


def _project_edit(engine, project_id: int, detail: dict, current: dict) -> None:
    """The form that edits a project's record."""
    with st.form(f"edit-{project_id}"):
        st.markdown(FORM_HINT.format(button="Enregistrer les modifications"))
        title = st.text_input(_label("title"), detail["title"], key="edit_title")
        c1, c2 = st.columns(2)
        jobs = c1.number_input(_label("jobs_created"), min_value=0, value=int(detail["jobs_created"]), key="edit_jobs")
        kept = c2.number_input(
            _label("jobs_maintained"), min_value=0, value=int(detail["jobs_maintained"]), key="edit_kept"
        )
        people = c1.number_input(
            _label("beneficiaries"), min_value=0, value=int(detail["beneficiaries"]), key="edit_people"
        )
        priority = c2.checkbox(
            _label("priority_district"),
            value=bool(detail["priority_district"]),
            help=PRIORITY_HELP,
            key="edit_priority",
        )
        start = c1.date_input(_label("start_date"), value=detail["start_date"], format="DD/MM/YYYY", key="edit_start")
        end = c2.date_input(_label("end_date"), value=detail["end_date"], format="DD/MM/YYYY", key="edit_end")
        description = st.text_area(_label("description"), detail["description"], key="edit_description")
        declared = declared_widgets("edit", detail, "edit_")
        actor = signature("sig-edit")
        submitted = st.form_submit_button("Enregistrer les modifications", type="primary")
    loaded = remember_version("project-edit", project_id, current, submitted)
    changes = {
        "title": title,
        "jobs_created": jobs,
        "jobs_maintained": kept,
        "beneficiaries": people,
        "priority_district": priority,
        "start_date": start,
        "end_date": end,
        "description": description,
        **declared,
    }
    if submitted and run(
        lambda: projects.update_project(engine, actor, project_id, loaded, changes),
        "Modifications enregistrées.",
        actor,
    ):
        forget_version("project-edit", project_id)
        st.rerun()
