"""Streamlit view of the Comité page that sends a meeting's convocation and pack by e-mail: the meeting,
its recipients, the message as it will read, the sends already journaled, and the form (place, « renvoyer »,
a confirmation box) that calls :func:`essdash.write.mail.send_convocation`. Shown to whom may send
(the mission ESS, the administrateur); the gate decides again when the form is submitted."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.domain.errors import ConfigurationError
from essdash.domain.vocabulary import Deed
from essdash.read import convocation as read_convocation
from essdash.read import followup, proceedings, queries
from essdash.render import convocation as render_convocation
from essdash.render import report
from essdash.store.config import smtp_settings
from essdash.ui import session
from essdash.ui.cache import read
from essdash.ui.choices import labelled
from essdash.ui.forms import once_token, run, signature
from essdash.write import mail

FORM = "mail-send"
WARNING = "mail-warning"  # the failed addresses of the last send, shown after the rerun


def send(engine: Engine) -> None:
    """The send of a meeting's convocation (see the module's docstring)."""
    if not session.may(Deed.MAIL):
        session.read_only("envoyer la convocation")
        return
    warning = st.session_state.pop(WARNING, None)
    if warning:
        st.warning(warning)
    meetings = read(proceedings.meetings)
    if meetings.empty:
        st.caption("Aucune séance enregistrée.")
        return
    coming = meetings.index[meetings["date"] >= read(followup.as_of)]
    titles = dict(zip(meetings["id"], meetings["title"] + " (" + meetings["date"].map(fmt.short_day) + ")"))
    meeting_id = st.selectbox(
        "Séance",
        list(titles),
        index=int(coming[-1]) if len(coming) else 0,
        format_func=labelled(titles),
        key="mail_meeting",
        placeholder=fmt.CHOOSE,
    )
    if meeting_id is None:
        return
    called = read(read_convocation.convocation, int(meeting_id))
    people = ", ".join(f"{person.name} ({person.role})" for person in called.recipients)
    st.markdown(
        f"**Destinataires** ({len(called.recipients)}, membres convoqués par l'instance « {called.body.label} ») : "
        + (fmt.md_escape(people) if people else "aucun : ajoutez les membres sur la page Accès.")
    )
    place = st.text_input(
        "Lieu et heure", value=read(read_convocation.last_place, int(meeting_id)), key=f"mail_place_{meeting_id}"
    )
    attachment = report.filename_of(called.period, None, "pdf")
    try:
        link, unset = render_convocation.presentation_link(smtp_settings().public_url), None
    except ConfigurationError as exc:
        link, unset = "(adresse publique à configurer)", str(exc)
    demo = read(queries.dataset_info).get("dataset") == "demo"
    with st.expander("Le message, tel qu'il partira"):
        st.text(f"Objet : {render_convocation.subject(called)}\n\nBonjour …,\n\n")
        st.text(render_convocation.text(called, place or "(lieu à indiquer)", link, attachment, demo))
        st.caption(f"Pièce jointe : {attachment} (le dossier de séance en PDF, fait au moment de l'envoi).")
    sends = read(read_convocation.sends, int(meeting_id))
    st.markdown(f"**Envois de cette séance** ({len(sends)})")
    st.dataframe(sends, hide_index=True, width="stretch", placeholder=fmt.MISSING)
    if unset:
        st.warning(f"**Envoi non configuré.** {fmt.md_escape(unset)}")
        return
    _form(engine, int(meeting_id), place, len(called.recipients))


def _form(engine: Engine, meeting_id: int, place: str, count: int) -> None:
    token = once_token(FORM)
    with st.form(FORM):
        again = st.checkbox("Renvoyer aussi aux adresses déjà servies pour cette séance", key="mail_again")
        confirmed = st.checkbox(
            f"Je confirme l'envoi de la convocation et du dossier de séance ({fmt.plural(count, 'destinataire')}).",
            key="mail_confirm",
        )
        actor = signature("sig-mail")
        submitted = st.form_submit_button("Envoyer la convocation", type="primary", icon=":material/send:")
    if not submitted:
        return
    if not confirmed:
        st.error("**Rien n'a été envoyé.** Cochez la case de confirmation, puis cliquez de nouveau.")
        return
    done: dict = {}

    def action():
        done["report"] = mail.send_convocation(
            engine,
            actor,
            meeting_id,
            lambda called, where, url: render_convocation.compose(engine, called, where, url),
            place=place,
            again=again,
            once=token,
        )
        return done["report"]

    if run(action, lambda sent: sent.summary(), actor, once=FORM):
        sent = done["report"]
        if isinstance(sent, mail.SendReport) and (sent.failed or sent.left_out):
            st.session_state.pop("flash", None)
            st.session_state[WARNING] = "\n".join(
                [fmt.md_escape(sent.summary()), *(f"- {fmt.md_escape(line)}" for line in sent.lines())]
            )
        st.rerun()
