"""The Données page's three tabs: import a partner's spreadsheet (its worksheet, the placing of its
columns, the defaults of what it does not say, a preview, then all or nothing), export any filtered
view, and back up or restore the base."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial

import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt, limits
from essdash.domain.errors import AccessError, EssdashError
from essdash.domain.vocabulary import Deed, FundingType, InterventionMode, Sector
from essdash.read import exports as io_export
from essdash.read.filters import Filters, to_complete
from essdash.spreadsheet.columns import KINDS
from essdash.store import backup
from essdash.ui import forms, session
from essdash.ui.cache import clear_reads, read
from essdash.ui.choices import labelled
from essdash.ui.filters import place_caption, project_filters
from essdash.ui.records import paged, without_none
from essdash.write import admin
from essdash.write import imports as io_import
from essdash.write.imports import preview as import_preview
from essdash.write.imports.rows import ImportOptions

# exported views of projects, which the project filters narrow
PROJECT_VIEWS = {"projects", "organisations", "fundings", "sheets", "equity_communes", "equity_territories"} | {
    view for view in io_export.VIEWS if view.startswith("leverage_")
}


IGNORED = "(ignorée)"
FULL_ISSUES = 200  # up to this many issues, shown as a table whose messages are never cut


def _plan(engine: Engine, uploaded, kind: str, options: ImportOptions):
    """The preview of the uploaded file, kept until the file, the kind or the choices change (importing
    validates again)."""
    key = (uploaded.file_id, kind, options)
    if st.session_state.get("imp_plan_key") != key:
        st.session_state["imp_plan"] = import_preview.prepare(engine, uploaded.getvalue(), uploaded.name, kind, options)
        st.session_state["imp_plan_key"] = key
    return st.session_state["imp_plan"]


def _options(kind: str, plan, base: ImportOptions) -> ImportOptions:
    """The person's choices: a saved mapping or each column's field, and the defaults of a projects file
    (``base`` keeps the worksheet and what the gate lets the person write, which the preview checks)."""
    mapping = dict(base.mapping or ())
    offered = None
    if plan is not None and plan.saved:
        names = [name for name, _ in plan.saved]
        offered = st.selectbox(
            "Correspondance enregistrée pour ces en-têtes",
            [None, *names],
            key="imp_saved",
            format_func=lambda n: "Aucune (proposition automatique)" if n is None else n,
            placeholder=fmt.CHOOSE,
        )
        if offered is not None:
            mapping = dict(plan.saved[names.index(offered)][1])
    if plan is not None and plan.placed:
        fields = [c for c in KINDS[kind].columns if not c.computed]
        labels = {c.key: c.header for c in fields}
        with st.expander("Correspondance des colonnes", expanded=bool(plan.errors)):
            columns = st.columns(3)
            for i, placed in enumerate(p for p in plan.placed if p.header):
                current = mapping.get(placed.header, placed.key)
                choice = columns[i % 3].selectbox(
                    placed.header,
                    [None, *labels],
                    index=[None, *labels].index(current) if current in labels or current is None else 0,
                    format_func=lambda k: IGNORED if k is None else labels[k],
                    key=f"imp_map_{i}_{offered or ''}",  # fresh choices when a saved mapping is chosen
                    placeholder=fmt.CHOOSE,
                )
                if choice != placed.key or placed.how == "choisi" or placed.header in mapping:
                    mapping[placed.header] = choice
    changes: dict = {"mapping": tuple(sorted(mapping.items())) or None}
    if kind == "projects":
        c1, c2, c3, c4, c5 = st.columns(5)
        changes["sector"] = c1.selectbox(
            "Filière par défaut",
            [s.value for s in Sector],
            index=len(Sector) - 1,
            format_func=lambda v: Sector(v).label,
            key="imp_sector",
            placeholder=fmt.CHOOSE,
        )
        changes["mode"] = c2.selectbox(
            "Mode d'intervention par défaut",
            [s.value for s in InterventionMode],
            index=len(InterventionMode) - 1,
            format_func=lambda v: InterventionMode(v).label,
            key="imp_mode",
            placeholder=fmt.CHOOSE,
        )
        changes["funder"] = c3.text_input("Financeur par défaut", value=base.funder, key="imp_funder") or base.funder
        year = c4.number_input(
            "Année des financements",
            min_value=1990,
            max_value=2100,
            value=None,
            key="imp_year",
            placeholder="celle du début du projet",
        )
        changes["funding_year"] = int(year) if year else None
        changes["funding_type"] = c5.selectbox(
            "Type des financements",
            [t.value for t in FundingType],
            index=[t.value for t in FundingType].index(base.funding_type),
            format_func=lambda v: FundingType(v).label,
            key="imp_funding_type",
            placeholder=fmt.CHOOSE,
        )
    return replace(base, **changes)


def _after_write() -> None:
    """After an import or a restore: fresh reads, and no stale import plan."""
    clear_reads()
    for key in ("imp_plan", "imp_plan_key"):
        st.session_state.pop(key, None)


def _preview(plan) -> None:
    st.markdown(
        f"**{fmt.md_escape(plan.table.file_name)}** : {fmt.md_escape(plan.table.description)}, "
        f"en-tête ligne {plan.header_row}."
    )
    left, right = st.columns([2, 3])
    left.dataframe(plan.columns_frame(), hide_index=True, width="stretch", placeholder=fmt.MISSING)
    if not plan.sample.empty:
        right.dataframe(plan.sample, hide_index=True, width="stretch", placeholder=fmt.MISSING)
    st.info(plan.summary(), icon=":material/rule:")
    for line in plan.default_lines():
        st.caption(f"Par défaut : {fmt.md_escape(line)}")
    if plan.communes:
        st.dataframe(
            [
                {"Commune saisie": typed, "Commune reconnue": name, "Code INSEE": code}
                for typed, name, code in plan.communes
            ],
            hide_index=True,
            width="stretch",
            key="imp_communes",
            placeholder=fmt.MISSING,
        )
    for what, names in plan.created.items():
        st.warning(f"Seront aussi créés ({what}) : {fmt.md_escape(', '.join(names))}.")
    for when in plan.previous:
        st.warning(f"Ce fichier a déjà été importé {fmt.md_escape(when)} ; le réimporter ne crée pas de doublon.")
    if plan.errors:
        st.error(
            f"{fmt.plural(len(plan.errors), 'erreur')} : corrigez le fichier puis déposez-le à nouveau. "
            "Rien ne sera écrit tant qu'il reste une erreur."
        )
    issues = plan.issues_frame()
    if len(issues) > FULL_ISSUES:
        st.dataframe(issues, hide_index=True, width="stretch", key="imp_issues", placeholder=fmt.MISSING)
    elif not issues.empty:
        st.table(issues.set_index("Ligne"))


def _apply(engine: Engine, plan, actor) -> None:
    """The import button, signed by ``actor``; a done import reruns with a fresh uploader."""
    if not st.button(f"Importer {fmt.plural(plan.rows, 'ligne')}", type="primary", disabled=not plan.ok, key="imp_go"):
        return
    try:
        result = io_import.apply(engine, plan, actor)
    except EssdashError as exc:
        st.error(fmt.md_escape(str(exc)))
        return
    forms.remember(actor)
    _after_write()
    st.session_state["imp_round"] += 1  # a fresh, empty file uploader
    saved = " Une sauvegarde de la base a été prise juste avant." if result.backup else ""
    st.session_state["imp_done"] = (
        f"Import de « {fmt.md_escape(plan.table.file_name)} » terminé : {result.summary()}{saved}"
    )
    st.rerun()


def import_tab(engine: Engine) -> None:
    """Choose the kind of rows, download an empty template, upload a file, see its preview, import it
    (a technician's rows checked against their territory in the preview already)."""
    if done := st.session_state.pop("imp_done", None):
        st.success(done, icon=":material/check_circle:")
    if not session.may(Deed.IMPORT):
        session.read_only("importer des fichiers")
        return
    _to_complete(engine)
    kind = st.selectbox(
        "Nature des lignes du fichier",
        list(KINDS),
        format_func=lambda k: KINDS[k].label,
        key="imp_kind",
        placeholder=fmt.CHOOSE,
    )
    st.caption(
        f"Une ligne déjà présente (même {KINDS[kind].natural_key}) est mise à jour, jamais dupliquée ; "
        "une cellule vide ne change rien. CSV (séparateur ; , ou tabulation, UTF-8 ou Windows-1252) ou .xlsx."
    )
    st.download_button(
        "Modèle vide (CSV)",
        data=io_export.template(kind),
        file_name=f"modele-{kind}.csv",
        mime="text/csv",
        key="imp_template",
        on_click="ignore",
        icon=":material/description:",
    )
    uploaded = st.file_uploader(
        "Fichier à importer",
        type=["csv", "txt", "tsv", "xlsx"],
        key=f"imp_file_{st.session_state.setdefault('imp_round', 0)}",
        max_upload_size=limits.IMPORT_MIB,  # the browser refuses a larger file, in French (ui/french.py)
    )
    st.caption(
        "Glissez le fichier dans le cadre ci-dessus, ou cliquez sur « Choisir un fichier » pour le choisir "
        f"(CSV ou XLSX, {limits.at_most(limits.IMPORT_MIB)}) ; la croix le retire."
    )
    if uploaded is None:
        return
    actor = session.current()
    try:  # the preview checks every row against the person's scope and role, as the import will
        bound = io_import.limited(engine, actor, ImportOptions())[1] if actor is not None else ImportOptions()
    except AccessError as exc:
        st.error(fmt.md_escape(str(exc)))
        return
    previous = (
        st.session_state.get("imp_plan")
        if st.session_state.get("imp_plan_key", (None,))[0] == uploaded.file_id
        else None
    )
    try:
        if previous is None or previous.kind.code != kind:
            previous = _plan(engine, uploaded, kind, bound)  # the proposed reading
        worksheets = previous.table.worksheets
        worksheet = (
            st.selectbox("Feuille", worksheets, key="imp_worksheet", placeholder=fmt.CHOOSE)
            if len(worksheets) > 1
            else None
        )
        options = _options(kind, previous, replace(bound, worksheet=worksheet))
        plan = _plan(engine, uploaded, kind, options)
    except EssdashError as exc:
        st.error(fmt.md_escape(str(exc)))
        return
    _preview(plan)
    actor = forms.signature("imp_author")
    _save_mapping(engine, plan, actor)
    _apply(engine, plan, actor)


def _save_mapping(engine: Engine, plan, actor) -> None:
    """Save the confirmed placing of columns under the source's name, to be offered again."""
    c1, c2 = st.columns([3, 1])
    name = c1.text_input("Nom de la source (pour réutiliser cette correspondance)", key="imp_source")
    if c2.button("Enregistrer la correspondance", disabled=not name, key="imp_save_map"):
        try:
            io_import.save_mapping(engine, plan, name, actor)
        except EssdashError as exc:
            st.error(fmt.md_escape(str(exc)))
            return
        st.success(f"Correspondance enregistrée sous « {fmt.md_escape(name)} ».")


def _to_complete(engine: Engine) -> None:
    """What imports left to complete: projects « à qualifier », carriers of legal form « autre »."""
    left = read(to_complete)
    if left:
        st.caption("Reste à compléter : " + " · ".join(fmt.md_escape(line) for line in left))


def export_tab(engine: Engine, place: Filters) -> None:
    """Choose a view (narrowed by the project filters when it is about projects) and a format; see it, download it."""
    view = st.selectbox(
        "Vue à exporter",
        list(io_export.VIEWS),
        format_func=labelled(io_export.VIEWS),
        key="exp_view",
        placeholder=fmt.CHOOSE,
    )
    filters = project_filters(place) if view in PROJECT_VIEWS else place
    formats = [k for k in io_export.FORMATS if k != "geojson" or view == "projects"]
    file_format = st.radio("Format", formats, format_func=io_export.FORMATS.get, horizontal=True, key="exp_format")
    table = read(io_export.frame, view, filters)
    st.caption(
        f"{fmt.plural(len(table), 'ligne')} · {place_caption(filters)} · les textes commençant par "
        "= + - @ sont précédés d'une apostrophe pour qu'aucun tableur ne les exécute."
    )
    shown, config = without_none(paged(table, "exp_page", "Page de l'aperçu", ("ligne", "lignes")))
    st.dataframe(
        shown, hide_index=True, width="stretch", key="exp_table", column_config=config, placeholder=fmt.MISSING
    )
    st.download_button(
        "Télécharger",
        data=partial(io_export.file_bytes, engine, view, filters, file_format),
        file_name=io_export.file_name(view, filters, file_format),
        mime=io_export.MIME[file_format],
        key="exp_download",
        on_click="ignore",
        type="primary",
        icon=":material/download:",
    )


def _backup_list(saved: list[dict]) -> None:
    st.dataframe(
        [
            {
                "Fichier": b["name"],
                "Prise le": b["taken_at"],
                "Motif": b["reason"],
                "Taille (Ko)": round(b["size"] / 1024),
            }
            for b in saved
        ],
        hide_index=True,
        width="stretch",
        key="bk_list",
        column_config={"Prise le": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm:ss")},
        placeholder=fmt.MISSING,
    )


def _restore(engine: Engine, server: bool) -> None:
    st.subheader("Restaurer une sauvegarde")
    if not session.may(Deed.RESTORE):
        session.read_only("restaurer une sauvegarde (administrateurs seulement)")
        return
    chosen = st.file_uploader(
        f"Sauvegarde à restaurer (fichier {'.dump' if server else '.db'} d'essdash)",
        key="bk_file",
        max_upload_size=limits.RESTORE_MIB,
    )
    st.caption(
        "Glissez la sauvegarde dans le cadre ci-dessus, ou cliquez sur « Choisir un fichier » pour la choisir "
        f"({limits.at_most(limits.RESTORE_MIB)})."
    )
    confirm = st.checkbox("Je remplace toutes les données actuelles par cette sauvegarde", key="bk_confirm")
    if not st.button("Restaurer", disabled=chosen is None or not confirm, key="bk_go"):
        return
    assert chosen is not None  # the button is disabled without a file
    try:
        before = admin.restore(engine, session.signer(), chosen.getvalue(), chosen.name)
    except EssdashError as exc:
        st.error(fmt.md_escape(str(exc)))
        return
    _after_write()
    st.success(
        f"Base restaurée depuis « {fmt.md_escape(chosen.name)} ». L'état précédent est sauvegardé : {before.name}.",
        icon=":material/settings_backup_restore:",
    )


def backup_tab(engine: Engine) -> None:
    """Download a copy of the base, list the automatic backups, restore one."""
    server = engine.dialect.name == "postgresql"
    if not server and backup.database_file(engine) is None:
        st.info("La base est en mémoire : il n'y a rien à sauvegarder.")
        return
    st.caption(fmt.md_escape(backup.how(engine)))
    if not session.may(Deed.BACKUP):
        session.read_only("télécharger ou restaurer la base")
        return
    st.download_button(
        "Télécharger une copie de la base",
        data=partial(admin.copy, engine, session.signer()),
        file_name=f"essdash-{date.today():%Y%m%d}.{'dump' if server else 'db'}",
        mime="application/octet-stream" if server else "application/vnd.sqlite3",
        key="bk_download",
        on_click="ignore",
        icon=":material/download:",
    )
    saved = backup.backups_of(engine)
    st.caption(
        f"Une sauvegarde est prise avant chaque import, mise à niveau et restauration ; les "
        f"{backup.KEEP} plus récentes sont gardées. {fmt.plural(len(saved), 'sauvegarde')} ici."
    )
    if saved:
        _backup_list(saved)
    _restore(engine, server)
