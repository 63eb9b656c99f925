"""The « Accès » page's parts (administrateurs only): the members with their roles and places, the
forms that add, change and remove one, and the journal of who did what and when, filterable."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.domain.vocabulary import Deed, Role
from essdash.read import members, queries
from essdash.ui import forms, session
from essdash.ui.cache import read
from essdash.ui.choices import labelled, options_of
from essdash.write import members as write_members

NO_TERRITORY = "(aucun)"


def members_table(listed) -> None:
    """The members, one line each, in French."""
    if listed.empty:
        st.info("Aucun membre : ajoutez le premier administrateur ci-dessous ou en ligne de commande.")
        return
    st.dataframe(
        listed.rename(
            columns={
                "email": "Adresse",
                "name": "Nom",
                "role": "Rôle",
                "territory": "Territoire",
                "communes": "Communes",
            }
        )[["Adresse", "Nom", "Rôle", "Territoire", "Communes"]],
        hide_index=True,
        width="stretch",
        key="acc_members",
        placeholder=fmt.MISSING,
    )


def member_form(engine: Engine, listed) -> None:
    """Add a member, or change one (the same e-mail): role, territory and communes."""
    territories = read(queries.territory_options)
    communes = read(queries.commune_options)
    territory_names = dict(zip(territories["code"], territories["name"]))
    commune_names = dict(zip(communes["insee_code"], communes["name"]))
    with st.form("acc-member", clear_on_submit=True):
        st.markdown(forms.FORM_HINT.format(button="Enregistrer le membre"))
        c1, c2 = st.columns(2)
        email = c1.text_input("Adresse électronique *", placeholder="prenom.nom@lillemetropole.fr")
        name = c2.text_input("Nom", placeholder="Prénom Nom (sinon tiré de l'adresse)")
        role = c1.selectbox("Rôle *", options_of(Role), format_func=lambda r: r.label, placeholder=fmt.CHOOSE)
        territory = c2.selectbox(
            "Territoire (technicien)",
            [NO_TERRITORY, *territory_names],
            format_func=lambda c: territory_names.get(c, c),
            placeholder=fmt.CHOOSE,
        )
        chosen = st.multiselect(
            "Communes (technicien d'une ou plusieurs communes)",
            list(commune_names),
            format_func=labelled(commune_names),
            placeholder="Choisir",
        )
        actor = forms.signature("acc-sig")
        submitted = st.form_submit_button("Enregistrer le membre", type="primary")
    if submitted and forms.run(
        lambda: write_members.save_member(
            engine,
            actor,
            email,
            role.value,
            name=name,
            territory=None if territory == NO_TERRITORY else territory,
            communes=chosen,
        ),
        lambda done: f"Membre « {fmt.md_escape(email.strip().lower())} » {done}.",
        actor,
    ):
        st.rerun()
    if listed.empty:
        return
    with st.form("acc-remove"):
        c1, c2 = st.columns([3, 1])
        gone = c1.selectbox("Retirer un membre", listed["email"].tolist(), index=None, placeholder="Choisir")
        actor = forms.signature("acc-remove-sig")
        submitted = c2.form_submit_button("Retirer", icon=":material/person_remove:")
    if (
        submitted
        and gone
        and forms.run(
            lambda: write_members.remove_member(engine, actor, gone),
            f"Membre « {gone} » retiré : il perd l'accès à sa prochaine requête.",
            actor,
        )
    ):
        st.rerun()


def journal(engine: Engine, listed) -> None:
    """Who did what and when, newest first, filtered by account, kind of write and days."""
    c1, c2, c3, c4 = st.columns(4)
    account = c1.selectbox("Compte", listed["email"].tolist(), index=None, placeholder="Tous", key="acc_j_account")
    deeds = Deed.labels()
    deed = c2.selectbox(
        "Action", list(deeds), index=None, format_func=labelled(deeds), placeholder="Toutes", key="acc_j_deed"
    )
    since = c3.date_input("Du", value=None, format="DD/MM/YYYY", key="acc_j_since")
    until = c4.date_input("Au", value=date.today(), format="DD/MM/YYYY", key="acc_j_until")
    lines = members.journal(engine, account=account, deed=deed, since=since, until=until)
    st.caption(
        f"{fmt.plural(len(lines), 'écriture')}"
        + (f" (les {fmt.number(members.JOURNAL_LIMIT)} plus récentes)" if len(lines) >= members.JOURNAL_LIMIT else "")
        + " · « poste local » : écrit sans compte, en mode poste local ou en ligne de commande."
    )
    st.dataframe(
        lines,
        hide_index=True,
        width="stretch",
        key="acc_journal",
        column_config={"Quand": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm")},
        placeholder=fmt.MISSING,
    )


def page(engine: Engine) -> None:
    """The whole « Accès » page; refused to anyone but an administrateur (and the local person)."""
    if not session.is_admin():
        st.error("Cette page est réservée aux administrateurs.")
        return
    if not session.shared():
        st.info(
            "Mode poste local : les membres enregistrés ici serviront quand le tableau de bord sera "
            "déployé en mode partagé (voir le README, « Déploiement partagé »)."
        )
    listed = members.members(engine)
    st.subheader("Membres")
    members_table(listed)
    member_form(engine, listed)
    st.subheader("Journal : qui a fait quoi, quand")
    journal(engine, listed)
