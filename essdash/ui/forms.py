"""Streamlit forms that write, and what every form shares: the signature, the run of a write with
its French refusals beside the form, the success message that survives the rerun, the record
versions and the choice of a meeting; and the project forms: creation, edits and steps, and
comments. Each form calls one function of :mod:`essdash.write` (``projects``, ``comments``);
nothing is written unless everything is valid. The committee's forms are in
:mod:`essdash.ui.committee_forms`, the plan's in :mod:`essdash.ui.plan_forms`.

A form is shown only to whom may use it (:func:`essdash.ui.session.may`); the gate of the write
layer still decides when it is submitted. Writes are signed by the session's person
(:mod:`essdash.ui.session`): the member in shared mode, the local person otherwise, who gives a
name and a role once per session.

A record's version is remembered when its form is shown; saving compares it with the database,
so that a second session editing the same record is refused instead of overwriting silently. A
form that creates a record carries a one-time token (:func:`once_token`), so that submitting it
twice (double click, resend after a slow answer) creates one record.
"""

from __future__ import annotations

import uuid

import pandas as pd
import streamlit as st

from essdash.domain import fmt, steps
from essdash.domain.errors import AccessError, BusyError, ConflictError, ValidationError
from essdash.domain.vocabulary import (
    PROJECT_TRANSITIONS,
    CommentBody,
    Deed,
    InterventionMode,
    LegalForm,
    MeetingBody,
    OpinionValue,
    ProjectStatus,
    Role,
    Sector,
)
from essdash.read import followup, proceedings, queries
from essdash.ui import session
from essdash.ui.cache import clear_reads, read
from essdash.ui.lazy import tabs
from essdash.ui.records import signed_by
from essdash.write import comments as write_comments
from essdash.write import projects
from essdash.write.actor import Actor
from essdash.write.once import Replayed

# French words beside Streamlit's English « Press Enter to submit form » of a form's text fields.
FORM_HINT = "Remplissez les champs, puis cliquez sur « {button} » (la touche Entrée enregistre aussi)."
ROLES = tuple(Role.labels().values())
ONCE = "once-"  # session keys of the forms' one-time tokens
FLASH_NOTICE = "flash-notice"
DUPLICATE = "new-project-duplicate"  # the refusal of a probable duplicate, shown in the form with its checkbox


def signature(key: str) -> Actor:
    """The :class:`Actor` of a write: the session's person, shown as « Signé : … »; in « poste
    local » mode, until the person has signed once in this session, « Votre nom » and « Votre rôle »."""
    person = session.current()
    if person is not None:
        st.caption(f":material/signature: Signé : {fmt.md_escape(person.label)}")
        return person
    c1, c2 = st.columns(2)
    name = c1.text_input("Votre nom", key=key, placeholder="Prénom Nom")
    role = c2.selectbox("Votre rôle", ROLES, key=f"{key}-role", index=None, placeholder="Choisir votre rôle")
    return Actor(name, role or "")


def remember(actor: Actor) -> None:
    """Keep the local person's signature for the session's next forms (a member is known already)."""
    if actor.account is None:
        st.session_state[session.SIGNER] = {"name": actor.name.strip(), "role": actor.role}


def show_refusal(exc: ValidationError) -> None:
    """A refused write's issues, in French, beside the form."""
    st.error(
        "**Rien n'a été enregistré.** Corrigez :\n"
        + "\n".join(
            f"- {fmt.md_escape(place)}, {fmt.md_escape(column)} : {fmt.md_escape(message)}"
            for place, column, message in exc.issues
        )
    )


def once_token(form: str) -> str:
    """The one-time token of the form ``form``, which creates a record: the same for every
    submission of the form as rendered (a double click, a resend), until :func:`run` saves it; the
    write spends it in the database, so a second submission writes nothing (:mod:`essdash.write.once`)."""
    return st.session_state.setdefault(f"{ONCE}{form}", uuid.uuid4().hex)


def run(action, success, actor: Actor | None = None, *, once: str | None = None) -> bool:
    """Run a service call; show its refusal in French, or else remember the signature, keep the
    success message (``success``: a text, or a function of the call's result) for the next run and
    refresh the reads. ``once``: the form whose one-time token (:func:`once_token`) the call spends:
    once saved, the form gets a new one; a call that found its token spent says that the record was
    already saved."""
    try:
        result = action()
    except ValidationError as exc:
        show_refusal(exc)
        return False
    except ConflictError as exc:
        st.error(f"**Modification refusée.** {fmt.md_escape(str(exc))}")
        return False
    except BusyError as exc:
        st.error(f"**Enregistrement impossible pour l'instant.** {fmt.md_escape(str(exc))}")
        return False
    except AccessError as exc:
        st.error(f"**Action non autorisée.** {fmt.md_escape(str(exc))}")
        return False
    if once is not None:
        st.session_state.pop(f"{ONCE}{once}", None)
    if actor is not None:
        remember(actor)
    clear_reads()
    if isinstance(result, Replayed):
        st.session_state[FLASH_NOTICE] = result.notice
    else:
        st.session_state["flash"] = success(result) if callable(success) else success
    return True


def flash() -> None:
    """Show the last success message once (it survives the rerun that follows a save), or the
    notice that a form submitted twice had already been saved."""
    message = st.session_state.pop("flash", None)
    if message:
        st.success(message)
    notice = st.session_state.pop(FLASH_NOTICE, None)
    if notice:
        st.info(notice)


def remember_version(kind: str, row_id: int, current: dict, submitted: bool) -> dict:
    """The version of a record the user saw: kept while a form on it is being submitted."""
    key = f"loaded-{kind}-{row_id}"
    if submitted and key in st.session_state:
        return st.session_state[key]
    st.session_state[key] = current
    return current


def forget_version(kind: str, row_id: int) -> None:
    """Drop the remembered version of a record once its form has saved it."""
    st.session_state.pop(f"loaded-{kind}-{row_id}", None)


def meeting_choice(label: str, body: MeetingBody, key: str) -> int | None:
    """A recorded meeting of ``body``, chosen by its title and date (none recorded: a caption)."""
    meetings = read(proceedings.meetings, body.value)
    if meetings.empty:
        st.caption(f"Aucune séance « {body.label} » enregistrée.")
        return None
    titles = dict(zip(meetings["id"], meetings["title"] + " (" + meetings["date"].map(fmt.day) + ")"))
    return st.selectbox(label, list(titles), format_func=titles.get, key=key, placeholder=fmt.CHOOSE)


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
            "Forme juridique (nouveau porteur)", list(LegalForm), format_func=lambda f: f.label, placeholder=fmt.CHOOSE
        )
        commune = c1.selectbox(
            "Commune principale *", list(names), format_func=names.get, index=None, placeholder="Choisir une commune"
        )
        chosen = c2.multiselect("Fiches du plan servies *", sheets["code"].tolist(), placeholder="Choisir")
        mode = c1.selectbox(
            "Mode d'intervention *", list(InterventionMode), format_func=lambda f: f.label, placeholder=fmt.CHOOSE
        )
        sector = c2.selectbox("Filière *", list(Sector), format_func=lambda f: f.label, placeholder=fmt.CHOOSE)
        jobs = c1.number_input("Emplois prévus", min_value=0, step=1)
        kept = c2.number_input("Emplois maintenus prévus", min_value=0, step=1)
        proposed_on = c1.date_input("Proposé le", value=read(followup.as_of), format="DD/MM/YYYY")
        priority = c2.checkbox("En quartier prioritaire de la politique de la ville")
        description = st.text_area("Description")
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
    fields = ("id", "version", "status", *projects.PROJECT_FIELDS)
    current = {k: detail[k] for k in fields if k in detail}
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

    tabs({"Faire avancer": step, "Modifier": edit, "Commentaires": comment}, key="pa_tab")


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
        target in steps.COMMITTEE_STEPS or status is ProjectStatus.VALIDE
    ):
        default = {ProjectStatus.RETENU: 1, ProjectStatus.REFUSE: 3}.get(target, 0)
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
            meeting_unrecorded=body is MeetingBody.GROUPE_TECHNICIENS and meeting is None,
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
    if body is MeetingBody.GROUPE_TECHNICIENS:
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
        title = st.text_input("Titre", detail["title"], key="edit_title")
        c1, c2 = st.columns(2)
        jobs = c1.number_input("Emplois prévus", min_value=0, value=int(detail["jobs_created"]), key="edit_jobs")
        kept = c2.number_input("Emplois maintenus", min_value=0, value=int(detail["jobs_maintained"]), key="edit_kept")
        people = c1.number_input("Bénéficiaires", min_value=0, value=int(detail["beneficiaries"]), key="edit_people")
        priority = c2.checkbox("Quartier prioritaire", value=bool(detail["priority_district"]), key="edit_priority")
        start = c1.date_input("Début", value=detail["start_date"], format="DD/MM/YYYY", key="edit_start")
        end = c2.date_input("Fin", value=detail["end_date"], format="DD/MM/YYYY", key="edit_end")
        description = st.text_area("Description", detail["description"], key="edit_description")
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
    }
    if submitted and run(
        lambda: projects.update_project(engine, actor, project_id, loaded, changes),
        "Modifications enregistrées.",
        actor,
    ):
        forget_version("project-edit", project_id)
        st.rerun()


def comments(engine, target: str, target_id: int, existing: pd.DataFrame) -> None:
    """Existing comments, newest first, and the form to add one."""
    for row in existing.itertuples():
        st.markdown(
            f"- {fmt.day(row.created_at)} — **{signed_by(row.author, body=row.body)}** : {fmt.md_escape(row.text)}"
        )
    if not session.may(Deed.COMMENT, project_id=target_id if target == "projet" else None):
        session.read_only("commenter")
        return
    form = f"comment-{target}-{target_id}"
    token = once_token(form)
    with st.form(form, clear_on_submit=True):
        body = st.selectbox(
            "Au nom de", list(CommentBody), format_func=lambda b: b.label, key=f"cbody-{target}", placeholder=fmt.CHOOSE
        )
        text = st.text_area("Commentaire", key=f"ctext-{target}")
        actor = signature(f"sig-comment-{target}")
        submitted = st.form_submit_button("Ajouter le commentaire")
    if submitted and run(
        lambda: write_comments.add_comment(engine, actor, target, target_id, body.value, text, once=token),
        "Commentaire ajouté.",
        actor,
        once=form,
    ):
        st.rerun()
