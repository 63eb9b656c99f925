"""Streamlit views that render essdash's data: records (project, fiche, place), indicator and
equity tables, the presentation's views, and the column labels of every table shown.

Like :mod:`essdash.ui.frame`, this module is Streamlit-aware; it reads through :func:`essdash.ui.frame.read`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.domain.vocabulary import (
    CommentBody,
    InterventionMode,
    LegalForm,
    OpinionValue,
    ProjectStatus,
    Provenance,
    Sector,
    SheetStatus,
)
from essdash.read import pack, queries
from essdash.render import pack_charts
from essdash.ui.frame import read

REGISTER_COLUMNS = {
    "id": st.column_config.NumberColumn("N°", format="%d", width="small"),
    "title": st.column_config.TextColumn("Projet", width="large"),
    "carrier": st.column_config.TextColumn("Porteur"),
    "legal_form": st.column_config.TextColumn("Forme juridique"),
    "commune": st.column_config.TextColumn("Commune"),
    "territory": st.column_config.TextColumn("Territoire"),
    "status": st.column_config.TextColumn("Étape"),
    "sheets": st.column_config.TextColumn("Fiches"),
    "sector": st.column_config.TextColumn("Filière"),
    "intervention_mode": st.column_config.TextColumn("Mode d'intervention"),
    "amount": st.column_config.NumberColumn("Montant engagé (€)", format="localized"),
    "jobs_created": st.column_config.NumberColumn("Emplois créés", format="localized"),
    "jobs_maintained": st.column_config.NumberColumn("Emplois maintenus", format="localized"),
    "beneficiaries": st.column_config.NumberColumn("Bénéficiaires", format="localized"),
    "priority_district": st.column_config.CheckboxColumn("Quartier prioritaire"),
    "proposed_on": st.column_config.DateColumn("Proposé le", format="DD/MM/YYYY"),
}


def project_record(project_id) -> bool:
    """The record of one project: identity, place, fiches, money, jobs and its dated steps.
    Returns whether the project exists."""
    try:
        detail = read(queries.project_detail, int(project_id))
    except (TypeError, ValueError):
        detail = None
    if detail is None:
        st.error(f"Projet n° {fmt.md_escape(project_id)} introuvable.")
        return False
    st.divider()
    esc = fmt.md_escape
    st.subheader(f"Projet n° {detail['id']} — {esc(detail['title'])}")
    st.caption(esc(detail["description"]))
    left, middle, right = st.columns(3)
    places = ", ".join([detail["commune"], *detail["further_communes"]])
    left.markdown(
        f"**Porteur** : {esc(detail['carrier'])} ({LegalForm(detail['legal_form']).label})  \n"
        f"**Commune(s)** : {places}  \n**Territoire** : {detail['territory']}  \n"
        f"**Quartier prioritaire** : {'oui' if detail['priority_district'] else 'non'}"
    )
    middle.markdown(
        f"**Étape** : {ProjectStatus(detail['status']).label}  \n"
        f"**Filière** : {Sector(detail['sector']).label}  \n"
        f"**Mode d'intervention** : {InterventionMode(detail['intervention_mode']).label}  \n"
        f"**Proposé le** : {fmt.day(detail['proposed_on'])}  \n"
        f"**Début** : {fmt.day(detail['start_date'])} · **Fin** : {fmt.day(detail['end_date'])}"
    )
    right.markdown(
        f"**Emplois créés** : {fmt.number(detail['jobs_created'])}  \n"
        f"**Emplois maintenus** : {fmt.number(detail['jobs_maintained'])}  \n"
        f"**Bénéficiaires** : {fmt.number(detail['beneficiaries'])}  \n"
        f"**Montant engagé** : {fmt.money(detail['fundings']['amount'].sum())}"
    )
    st.markdown(
        "**Fiches du plan servies** : "
        + (" · ".join(f"{s['code']} {s['title']}" for s in detail["sheets"]) or "aucune")
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
    return True


def place_summary(summary: dict | None) -> None:
    """The clicked or selected place: its figures against the metropolitan average."""
    if summary is None:
        st.caption("Cliquez sur une commune ou un territoire pour afficher son résumé.")
        return
    st.subheader(summary["name"])
    if not summary["member"]:
        st.info("Cette commune n'était pas encore membre de la métropole sur la période choisie.")
        return
    st.caption(f"{fmt.number(summary['population'])} habitants")
    st.metric("Projets", fmt.number(summary["projects"]))
    st.metric("Montant engagé", fmt.money(summary["money"]))
    st.metric("Emplois créés", fmt.number(summary["jobs_created"]))
    for key, label, decimals, unit in (
        ("projects_per_10k", "Projets pour 10 000 hab.", 1, ""),
        ("money_per_inhabitant", "Montant par habitant", 2, " €"),
        ("jobs_per_10k", "Emplois créés pour 10 000 hab.", 1, ""),
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


CATALOGUE_COLUMNS = {
    "category": st.column_config.TextColumn("Catégorie"),
    "label": st.column_config.TextColumn("Indicateur", width="medium"),
    "unit": st.column_config.TextColumn("Unité"),
    "direction": st.column_config.TextColumn("Sens", help="up : plus c'est mieux ; down : moins c'est mieux"),
    "level": st.column_config.TextColumn("Niveau"),
    "kind": st.column_config.TextColumn("Type", help="entered : saisi ; computed : calculé à partir du registre"),
    "formula": st.column_config.TextColumn("Formule", width="large"),
    "definition": st.column_config.TextColumn("Définition", width="large"),
    "source": st.column_config.TextColumn("Source"),
}
HISTORY_COLUMNS = {
    "territory_code": "Territoire",
    "commune_code": "Commune",
    "value": "Valeur",
    "provenance": "Provenance",
    "source": "Source",
    "recorded_at": st.column_config.DatetimeColumn("Enregistré le", format="DD/MM/YYYY HH:mm"),
    "recorded_by": "Par",
    "superseded_at": st.column_config.DatetimeColumn("Remplacé le", format="DD/MM/YYYY HH:mm"),
}


def entry_grid(grid: pd.DataFrame, unit: str, scope: str) -> list[dict]:
    """The entry grid inside a form: per territory, the value (typed in French habits, « 12,5 »),
    its provenance and its source. Returns the rows as typed; keys depend on ``scope``."""
    provenances = Provenance.labels()
    head = st.columns([2, 2, 2, 3])
    for column, title in zip(head, ("Territoire", f"Valeur ({unit})", "Provenance", "Source")):
        column.markdown(f"**{title}**")
    rows = []
    for row in grid.itertuples():
        name, value, provenance, source = st.columns([2, 2, 2, 3])
        name.markdown(row.name)
        rows.append(
            {
                "code": row.code,
                "value": value.text_input(
                    f"Valeur {row.name}", row.value, key=f"v-{scope}-{row.code}", label_visibility="collapsed"
                ),
                "provenance": provenance.selectbox(
                    f"Provenance {row.name}",
                    list(provenances),
                    key=f"p-{scope}-{row.code}",
                    format_func=provenances.get,
                    index=list(provenances).index(row.provenance) if isinstance(row.provenance, str) else 0,
                    label_visibility="collapsed",
                ),
                "source": source.text_input(
                    f"Source {row.name}",
                    row.source if isinstance(row.source, str) else "",
                    key=f"s-{scope}-{row.code}",
                    label_visibility="collapsed",
                ),
            }
        )
    return rows


def indicator_gaps(gaps: pd.DataFrame, indicator: dict) -> None:
    """Metropolitan value against target, with the gap, for the semesters that have a target."""
    if gaps.empty:
        st.caption("Pas de cible fixée pour cet indicateur.")
        return
    decimals = 0 if indicator["unit"] in ("emplois", "personnes", "€") else 1
    last = gaps.iloc[-1]
    verdict = "atteinte" if last["met"] else "non atteinte"
    st.metric(
        f"Métropole, {fmt.period_label(last['period'])}",
        f"{fmt.number(last['value'], decimals)} {indicator['unit']}",
        delta=f"{fmt.number(last['gap'], decimals)} par rapport à la cible ({verdict})",
        delta_color="normal" if indicator["direction"] == "up" else "inverse",
    )


def indicator_table(values: pd.DataFrame, indicator: dict) -> None:
    """Values as a table: places in rows, semesters in columns."""
    table = values.pivot_table(index="place_name", columns="period", values="value", aggfunc="first")
    table.columns = [fmt.period_label(p) for p in table.columns]
    st.dataframe(
        table,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(c, format="localized") for c in table.columns},
    )


def equity_columns(spec) -> dict:
    """Column labels of the equity tables for one measure."""
    return {
        "name": st.column_config.TextColumn("Lieu"),
        "territory": st.column_config.TextColumn("Territoire"),
        "communes": st.column_config.NumberColumn("Communes", format="%d"),
        "population": st.column_config.NumberColumn("Habitants", format="localized"),
        "size_class": st.column_config.TextColumn("Taille"),
        "distance_km": st.column_config.NumberColumn("Distance à Lille (km)", format="%.1f"),
        spec.count: st.column_config.NumberColumn(spec.label, format="localized"),
        spec.rate: st.column_config.NumberColumn(spec.rate_title, format="%.2f"),
        "lq": st.column_config.NumberColumn(
            "Quotient de localisation", format="%.2f", help="1 = part des projets égale à la part de la population"
        ),
        "flag": st.column_config.TextColumn("Entonnoir (99,8 %)"),
    }


COVERAGE_COLUMNS = {
    "classe": "Classe",
    "communes": st.column_config.NumberColumn("Communes", format="%d"),
    "communes_touchees": st.column_config.NumberColumn("Communes touchées", format="%d"),
    "part_communes": st.column_config.NumberColumn("Part des communes", format="percent"),
    "population": st.column_config.NumberColumn("Habitants", format="localized"),
    "part_population": st.column_config.NumberColumn("Part des habitants touchés", format="percent"),
    "total": st.column_config.NumberColumn("Total", format="localized"),
}
WHITE_SPOT_COLUMNS = {
    "insee_code": "Code INSEE",
    "name": "Commune",
    "territory": "Territoire",
    "population": st.column_config.NumberColumn("Habitants", format="localized"),
    "latest": st.column_config.DateColumn("Dernier projet proposé", format="DD/MM/YYYY"),
}


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
    "jobs": st.column_config.NumberColumn("Emplois créés", format="%d"),
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
                "jobs_created": st.column_config.NumberColumn("Emplois créés", format="%d"),
            },
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
                    f"- {fmt.day(event.at)} — {field} : **{values}** — {esc(event.comment)} _({esc(event.author)})_"
                )
            else:
                st.markdown(
                    f"- {fmt.day(event.at)} — commentaire : {esc(event.comment)} _({esc(event.author)}, "
                    f"{esc(CommentBody.labels().get(event.role, event.role))})_"
                )


SHEET_CHANGE_COLUMNS = {
    "code": "Fiche",
    "title": "Intitulé",
    "changed_at": st.column_config.DatetimeColumn("Le", format="DD/MM/YYYY"),
    "field": "Champ",
    "old_value": "Avant",
    "new_value": "Après",
    "author": "Par",
    "comment": "Pourquoi",
}
DIFF_COLUMNS = {
    "id": st.column_config.NumberColumn("N°", format="%d"),
    "title": "Intitulé",
    "proposed_on": st.column_config.DateColumn("Proposé le", format="DD/MM/YYYY"),
    "date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
    "from_status": "Avant",
    "to_status": "Après",
    "author": "Par",
    "value": "Avis",
    "comment": "Commentaire",
    "code": "Fiche",
    "changed_at": st.column_config.DatetimeColumn("Le", format="DD/MM/YYYY"),
    "field": "Champ",
    "old_value": "Avant",
    "new_value": "Après",
}
PIPELINE_COLUMNS = {
    "territory": "Territoire",
    "step": "Étape",
    "projects": st.column_config.NumberColumn("Projets", format="%d"),
    "median_days": st.column_config.NumberColumn("Attente médiane (jours)", format="%d"),
    "max_days": st.column_config.NumberColumn("Attente maximale (jours)", format="%d"),
}
MEETING_COLUMNS = {
    "date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
    "body_label": "Instance",
    "title": "Intitulé",
    "attendance": st.column_config.NumberColumn("Participants", format="%d"),
    "notes": "Relevé de décisions",
}


def presentation_view(meeting_pack, slide: int) -> None:
    """One full-width view of the presentation: 0 is the title, then one view per pack section."""
    esc = fmt.md_escape
    if slide == 0:
        st.title(meeting_pack.title)
        st.header(esc(meeting_pack.subtitle))
        st.markdown(f"{fmt.period_label(meeting_pack.period)} · {esc(meeting_pack.place)}")
        return
    section = meeting_pack.sections[slide - 1]
    st.header(esc(section.title))
    if section.figures:
        for column, (label, value, change) in zip(st.columns(len(section.figures)), section.figures):
            column.metric(label, value, delta=change or None, delta_color="off")
    for sentence in section.sentences:
        st.markdown(f"- {esc(sentence)}")
    for title, chart in section.charts:
        st.markdown(f"**{esc(title)}**")
        st.altair_chart(pack_charts.draw(chart), width="stretch")
    for title, table in section.tables:
        st.markdown(f"**{esc(title)}**")
        st.dataframe(table, hide_index=True, width="stretch")


PACK_FORMATS = (
    ("pdf", "Dossier de séance (PDF)", "application/pdf"),
    ("pptx", "Diaporama (PowerPoint)", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)


def pack_downloads(engine: Engine, period: str, territory: str | None) -> None:
    """Download buttons of the meeting pack; each file is rendered only when asked for."""
    from essdash.render import report

    meeting_pack = read(pack.build, period, territory)
    for column, (kind, label, mime) in zip(st.columns(len(PACK_FORMATS)), PACK_FORMATS):
        column.download_button(
            label,
            data=lambda kind=kind: report.render(meeting_pack, kind),
            file_name=report.filename(meeting_pack, kind),
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            key=f"download-{kind}",
        )
