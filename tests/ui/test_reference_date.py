"""The reference date (« Situation au … ») through app.py: chosen in the sidebar or the URL, shown by
the page frame, carried across pages and applied to the figures; and the French of the pages that
show it (agenda labels, Équité decimals, signatures, the indicator headline of a territory)."""

import html
import json
import re
from datetime import date

from essdash.domain import fmt
from essdash.domain.vocabulary import CommentBody, OpinionValue, ProjectStatus, SheetStatus
from essdash.read import indicators, proceedings
from essdash.read.selection import resolve
from tests.fixtures.stores import connect

BANNER = "**Situation au 31/12/2013** — ce n'est pas la dernière date des données"


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _banner(at) -> str:
    return html.unescape(" ".join(w.value for w in at.warning))


def _column_configs(at) -> list[dict]:
    """The column settings sent with every table of the page (label, format…), by column."""
    configs = []
    for frame in at.dataframe:
        columns = frame.proto.columns
        configs.append(json.loads(columns) if columns else {})
    return configs


def test_a_past_date_in_the_url_shows_the_banner_and_the_figures_of_that_day(app, demo_url):
    with connect(demo_url) as conn:
        proposed = conn.execute("SELECT COUNT(*) FROM project WHERE proposed_on <= '2013-12-31'").fetchone()[0]
        everything = conn.execute("SELECT COUNT(*) FROM project").fetchone()[0]
    assert 0 < proposed < everything
    at = app(au="2013-12-31")
    assert not at.exception and not at.error
    assert BANNER in _banner(at)
    assert _metrics(at)["Projets"] == fmt.number(proposed)
    assert at.selectbox(key="flt_au").value == date(2013, 12, 31)
    caption = " ".join(c.value for c in at.caption)
    assert (
        "Toute la métropole · situation au 31/12/2013 · projets proposés du 1er semestre 2011 au 2e semestre 2013"
        in (caption)
    )


def test_the_latest_date_has_no_banner_and_says_its_date_place_and_period(app, demo_url):
    with connect(demo_url) as conn:
        everything = conn.execute("SELECT COUNT(*) FROM project").fetchone()[0]
    at = app(territoire="est")
    assert "ce n'est pas la dernière date" not in _banner(at)
    assert _metrics(at)["Projets"] != fmt.number(everything)  # the territory's count, not the metropolis's
    caption = " ".join(c.value for c in at.caption)
    assert "Territoire Est · situation au 15/12/2014 · projets proposés du 1er semestre 2011 au 2e semestre 2014" in (
        caption
    )


def test_the_date_chosen_in_the_sidebar_goes_to_the_url_and_survives_a_page_switch(app):
    at = app()
    options = at.selectbox(key="flt_au").options
    assert options[0] == "15/12/2014 (dernière date des données)"
    assert "31/12/2013 (fin du 2e semestre 2013)" in options and "30/06/2011 (fin du 1er semestre 2011)" in options
    at.selectbox(key="flt_au").select(date(2013, 12, 31)).run()
    assert at.query_params["au"] in ("2013-12-31", ["2013-12-31"])
    assert "31/12/2013" in _banner(at)
    at.switch_page("pages/plan.py").run()
    assert not at.exception and not at.error
    assert "31/12/2013" in _banner(at) and at.selectbox(key="flt_au").value == date(2013, 12, 31)
    at.selectbox(key="flt_au").select(date(2014, 12, 15)).run()
    assert "au" not in at.query_params and "ce n'est pas la dernière date" not in _banner(at)


def test_an_unknown_date_in_the_url_is_ignored_in_french(app):
    at = app(au="2013-11-05")
    assert "Date « 2013-11-05 » non proposée" in _banner(at)
    assert "ce n'est pas la dernière date" not in _banner(at)


def test_the_plan_shows_the_fiches_as_they_stood_that_day(app, demo_url):
    with connect(demo_url) as conn:
        first_changes = conn.execute(
            "SELECT sheet_id, old_value FROM actionsheethistory h WHERE field = 'status' AND changed_at = "
            "(SELECT MIN(changed_at) FROM actionsheethistory WHERE sheet_id = h.sheet_id AND field = 'status')"
        ).fetchall()
        before_any = {
            code
            for (code,) in conn.execute(
                "SELECT code FROM actionsheet WHERE id IN (SELECT sheet_id FROM actionsheethistory "
                "WHERE field = 'status' GROUP BY sheet_id HAVING MIN(changed_at) > '2011-07-01')"
            )
        }
    assert first_changes and before_any
    at = app("pages/plan.py", au="2011-06-30")
    tree = at.dataframe[0].value.set_index("code")
    labels = SheetStatus.labels()
    olds = dict(first_changes)
    with connect(demo_url) as conn:
        ids = dict(conn.execute("SELECT code, id FROM actionsheet").fetchall())
    for code in before_any:
        assert tree.loc[code, "status_label"] == labels[olds[ids[code]]]


def test_the_agenda_shows_french_labels_not_codes(app, demo_engine):
    at = app("pages/comite.py")
    assert not at.exception and not at.error
    codes = set(SheetStatus.labels()) | set(ProjectStatus.labels()) | set(OpinionValue.labels()) | {"status"}
    changed = proceedings.agenda(demo_engine, resolve(demo_engine)).sheets_changed
    assert not changed.empty
    opinions, shown = at.dataframe[0], at.dataframe[1].value  # the opinions table first, editable
    assert opinions.editing_mode == "fixed" and at.dataframe[1].editing_mode == "read_only"
    assert not codes & set(shown[["field", "old_value", "new_value"]].astype(str).stack())
    assert set(shown["field"]) <= {"Statut", "Avancement déclaré"}
    changed_config, late_config = _column_configs(at)[1:3]
    assert changed_config["code"]["label"] == late_config["code"]["label"] == "Fiche"
    assert changed_config["field"]["label"] == "Champ"


def test_equity_tables_show_decimals_in_the_reader_locale(app):
    at = app("pages/equite.py")
    assert not at.exception and not at.error
    formats = [c.get("type_config", {}).get("format") for config in _column_configs(at) for c in config.values()]
    assert "localized" in formats
    assert not [f for f in formats if f and re.search(r"%\.\d+f", f)]


def test_a_comment_is_signed_once_with_the_chosen_role_on_the_demo_day(writable_app):
    make, engine = writable_app
    at = make("pages/projets.py", projet="4", state={"pa_tab": "Commentaires"})
    at.selectbox(key="cbody-projet").select(CommentBody.FORUM)
    at.text_area(key="ctext-projet").input("Très bon ancrage local.")
    at.text_input(key="sig-comment-projet").input("Claire Martin")
    at.selectbox(key="sig-comment-projet-role").select("mission ESS")
    next(b for b in at.button if b.label == "Ajouter le commentaire").click().run()
    assert not at.error, [e.value for e in at.error]
    lines = [html.unescape(md.value) for md in at.markdown if "Très bon ancrage local" in md.value]
    assert lines == [
        "- 15 décembre 2014 — **Claire Martin (mission ESS) · Forum des acteurs** : Très bon ancrage local."
    ]
    # signed once per session: the next forms show the signature instead of asking again
    assert not [w for w in at.text_input if w.key == "sig-comment-projet"]
    signatures = [html.unescape(c.value).replace("\u2060", "") for c in at.caption if "Signé" in c.value]
    assert any("Signé : Claire Martin (mission ESS)" in text for text in signatures), signatures
    with connect(engine) as conn:
        author, created = conn.execute("SELECT author, created_at FROM comment").fetchone()
    assert author == "Claire Martin (mission ESS)" and str(created).startswith("2014-12-15")


def test_an_opinion_is_signed_with_the_role_of_its_author(writable_app):
    make, engine = writable_app
    at = make("pages/comite.py")
    first = int(proceedings.awaiting_opinion(engine)["id"].iloc[0])
    rows = list(at.dataframe[0].value["id"])  # the opinions table, one row per awaiting proposal
    edits = {rows.index(first): {"opinion": OpinionValue.FAVORABLE.label}}
    at.session_state["opinions_grid"] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    at.text_input(key="sig-opinions").input("Jean Dupont")
    at.selectbox(key="sig-opinions-role").select("présidence du comité")
    next(b for b in at.button if b.label == "Enregistrer les avis").click().run()
    assert not at.error, [e.value for e in at.error]
    with connect(engine) as conn:
        (author,) = conn.execute(
            "SELECT author FROM projectevent WHERE project_id = ? ORDER BY id DESC LIMIT 1", (first,)
        ).fetchone()
    assert author == "Jean Dupont (présidence du comité)"


def test_the_indicator_headline_is_the_selected_territory_value(app, demo_engine):
    at = app("pages/indicateurs.py", territoire="lys")
    at.selectbox(key="i_code").set_value("part_cdi").run()
    values = indicators.series(demo_engine, "part_cdi", resolve(demo_engine), "2011-S1", "2014-S2").values
    lys = values[values["place"] == "lys"].sort_values("period").iloc[-1]
    with connect(demo_engine) as conn:
        state = conn.execute(
            "SELECT state FROM semesterapproval WHERE territory_code = 'lys' AND period = ?", (lys["period"],)
        ).fetchone()
    # a value not yet validated (nor locked) by the mission ESS is marked « provisoire »
    checked = state is not None and state[0] in ("valide", "verrouille")
    metric = at.metric[0]
    label = f"Territoire de la Lys, {fmt.period_label(lys['period'])}"
    assert metric.label == (label if checked else f"{label} (provisoire)")
    assert metric.value.startswith(fmt.number(lys["value"], 1))
