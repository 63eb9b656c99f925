"""Streamlit views of the beneficiaries' questionnaires: the answer page a one-time link opens (no
account), the mission's form that opens a questionnaire and hands out its links, the list of
questionnaires. What the answers say is shown by :mod:`essdash.ui.voices_results`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from essdash.domain import fmt
from essdash.domain import voices as dv
from essdash.domain.errors import AccessError, BusyError, ValidationError
from essdash.domain.vocabulary import Deed
from essdash.read import voices as read_voices
from essdash.read.filters import Filters
from essdash.ui import forms, session
from essdash.ui.cache import clear_reads, engine, read
from essdash.ui.choices import labelled
from essdash.ui.voices_results import THRESHOLD
from essdash.write import voices as write_voices

LINK_PARAM = "jeton"  # the answer page's URL parameter: /reponse?jeton=…
ANSWERED = "voice-answered"  # session key: the digest of the link this session just answered with
LINKS = "voice-links"  # session key: the links of the questionnaire just opened, shown once
SCALE = {1: "1 — pas du tout", 2: "2", 3: "3", 4: "4", 5: "5 — tout à fait"}


def answer_page() -> None:
    """The page of a one-time link: the questionnaire's questions, sent once; nothing else of the app."""
    st.title("Votre avis sur un projet de l'économie sociale et solidaire")
    secret = st.query_params.get(LINK_PARAM, "")
    if secret and dv.valid_secret(secret) and st.session_state.get(ANSWERED) == dv.digest(secret):
        st.success("**Merci !** Votre réponse est enregistrée. Vous pouvez fermer cette page.")
        return
    found = read_voices.questionnaire_of(engine(), secret) if secret else None
    if found is None:
        st.info(
            "Ce questionnaire s'ouvre avec le lien personnel que vous avez reçu (sur papier ou par courriel). "
            + (write_voices.UNKNOWN if secret else "")
        )
        return
    if found.used:
        st.warning(write_voices.USED)
        return
    st.markdown(f"**{fmt.md_escape(found.title)}** — sur {fmt.md_escape(found.about)}.")
    st.caption(
        "Vos réponses sont anonymes : ni votre nom ni votre adresse ne sont demandés ni gardés. Toutes les "
        "questions sont facultatives. " + THRESHOLD
    )
    answers: dict[str, object] = {}
    with st.form("voice-answer"):
        for number, question in enumerate(found.questions, 1):
            label = f"{number}. {fmt.md_escape(question.text)}"
            key = f"v-{question.code}"
            if question.kind == "oui_non":
                answers[question.code] = st.radio(label, list(dv.YES_NO), index=None, horizontal=True, key=key)
            elif question.kind == "echelle":
                answers[question.code] = st.radio(
                    label, list(SCALE), format_func=SCALE.get, index=None, horizontal=True, key=key
                )
            else:
                answers[question.code] = st.text_area(label, max_chars=dv.TEXT_LENGTH, key=key)
        sent = st.form_submit_button("Envoyer mes réponses", type="primary")
    if sent:
        try:
            write_voices.answer(engine(), secret, answers)
        except ValidationError as exc:
            forms.show_refusal(exc)
            return
        except (AccessError, BusyError) as exc:
            st.error(fmt.md_escape(str(exc)))
            return
        st.session_state[ANSWERED] = dv.digest(secret)
        clear_reads()
        st.rerun()


def open_form(filters: Filters) -> None:
    """The mission's form: a questionnaire on a project or a fiche, its questions, its number of links."""
    if not session.may(Deed.QUESTIONNAIRE):
        session.read_only("ouvrir un questionnaire des bénéficiaires")
        return
    projects, sheets = read(read_voices.targets)
    on_project = (
        st.radio("Sur", ["projet", "fiche"], horizontal=True, key="vq_on", format_func=str.capitalize) == "projet"
    )
    if on_project:
        names = dict(zip(projects["id"], "n° " + projects["id"].astype(str) + " — " + projects["title"]))
    else:
        names = dict(zip(sheets["id"], sheets["code"] + " — " + sheets["title"]))
    catalogue = read_voices.catalogue()
    texts = {q.code: f"{dv.THEMES[q.theme]} · {q.text} ({dv.KINDS[q.kind].lower()})" for q in catalogue}
    form = "voice-open"
    token = forms.once_token(form)
    with st.form(form):
        target = st.selectbox(
            "Projet" if on_project else "Fiche",
            list(names),
            format_func=labelled(names),
            index=None,
            key="vq_target",
            placeholder=fmt.CHOOSE,
        )
        title = st.text_input("Titre du questionnaire", key="vq_title", placeholder="Avis des bénéficiaires, 2013")
        chosen = st.multiselect(
            "Questions (catalogue data/questionnaire.yaml)",
            list(texts),
            default=list(texts),
            format_func=labelled(texts),
            key="vq_questions",
            placeholder=fmt.CHOOSE,
        )
        links = st.number_input("Nombre de liens (un par personne)", 1, dv.MAX_LINKS, 20, key="vq_links")
        actor = forms.signature("vq_author")
        submitted = st.form_submit_button("Ouvrir le questionnaire", type="primary")

    def opening() -> int:
        where = {"project_id": target} if on_project else {"sheet_id": target}
        opened = write_voices.open_questionnaire(
            engine(), actor, **where, title=title, questions=chosen, links=int(links), once=token
        )
        if isinstance(opened, write_voices.Opened):
            st.session_state[LINKS] = (int(opened), opened.links)
        return opened

    if submitted and target is None:
        st.error(f"Choisissez {'un projet' if on_project else 'une fiche'}.")
    elif submitted and forms.run(opening, lambda made: f"Questionnaire n° {made} ouvert.", actor, once=form):
        st.rerun()


def answer_url(secret: str) -> str:
    """The address of a link's answer page, on the server the person is using."""
    base = str(st.context.url or "").split("?", 1)[0].rsplit("/", 1)[0]
    return f"{base}/reponse?{LINK_PARAM}={secret}"


def opened_links() -> None:
    """The links of the questionnaire just opened, once: a printable list and a CSV file."""
    kept = st.session_state.get(LINKS)
    if not kept:
        return
    made, secrets = kept
    st.warning(
        f"**Les {fmt.number(len(secrets))} liens du questionnaire n° {made}** ne seront plus montrés (la base "
        "n'en garde qu'une empreinte) : téléchargez-les ou imprimez-les maintenant, un par personne.",
        icon=":material/key:",
    )
    frame = pd.DataFrame({"N°": range(1, len(secrets) + 1), "Lien": [answer_url(s) for s in secrets]})
    st.download_button(
        "Télécharger les liens (CSV)",
        frame.to_csv(index=False, sep=";").encode("utf-8-sig"),
        file_name=f"liens-questionnaire-{made}.csv",
        mime="text/csv",
        key="vq_csv",
    )
    st.dataframe(frame, hide_index=True, width="stretch", placeholder=fmt.MISSING)
    if st.button("J'ai gardé les liens", key="vq_forget"):
        st.session_state.pop(LINKS, None)
        st.rerun()


def questionnaire_list() -> None:
    """Every questionnaire opened, with its number of answers."""
    found = read(read_voices.questionnaires)
    if found.empty:
        st.caption("Aucun questionnaire ouvert.")
        return
    st.dataframe(
        found,
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn("N°", format="%d"),
            "about": "Projet ou fiche",
            "title": "Titre",
            "links": st.column_config.NumberColumn("Liens", format="%d"),
            "answers": st.column_config.NumberColumn("Réponses", format="%d"),
            "opened_at": st.column_config.DatetimeColumn("Ouvert le", format="DD/MM/YYYY"),
            "author": "Par",
        },
        placeholder=fmt.MISSING,
    )
