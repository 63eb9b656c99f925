"""Streamlit forms that write: project creation, edits and steps, fiche changes, comments,
opinions and meetings. Each form calls one function of :mod:`essdash.write` (``projects``,
``committee``, ``plan_sheets``, ``comments``) and shows its French refusals beside the form;
nothing is written unless everything is valid.

A form is shown only to whom may use it (:func:`essdash.ui.session.may`); the gate of the write
layer still decides when it is submitted. Writes are signed by the session's person
(:mod:`essdash.ui.session`): the member in shared mode, the local person otherwise, who gives a
name and a role once per session.

A record's version is remembered when its form is shown; saving compares it with the database,
so that a second session editing the same record is refused instead of overwriting silently.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from essdash.domain import fmt
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
    SheetStatus,
)
from essdash.read import followup, plans, proceedings, queries
from essdash.ui import session
from essdash.ui.cache import clear_reads, read
from essdash.ui.lazy import tabs
from essdash.ui.records import signed_by
from essdash.write import comments as write_comments
from essdash.write import committee, plan_sheets, projects
from essdash.write import plans as write_plans
from essdash.write.actor import Actor

# French words beside Streamlit's English « Press Enter to submit form » of a form's text fields.
FORM_HINT = "Remplissez les champs, puis cliquez sur « {button} » (la touche Entrée enregistre aussi)."
ROLES = tuple(Role.labels().values())


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


def run(action, success, actor: Actor | None = None) -> bool:
    """Run a service call; show its refusal in French, or else remember the signature, keep the
    success message (``success``: a text, or a function of the call's result) for the next run and
    refresh the reads."""
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
    if actor is not None:
        remember(actor)
    clear_reads()
    st.session_state["flash"] = success(result) if callable(success) else success
    return True


def flash() -> None:
    """Show the last success message once (it survives the rerun that follows a save)."""
    message = st.session_state.pop("flash", None)
    if message:
        st.success(message)


def _remember(kind: str, row_id: int, current: dict, submitted: bool) -> dict:
    """The version of a record the user saw: kept while a form on it is being submitted."""
    key = f"loaded-{kind}-{row_id}"
    if submitted and key in st.session_state:
        return st.session_state[key]
    st.session_state[key] = current
    return current


def _forget(kind: str, row_id: int) -> None:
    st.session_state.pop(f"loaded-{kind}-{row_id}", None)


def _meeting_choice(label: str, body: MeetingBody, key: str) -> int | None:
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
        if run(
            lambda: projects.create_project(
                engine,
                actor,
                data,
                carrier_name=carrier,
                legal_form=legal_form.value,
                sheets=chosen,
                proposed_on=proposed_on,
                plan=plan,
            ),
            "Proposition enregistrée.",
            actor,
        ):
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
        following = PROJECT_TRANSITIONS[status]
        if not can_step:
            session.read_only("faire avancer ce projet")
        elif not following:
            st.caption(f"Étape finale : {status.label}.")
        else:
            c1, c2 = st.columns(2)
            target = c1.selectbox(
                "Nouvelle étape", list(following), format_func=lambda s: s.label, key="step_to", placeholder=fmt.CHOOSE
            )
            committee = target in (ProjectStatus.RETENU, ProjectStatus.REFUSE) or status is ProjectStatus.VALIDE
            default = {ProjectStatus.RETENU: 1, ProjectStatus.REFUSE: 3}.get(target, 0)
            opinion = c2.selectbox(
                "Avis du comité",
                [None, *OpinionValue],
                key=f"step_opinion_{target.value}",
                index=default,
                format_func=lambda o: "—" if o is None else o.label,
                disabled=not committee,
                help="Pour un projet validé techniquement : l'avis décide de l'étape suivante "
                "(ajourné : il reste en attente).",
                placeholder=fmt.CHOOSE,
            )
            body = MeetingBody.COMITE if opinion else MeetingBody.GROUPE_TECHNICIENS
            with st.form(f"step-{project_id}"):
                meeting = (
                    _meeting_choice(f"Séance ({body.label})", body, f"step_meeting_{body.value}")
                    if target in (ProjectStatus.VALIDE, ProjectStatus.RENVOYE) or opinion
                    else None
                )
                day = (
                    None
                    if meeting
                    else st.date_input("Date", value=read(followup.as_of), format="DD/MM/YYYY", key="step_day")
                )
                comment = st.text_area("Motif ou commentaire", key="step_comment")
                actor = signature("sig-step")
                submitted = st.form_submit_button("Enregistrer l'étape", type="primary")
            loaded = _remember("project", project_id, current, submitted)
            if submitted and run(
                lambda: projects.advance_project(
                    engine,
                    actor,
                    project_id,
                    loaded,
                    target.value,
                    day=day,
                    meeting_id=meeting,
                    comment=comment,
                    opinion=opinion.value if opinion else None,
                ),
                "Étape enregistrée.",
                actor,
            ):
                _forget("project", project_id)
                st.rerun()

    def edit() -> None:
        if can_edit:
            _project_edit(engine, project_id, detail, current)
        else:
            session.read_only("modifier ce projet")

    def comment() -> None:
        comments(engine, "projet", project_id, read(followup.project_comments, project_id))

    tabs({"Faire avancer": step, "Modifier": edit, "Commentaires": comment}, key="pa_tab")


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
    loaded = _remember("project-edit", project_id, current, submitted)
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
        _forget("project-edit", project_id)
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
    with st.form(f"comment-{target}-{target_id}", clear_on_submit=True):
        body = st.selectbox(
            "Au nom de", list(CommentBody), format_func=lambda b: b.label, key=f"cbody-{target}", placeholder=fmt.CHOOSE
        )
        text = st.text_area("Commentaire", key=f"ctext-{target}")
        actor = signature(f"sig-comment-{target}")
        submitted = st.form_submit_button("Ajouter le commentaire")
    if submitted and run(
        lambda: write_comments.add_comment(engine, actor, target, target_id, body.value, text),
        "Commentaire ajouté.",
        actor,
    ):
        st.rerun()


def sheet_change(engine, detail: dict) -> None:
    """The form that changes a fiche's status or declared progress, with the required comment."""
    if not session.may(Deed.SHEET):
        session.read_only("modifier les fiches du plan")
        return
    current = {k: detail[k] for k in ("id", "version", "status", "progress")}
    with st.form(f"sheet-{detail['id']}"):
        c1, c2 = st.columns(2)
        status = c1.selectbox(
            "Statut",
            list(SheetStatus),
            format_func=lambda s: s.label,
            key="sheet_status",
            index=list(SheetStatus).index(SheetStatus(detail["status"])),
            placeholder=fmt.CHOOSE,
        )
        progress = c2.slider("Avancement déclaré (%)", 0, 100, int(detail["progress"]), step=5, key="sheet_progress")
        comment = st.text_area("Pourquoi ? (obligatoire, entre dans l'historique)", key="sheet_comment")
        actor = signature("sig-sheet")
        submitted = st.form_submit_button("Enregistrer", type="primary")
    loaded = _remember("sheet", detail["id"], current, submitted)
    if submitted and run(
        lambda: plan_sheets.update_sheet(
            engine, actor, detail["id"], loaded, status=status.value, progress=int(progress), comment=comment
        ),
        "Fiche mise à jour.",
        actor,
    ):
        _forget("sheet", detail["id"])
        st.rerun()


OPINION_ROWS = 40  # proposals shown at once in the opinions form
NO_OPINION = "— pas d'avis —"
OPINION_SHOWN = ["id", "title", "carrier", "commune", "validated_on"]  # read-only, beside the two to fill
OPINION_COLUMNS = {  # in this order: the two columns to fill come right after the proposition
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
    (its « Avis » and « Commentaire » columns), whatever the number of proposals."""
    if awaiting.empty:
        st.caption("Aucune proposition en attente d'avis.")
        return
    if not session.may(Deed.OPINION):
        session.read_only("enregistrer les avis du comité")
        return
    table = awaiting[OPINION_SHOWN].assign(opinion=NO_OPINION, comment="")
    with st.form("opinions"):
        meeting = _meeting_choice("Séance du comité", MeetingBody.COMITE, "opinion_meeting")
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
        )
        actor = signature("sig-opinions")
        submitted = st.form_submit_button("Enregistrer les avis", type="primary")
    values = {label: value for value, label in OpinionValue.labels().items()}
    loaded = {
        row.id: _remember(
            "project", row.id, {"id": row.id, "version": row.version, "status": ProjectStatus.VALIDE.value}, submitted
        )
        for row in awaiting.itertuples()
    }
    items = [
        {"project": loaded[pid], "opinion": values.get(opinion), "comment": comment or ""}
        for pid, opinion, comment in zip(edited["id"], edited["opinion"], edited["comment"])
    ]
    if submitted and run(
        lambda: committee.record_opinions(engine, actor, meeting, items),
        f"{fmt.plural(sum(1 for i in items if i['opinion']), 'avis enregistré', 'avis enregistrés')}.",
        actor,
    ):
        for pid in loaded:
            _forget("project", pid)
        st.rerun()


def new_meeting(engine) -> None:
    """The form that records a meeting of one of the bodies."""
    if not session.may(Deed.MEETING):
        session.read_only("enregistrer une séance")
        return
    with st.form("new-meeting", clear_on_submit=True):
        c1, c2 = st.columns(2)
        body = c1.selectbox(
            "Instance", list(MeetingBody), format_func=lambda b: b.label, key="meeting_body", placeholder=fmt.CHOOSE
        )
        day = c2.date_input("Date", value=read(followup.as_of), format="DD/MM/YYYY", key="meeting_day")
        title = st.text_input("Intitulé", key="meeting_title")
        attendance = c1.number_input("Participants", min_value=0, step=1, key="meeting_attendance")
        notes = st.text_area("Relevé de décisions", key="meeting_notes")
        actor = signature("sig-meeting")
        submitted = st.form_submit_button("Enregistrer la séance")
    if submitted and run(
        lambda: committee.create_meeting(
            engine, actor, body=body.value, day=day, title=title, attendance=int(attendance), notes=notes
        ),
        "Séance enregistrée.",
        actor,
    ):
        st.rerun()


def carry_over(engine, plan: str | None) -> None:
    """The carry-over of the shown plan: the fiches of earlier plans its fiches continue, and the
    form that adds a correspondence (old fiche → new fiche), linking the old fiche's open projects."""
    if plan is None:
        return
    known = read(plans.plans)
    shown = next((p for p in known if p.code == plan), None)
    earlier = [p for p in known if shown is not None and p.start < shown.start]
    done = read(plans.correspondences, plan)
    if not done.empty:
        st.dataframe(
            done,
            hide_index=True,
            width="stretch",
            column_config={
                "old_plan": "Plan d'origine",
                "old_code": "Ancienne fiche",
                "old_title": "Intitulé",
                "new_code": "Nouvelle fiche",
                "new_title": "Intitulé ",
            },
        )
    if not earlier:
        st.caption("Aucun plan antérieur : rien à reprendre.")
        return
    if not session.may(Deed.SETTINGS):
        session.read_only("rattacher les fiches d'un plan antérieur")
        return
    st.caption(
        "Les projets encore ouverts (ni réalisés ni abandonnés) de l'ancienne fiche sont rattachés à la nouvelle ; "
        "leurs étapes, avis et rattachements d'origine sont conservés."
    )
    c1, c2, c3 = st.columns(3)
    labels = {p.code: p.label for p in earlier}
    old_plan = c1.selectbox(
        "Plan d'origine", list(labels), format_func=labels.get, key="co_old_plan", placeholder=fmt.CHOOSE
    )
    old = _sheet_choice(c2, "Ancienne fiche", old_plan, "co_old")
    new = _sheet_choice(c3, "Nouvelle fiche", plan, "co_new")
    actor = signature("sig-carry")
    if st.button("Enregistrer la correspondance", type="primary", key="co_save") and run(
        lambda: write_plans.carry_over(engine, actor, old_plan, plan, [(old, new)]),
        lambda r: f"Correspondance {old} → {new} : {fmt.plural(r.links, 'projet')} rattaché(s).",
        actor,
    ):
        st.rerun()


def _sheet_choice(column, label: str, plan: str | None, key: str) -> str | None:
    """A fiche of ``plan`` chosen in ``column``, shown as « code — title »."""
    sheets = read(queries.sheet_options, plan)
    titles = dict(zip(sheets["code"], sheets["title"]))
    return column.selectbox(
        label, list(titles), format_func=lambda c: f"{c} — {titles[c]}", key=key, placeholder=fmt.CHOOSE
    )
