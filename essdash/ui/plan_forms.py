"""Streamlit forms of the plan (the Plan d'actions page): a fiche's status or declared progress, and
the carry-over of an earlier plan's fiches into the shown one. Each form calls one function of
:mod:`essdash.write` (``plan_sheets``, ``plan_carry_over``) and shows its French refusals beside the form,
through the shared machinery of :mod:`essdash.ui.forms` (signature, run, record versions)."""

from __future__ import annotations

import streamlit as st

from essdash.domain import fmt
from essdash.domain.vocabulary import Deed, SheetStatus
from essdash.read import plans, queries
from essdash.ui import session
from essdash.ui.cache import read
from essdash.ui.choices import labelled, options_of
from essdash.ui.forms import forget_version, remember_version, run, signature
from essdash.write.plans import carry_over as plan_carry_over
from essdash.write.plans import sheets as plan_sheets


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
            options_of(SheetStatus),
            format_func=lambda s: s.label,
            key="sheet_status",
            index=list(SheetStatus).index(SheetStatus(detail["status"])),
            placeholder=fmt.CHOOSE,
        )
        progress = c2.slider("Avancement déclaré (%)", 0, 100, int(detail["progress"]), step=5, key="sheet_progress")
        comment = st.text_area("Pourquoi ? (obligatoire, entre dans l'historique)", key="sheet_comment")
        actor = signature("sig-sheet")
        submitted = st.form_submit_button("Enregistrer", type="primary")
    loaded = remember_version("sheet", detail["id"], current, submitted)
    if submitted and run(
        lambda: plan_sheets.update_sheet(
            engine, actor, detail["id"], loaded, status=status.value, progress=int(progress), comment=comment
        ),
        "Fiche mise à jour.",
        actor,
    ):
        forget_version("sheet", detail["id"])
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
            placeholder=fmt.MISSING,
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
        "Plan d'origine", list(labels), format_func=labelled(labels), key="co_old_plan", placeholder=fmt.CHOOSE
    )
    old = _sheet_choice(c2, "Ancienne fiche", old_plan, "co_old")
    new = _sheet_choice(c3, "Nouvelle fiche", plan, "co_new")
    actor = signature("sig-carry")
    if st.button("Enregistrer la correspondance", type="primary", key="co_save") and run(
        lambda: plan_carry_over.carry_over(engine, actor, old_plan, plan, [(old, new)]),
        lambda r: f"Correspondance {fmt.md_escape(f'{old} → {new}')} : {fmt.plural(r.links, 'projet')} rattaché(s).",
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
