"""The « Données ouvertes » tab of a project: its carrier's SIRET and RNA number and the convention
facts of its fundings, as the SCDL « Subventions » format publishes them. The form calls
:func:`essdash.write.opendata.facts.save_open_data` through :func:`essdash.ui.forms.run`."""

from __future__ import annotations

import streamlit as st

from essdash.domain import fmt, subsidies
from essdash.domain.vocabulary import Deed, FundingType
from essdash.read.opendata import scdl
from essdash.ui import session
from essdash.ui.cache import read
from essdash.ui.choices import labelled
from essdash.ui.forms import FORM_HINT, run, signature
from essdash.write.opendata import facts as opendata_facts

YES_NO = {True: "oui", False: "non"}
HELP = (
    "Champs facultatifs, publiés au format national SCDL « Subventions » 2.1.1 (données essentielles des "
    "conventions de subvention, décret 2017-779). Une subvention sans date de convention, nature, conditions "
    "et dates de versement, notification UE, ou sans SIRET ni RNA du porteur, n'est pas publiée."
)


def _funding(item: dict) -> dict:
    """The inputs of one funding's facts."""
    fid = item["id"]
    label = f"{item['funder']} — {FundingType(item['type']).label} — {fmt.money(item['amount'])} ({item['year']})"
    with st.expander(label, expanded=item["type"] == FundingType.GRANT.value):
        c1, c2 = st.columns(2)
        natures = list(subsidies.NATURES)
        share = item["beneficiary_share"]
        return {
            "convention_date": c1.date_input(
                "Date de la convention", value=item["convention_date"], format="DD/MM/YYYY", key=f"od_date_{fid}"
            ),
            "decision_reference": c2.text_input(
                "Référence de la décision", item["decision_reference"] or "", key=f"od_ref_{fid}"
            ),
            "nature": c1.selectbox(
                "Nature de la subvention",
                natures,
                index=natures.index(item["nature"]) if item["nature"] in natures else None,
                placeholder=fmt.CHOOSE,
                key=f"od_nature_{fid}",
            ),
            "payment_conditions": c2.text_input(
                "Conditions de versement",
                item["payment_conditions"] or "",
                help="« unique », « échelonné », ou une description (moins de 256 caractères)",
                key=f"od_conditions_{fid}",
            ),
            "payment_dates": c1.text_input(
                "Date ou période de versement",
                _shown_dates(item["payment_dates"]),
                help="jj/mm/aaaa, ou jj/mm/aaaa - jj/mm/aaaa",
                key=f"od_dates_{fid}",
            ),
            "eu_notification": c2.selectbox(
                "Aide notifiée à la Commission européenne",
                list(YES_NO),
                format_func=labelled(YES_NO),
                index=None if item["eu_notification"] is None else list(YES_NO).index(item["eu_notification"]),
                placeholder=fmt.CHOOSE,
                key=f"od_eu_{fid}",
            ),
            "beneficiary_share": c1.text_input(
                "Part du bénéficiaire",
                "" if share is None else f"{fmt.number(share * 100)} %",
                help="100 % pour un seul bénéficiaire",
                key=f"od_share_{fid}",
            ),
            "aid_scheme": c2.text_input(
                "Dispositif d'aide (appel à projets)", item["aid_scheme"] or "", key=f"od_scheme_{fid}"
            ),
        }


def _shown_dates(value: str | None) -> str:
    """``2013-03-14/2014-03-14`` → « 14/03/2013 - 14/03/2014 »."""
    if not value:
        return ""
    return " - ".join("/".join(reversed(part.split("-"))) for part in value.split("/"))


def open_data(engine, project_id: int) -> None:
    """The form of a project's open-data facts."""
    if not session.may(Deed.PROJECT, project_id=project_id):
        session.read_only("modifier les données ouvertes de ce projet")
        return
    facts = read(scdl.project_facts, project_id)
    carrier = facts["carrier"]
    if carrier is None:
        return
    with st.form(f"open-data-{project_id}"):
        st.markdown(FORM_HINT.format(button="Enregistrer les données ouvertes"))
        st.caption(HELP)
        c1, c2 = st.columns(2)
        given_carrier = {
            "siret": c1.text_input(
                f"SIRET de « {carrier['name']} »", carrier["siret"] or "", help="14 chiffres", key="od_siret"
            ),
            "rna": c2.text_input("N° RNA (association)", carrier["rna"] or "", help="W et 9 chiffres", key="od_rna"),
        }
        given = {item["id"]: _funding(item) for item in facts["fundings"]}
        if not facts["fundings"]:
            st.caption("Aucun financement enregistré pour ce projet.")
        actor = signature("sig-open-data")
        submitted = st.form_submit_button("Enregistrer les données ouvertes", type="primary")
    if submitted and run(
        lambda: opendata_facts.save_open_data(engine, actor, project_id, given_carrier, given),
        "Données ouvertes enregistrées.",
        actor,
    ):
        st.rerun()
