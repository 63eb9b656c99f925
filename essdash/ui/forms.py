"""Streamlit forms that write, and what every form shares: the signature, the run of a write with
its French refusals beside the form, the success message that survives the rerun, the record
versions and the choice of a meeting; and the comments' form. Each form calls one function of
:mod:`essdash.write`; nothing is written unless everything is valid. The project forms (proposal,
edits, steps) are in :mod:`essdash.ui.project_forms`, the committee's in
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

from essdash.domain import fmt
from essdash.domain.errors import AccessError, BusyError, ConflictError, ValidationError
from essdash.domain.vocabulary import (
    CommentBody,
    Deed,
    MeetingBody,
    Role,
)
from essdash.read import proceedings
from essdash.ui import session
from essdash.ui.cache import clear_reads, read
from essdash.ui.choices import labelled, options_of
from essdash.ui.records import signed_by
from essdash.write import comments as write_comments
from essdash.write.actor import Actor
from essdash.write.once import Replayed

# French words beside Streamlit's English « Press Enter to submit form » of a form's text fields.
FORM_HINT = "Remplissez les champs, puis cliquez sur « {button} » (la touche Entrée enregistre aussi)."
ROLES = tuple(Role.labels().values())
ONCE = "once-"  # session keys of the forms' one-time tokens
FLASH_NOTICE = "flash-notice"
# The register of « dysfonctionnements » (page Évaluation): its tab, and the comment an entry is drawn from.
EVALUATION_PAGE, EVALUATION_TAB, REGISTER_TAB = "pages/evaluation.py", "ev_tab", "Dysfonctionnements"
FROM_COMMENT = "ev_from_comment"
REPORT = ":material/report:"


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
    return st.selectbox(label, list(titles), format_func=labelled(titles), key=key, placeholder=fmt.CHOOSE)


def draw_from_comment(comment_id: int) -> None:
    """Open the Évaluation page's register on an entry drawn from the comment ``comment_id``."""
    st.session_state[FROM_COMMENT] = comment_id
    st.session_state[EVALUATION_TAB] = REGISTER_TAB
    st.switch_page(EVALUATION_PAGE)


def comments(engine, target: str, target_id: int, existing: pd.DataFrame) -> None:
    """Existing comments, newest first, and the form to add one."""
    drawing = "id" in existing.columns and session.may(Deed.INCIDENT)
    for row in existing.itertuples():
        st.markdown(
            f"- {fmt.day(row.created_at)} — **{signed_by(row.author, body=row.body)}** : {fmt.md_escape(row.text)}"
        )
        if drawing and st.button("Consigner comme dysfonctionnement", key=f"incident-{row.id}", icon=REPORT):
            draw_from_comment(int(row.id))
    if not session.may(Deed.COMMENT, project_id=target_id if target == "projet" else None):
        session.read_only("commenter")
        return
    form = f"comment-{target}-{target_id}"
    token = once_token(form)
    with st.form(form, clear_on_submit=True):
        body = st.selectbox(
            "Au nom de",
            options_of(CommentBody),
            format_func=lambda b: b.label,
            key=f"cbody-{target}",
            placeholder=fmt.CHOOSE,
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
