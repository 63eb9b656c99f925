"""Streamlit records of the register and the plan: a project, a place against the metropolis, a fiche,
and the column labels of the project register and the fiche tables.

Like :mod:`essdash.ui.frame`, this module is Streamlit-aware; it reads through :func:`essdash.ui.frame.read`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from essdash.domain import fields, fmt
from essdash.domain.field_kinds import Field, FieldType
from essdash.domain.vocabulary import (
    CommentBody,
    InterventionMode,
    LegalForm,
    OpinionValue,
    ProjectStatus,
    Sector,
    SheetStatus,
)
from essdash.read import queries
from essdash.ui import voices_results
from essdash.ui.frame import read

REGISTER_PAGE_ROWS = 200  # rows of the register sent to the browser at once
LARGEST_ID = 2**63 - 1  # the largest key both stores hold (SQLite's INTEGER, PostgreSQL's BIGINT)
_NUMBERS = (FieldType.INTEGER, FieldType.COUNT, FieldType.MONEY, FieldType.NUMBER)


def field_column(field: Field, **options):
    """A table column showing the declared ``field``: its label, and the format of its type."""
    if field.type is FieldType.IDENTIFIER:
        return st.column_config.NumberColumn(field.label, format="%d", **options)
    if field.type in _NUMBERS:
        return st.column_config.NumberColumn(field.label, format="localized", **options)
    if field.type is FieldType.BOOLEAN:
        return st.column_config.CheckboxColumn(field.label, **options)
    if field.type is FieldType.DATE:
        return st.column_config.DateColumn(field.label, format="DD/MM/YYYY", **options)
    return st.column_config.TextColumn(field.label, **options)


_P = fields.PROJECTS
_WIDTHS = {"id": "small", "title": "large"}
# The register's columns (queries.register_fields) but the commune's code (read, not shown); the
# carrier's legal form under the organisations' label.
REGISTER_COLUMNS = {
    name: field_column(
        fields.ORGANISATIONS["legal_form"] if name == "legal_form" else field,
        **({"width": _WIDTHS[name]} if name in _WIDTHS else {}),
    )
    for name, field in queries.register_fields().items()
    if name != "insee_code"
}
# The fields of the view « record » that :func:`project_record` lays out by hand; it lists the others.
RECORD_BY_HAND = frozenset(
    {"id", "title", "description", "carrier", "carrier_legal_form", "commune", "further_communes", "territory"}
    | {"priority_district", "status", "sector", "intervention_mode", "proposed_on", "start_date", "end_date"}
    | {"jobs_created", "jobs_maintained", "beneficiaries", "amount", "sheets"}
)


def field_text(field: Field, value: Any) -> str:
    """The value of the declared ``field`` in French, for Markdown: a count or an amount grouped
    (« 1 234 », « 1 234 € »), a whole number as it is (« 2024 »), a date dd/mm/yyyy, a truth « oui »
    or « non », a code by its label, a text escaped; « – » when missing."""
    if value is None or value != value:  # NaN and NaT are the only values unequal to themselves
        return fmt.MISSING
    if field.type is FieldType.MONEY:
        return fmt.money(value)
    if field.type is FieldType.COUNT:
        return fmt.number(value)
    if field.type in (FieldType.IDENTIFIER, FieldType.INTEGER):  # a number or a year: not grouped
        return str(int(value))
    if field.codes is not None:
        return fmt.md_escape(field.codes.labels().get(str(value), str(value)))
    return fmt.md_escape(fmt.cell(value))


def declared_lines(detail: dict) -> list[str]:
    """« **label** : value » for each field of the view « record » stored in a project's column
    that :func:`project_record` does not lay out by hand (:data:`RECORD_BY_HAND`)."""
    return [
        f"**{field.label}** : {field_text(field, detail.get(field.column))}"
        for field in fields.PROJECTS.shown_in("record")
        if field.key not in RECORD_BY_HAND and field.column is not None
    ]


def signed_by(author: str, role: str | None = None, body: str | None = None) -> str:
    """Who signed, escaped for Markdown, with the role once: « Claire Martin (technicien) » (an author
    already written with its role keeps it), then the body spoken for unless it is that role
    (« · Forum des acteurs »)."""
    text = author if not role or author.rstrip().endswith(")") else f"{author} ({role})"
    label = CommentBody.labels().get(body, body) if body else ""
    if label and label.lower() not in text.lower():
        text += f" · {label}"
    return fmt.md_escape(text)


def project_record(project_id) -> bool:
    """The record of one project: identity, place, fiches, money, jobs and its dated steps.
    Returns whether the project exists: an id that is no whole number from 1 to :data:`LARGEST_ID`
    (``?projet=abc``, ``-1``, 23 digits) is « introuvable » without asking the base."""
    try:
        number = int(project_id)
    except (TypeError, ValueError):
        number = None
    detail = read(queries.project_detail, number) if number is not None and 0 < number <= LARGEST_ID else None
    if detail is None:
        st.error(f"Projet n° {fmt.md_escape(project_id)} introuvable.")
        return False
    st.divider()
    esc = fmt.md_escape
    st.subheader(f"Projet n° {detail['id']} — {esc(detail['title'])}")
    st.caption(esc(detail["description"]))
    left, middle, right = st.columns(3)
    places = ", ".join(esc(name) for name in [detail["commune"], *detail["further_communes"]])
    left.markdown(
        f"**Porteur** : {esc(detail['carrier'])} ({LegalForm(detail['legal_form']).label})  \n"
        f"**Commune(s)** : {places}  \n**Territoire** : {esc(detail['territory'])}  \n"
        f"**{_P.label('priority_district')}** : {'oui' if detail['priority_district'] else 'non'}"
    )
    middle.markdown(
        f"**{_P.label('status')}** : {ProjectStatus(detail['status']).label}  \n"
        f"**{_P.label('sector')}** : {Sector(detail['sector']).label}  \n"
        f"**{_P.label('intervention_mode')}** : {InterventionMode(detail['intervention_mode']).label}  \n"
        f"**{_P.label('proposed_on')}** : {fmt.day(detail['proposed_on'])}  \n"
        f"**{_P.label('start_date')}** : {fmt.day(detail['start_date'])} · "
        f"**{_P.label('end_date')}** : {fmt.day(detail['end_date'])}"
    )
    right.markdown(
        "  \n".join(
            f"**{_P.label(key)}** : {fmt.number(detail[key])}"
            for key in ("jobs_created", "jobs_maintained", "beneficiaries")
        )
        + "  \n"
        f"**Montant engagé** : {fmt.money(detail['fundings']['amount'].sum())}"
    )
    if lines := declared_lines(detail):
        st.markdown("  \n".join(lines))
    several = len({s["plan"] for s in detail["sheets"]}) > 1  # carried over to a later plan
    st.markdown(
        "**Fiches du plan servies** : "
        + (
            " · ".join(
                f"{s['code']} {esc(s['title'])}" + (f" ({esc(s['plan'])})" if several else "") for s in detail["sheets"]
            )
            or "aucune"
        )
    )
    money_col, steps_col = st.columns(2)
    with money_col:
        st.markdown("**Financements**")
        if detail["fundings"].empty:
            st.caption("Aucun financement engagé.")
        else:
            st.dataframe(
                detail["fundings"],
                hide_index=True,
                width="stretch",
                column_config={
                    "funder": "Financeur",
                    "type": "Type",
                    "amount": st.column_config.NumberColumn("Montant (€)", format="localized"),
                    "year": st.column_config.NumberColumn("Année", format="%d"),
                },
                placeholder=fmt.MISSING,
            )
    with steps_col:
        st.markdown("**Étapes**")
        for step in detail["events"].itertuples():
            opinion = f" — avis {OpinionValue(step.opinion).label.lower()}" if step.opinion else ""
            where = f" ({step.meeting})" if step.meeting else ""
            st.markdown(
                f"- {fmt.day(step.date)} : **{step.to_status}**{opinion}{esc(where)}  \n"
                f"  {esc(step.comment)} _({esc(step.author)})_"
            )
    voices_results.project_voices(detail["id"])
    return True


def place_summary(summary: dict | None) -> None:
    """The clicked or selected place: its figures against the metropolitan average."""
    if summary is None:
        st.caption("Cliquez sur une commune ou un territoire pour afficher son résumé.")
        return
    st.subheader(fmt.md_escape(summary["name"]))
    if not summary["member"]:
        st.info("Cette commune n'était pas encore membre de la métropole sur la période choisie.")
        return
    st.caption(f"{fmt.number(summary['population'])} habitants")
    st.metric("Projets", fmt.number(summary["projects"]))
    st.metric("Montant engagé", fmt.money(summary["money"]))
    st.metric(_P.label("jobs_created"), fmt.number(summary["jobs_created"]))
    for key, label, decimals, unit in (
        ("projects_per_10k", "Projets pour 10 000 hab.", 1, ""),
        ("money_per_inhabitant", "Montant par habitant", 2, " €"),
        ("jobs_per_10k", "Emplois prévus pour 10 000 hab.", 1, ""),
    ):
        value, metro = summary[key], summary["metro"][key]
        delta = None if pd.isna(value) or pd.isna(metro) else value - metro
        st.metric(
            label,
            f"{fmt.number(value, decimals)}{unit}",
            delta=None if delta is None else f"{fmt.number(delta, decimals)}{unit} / métropole",
            delta_color="normal",
            help=f"Moyenne métropolitaine : {fmt.number(metro, decimals)}{unit}",
        )


SHEET_COLUMNS = {
    "fiche": st.column_config.TextColumn("Fiche", width="small"),
    "title": st.column_config.TextColumn("Intitulé", width="large"),
    "status_label": st.column_config.TextColumn("Statut"),
    "late": st.column_config.CheckboxColumn("En retard"),
    "progress": st.column_config.ProgressColumn("Avancement déclaré", min_value=0, max_value=100, format="%d %%"),
    "computed_progress": st.column_config.ProgressColumn(
        "Avancement calculé", min_value=0, max_value=100, format="%.0f %%"
    ),
    "pilot": st.column_config.TextColumn("Pilote"),
    "planned_end": st.column_config.DateColumn("Fin prévue", format="DD/MM/YYYY"),
    "projects": st.column_config.NumberColumn("Projets", format="%d"),
    "money": st.column_config.NumberColumn("Montant (€)", format="localized"),
    "jobs": st.column_config.NumberColumn(_P.label("jobs_created"), format="%d"),
}


def sheet_record(detail: dict, row: pd.Series) -> None:
    """A fiche: its text, actions, linked projects and dated timeline of changes and comments."""
    esc = fmt.md_escape
    st.divider()
    st.subheader(f"{detail['code']} — {esc(detail['title'])}")
    late = " · **en retard**" if row["late"] else ""
    st.markdown(
        f"Axe : {esc(detail['axis_title'])}  \n**Statut** : {SheetStatus(detail['status']).label}{late} · "
        f"**avancement déclaré** {detail['progress']} % · calculé {fmt.number(row['computed_progress'])} %  \n"
        f"**Pilote** : {esc(detail['pilot'])} · **prévu** du {fmt.day(detail['planned_start'])} "
        f"au {fmt.day(detail['planned_end'])}"
    )
    st.caption(esc(detail["summary"]))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Actions** ({int(detail['actions']['done'].sum())} réalisée(s) sur {len(detail['actions'])})")
        for action in detail["actions"].itertuples():
            st.markdown(f"- {'✔' if action.done else '○'} {esc(action.title)}")
        st.markdown(f"**Projets liés** ({len(detail['projects'])})")
        st.dataframe(
            detail["projects"],
            hide_index=True,
            width="stretch",
            column_config={
                "id": st.column_config.NumberColumn("N°", format="%d"),
                "title": "Projet",
                "commune": "Commune",
                "status": "Étape",
                "jobs_created": st.column_config.NumberColumn(_P.label("jobs_created"), format="%d"),
            },
            placeholder=fmt.MISSING,
        )
    with right:
        st.markdown("**Historique et commentaires**")
        if detail["timeline"].empty:
            st.caption("Aucun changement enregistré.")
        for event in detail["timeline"].itertuples():
            if event.kind == "change":
                field = "statut" if event.field == "status" else "avancement"
                values = (
                    f"{SheetStatus.labels().get(event.old_value, event.old_value)} → "
                    f"{SheetStatus.labels().get(event.new_value, event.new_value)}"
                    if event.field == "status"
                    else f"{event.old_value} % → {event.new_value} %"
                )
                st.markdown(
                    f"- {fmt.day(event.at)} — {field} : **{values}** — {esc(event.comment)} "
                    f"_({signed_by(event.author, event.role)})_"
                )
            else:
                st.markdown(
                    f"- {fmt.day(event.at)} — commentaire : {esc(event.comment)} "
                    f"_({signed_by(event.author, body=event.role)})_"
                )


def register_page(register: pd.DataFrame) -> pd.DataFrame:
    """The rows of the register to show, in the columns it shows: one page of :func:`paged`."""
    register = register[[column for column in REGISTER_COLUMNS if column in register.columns]]
    return paged(register, "register_page", "Page du registre", ("projet", "projets"))


def without_none(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """``frame`` for ``st.dataframe`` without Streamlit's English « None », which it draws in every
    missing cell whatever the column's type: the columns that miss a value become French text
    (:func:`essdash.domain.fmt.cell`, « – » where missing), right-aligned when they hold numbers;
    with the column configuration that aligns them. For previews: a text column sorts as text."""
    shown, config = frame.copy(), {}
    for column in frame.columns[frame.isna().any()]:
        shown[column] = frame[column].map(fmt.cell)
        if pd.api.types.is_numeric_dtype(frame[column]):
            config[column] = st.column_config.TextColumn(alignment="right")
    return shown, config


def paged(frame: pd.DataFrame, key: str, title: str, noun: tuple[str, str]) -> pd.DataFrame:
    """All rows of ``frame`` up to :data:`REGISTER_PAGE_ROWS`, else one page, chosen in French
    (« page k sur m ») in a selectbox titled ``title``, with a caption counting the rows (``noun``:
    singular and plural); the browser gets that page only."""
    pages = -(-len(frame) // REGISTER_PAGE_ROWS)
    if pages <= 1:
        return frame
    if st.session_state.get(key, 1) > pages:  # the filters shrank the table
        st.session_state[key] = 1

    def label(k: int) -> str:
        first, last = (k - 1) * REGISTER_PAGE_ROWS + 1, min(k * REGISTER_PAGE_ROWS, len(frame))
        return f"page {k} sur {pages} ({noun[1]} {fmt.number(first)} à {fmt.number(last)})"

    page = st.selectbox(title, range(1, pages + 1), format_func=label, key=key, placeholder=fmt.CHOOSE)
    st.caption(f"{fmt.plural(len(frame), *noun)}, page {page} sur {pages}.")
    start = (page - 1) * REGISTER_PAGE_ROWS
    return frame.iloc[start : start + REGISTER_PAGE_ROWS]
