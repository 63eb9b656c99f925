"""Carry-over from the 2011–2014 plan to the fictional 2015–2020 one: the projects still open on an
old fiche are linked to the new fiche, their steps, opinions and old links stay whole; refusals
leave the database byte-identical. Expected projects are read with plain SQL and literal steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from essdash.__main__ import main
from essdash.domain.errors import ValidationError
from essdash.read import followup, plans, queries
from essdash.read.selection import resolve
from essdash.store.db import make_engine
from essdash.write import plans as write_plans
from essdash.write.actor import Actor
from essdash.write.plans import carry_over as plan_carry_over
from tests.fixtures.samples import dump, xlsx_file
from tests.fixtures.stores import connect

LOCAL = Actor("Claire Martin", "mission ESS")
REAL, FICTIONAL = "PMDE-ESS-2011-2014", "FICTIF-2015-2020"
FILE = Path(__file__).parents[1] / "fixtures" / "plan_fictif.yaml"
OPEN_SQL = """
SELECT DISTINCT p.id FROM project p
JOIN projectsheet ps ON ps.project_id = p.id
JOIN actionsheet s ON s.id = ps.sheet_id
JOIN axis a ON a.id = s.axis_id JOIN plan pl ON pl.id = a.plan_id
WHERE pl.code = 'PMDE-ESS-2011-2014' AND s.code IN ({codes}) AND p.status NOT IN ('realise', 'abandonne')
"""
LINKED_SQL = """
SELECT ps.project_id FROM projectsheet ps JOIN actionsheet s ON s.id = ps.sheet_id
JOIN axis a ON a.id = s.axis_id JOIN plan pl ON pl.id = a.plan_id
WHERE pl.code = 'FICTIF-2015-2020' AND s.code = ?
"""


@pytest.fixture
def base(demo_copy):
    engine = make_engine(demo_copy)
    write_plans.import_plan(engine, LOCAL, FILE.read_bytes(), FILE.name)
    yield engine
    engine.dispose()


def _path(engine):
    """What ``dump`` compares: the engine (a SQLite file's iterdump, or every row on a server)."""
    return engine


def _of(line: str, tables) -> bool:
    """Whether a dumped line is a row of one of ``tables`` (SQLite's iterdump, or the rows on a server)."""
    return any(f'INSERT INTO "{t}"' in line or line.startswith(f"{t} (") for t in tables)


def _rows(engine, sql: str, *args) -> set:
    with connect(engine) as conn:
        return {r[0] for r in conn.execute(sql, args)}


def test_open_projects_are_linked_to_the_new_fiche_and_keep_their_history(base):
    expected = _rows(base, OPEN_SQL.format(codes="'III.4', 'II.2'"))
    closed = _rows(base, OPEN_SQL.format(codes="'III.4', 'II.2'").replace("NOT IN", "IN"))
    assert expected and closed  # the demo has both on these fiches
    kept = ("projectevent", "opinion", "actionsheethistory")
    history = [line for line in dump(_path(base)) if _of(line, kept)]
    assert history  # the demo has steps and opinions: the comparison below is not empty
    real_tree = followup.sheet_tree(base, resolve(base, plan=REAL))
    done = plan_carry_over.carry_over(base, LOCAL, REAL, FICTIONAL, [("III.4", "I.1"), ("II.2", "I.1")])
    assert (done.correspondences, done.links) == (2, len(expected))
    assert _rows(base, LINKED_SQL, "I.1") == expected
    assert [line for line in dump(_path(base)) if _of(line, kept)] == history
    assert followup.sheet_tree(base, resolve(base, plan=REAL)).equals(real_tree)
    fictive = followup.sheet_tree(base, resolve(base, plan=FICTIONAL)).set_index("code")
    assert fictive.loc["I.1", "projects"] == len(expected)
    listed = plans.correspondences(base, FICTIONAL)
    assert [tuple(r) for r in listed[["old_plan", "old_code", "new_code"]].itertuples(index=False)] == [
        (REAL, "II.2", "I.1"),
        (REAL, "III.4", "I.1"),
    ]
    carried = queries.project_detail(base, min(expected))["sheets"]
    assert (FICTIONAL, "I.1") in {(s["plan"], s["code"]) for s in carried}
    assert {s["plan"] for s in carried} == {REAL, FICTIONAL}
    again = plan_carry_over.carry_over(base, LOCAL, REAL, FICTIONAL, [("III.4", "I.1")])
    assert (again.correspondences, again.links) == (0, 0)


@pytest.mark.parametrize(
    ("old", "new", "pairs", "message"),
    [
        (FICTIONAL, REAL, [("I.1", "III.4")], "doit commencer après"),
        ("ATLANTIDE", FICTIONAL, [("I.1", "I.1")], "plan « ATLANTIDE » inconnu"),
        (REAL, FICTIONAL, [("IV.1", "I.1")], "fiche « IV.1 » absente du plan « PMDE-ESS-2011-2014 »"),
        (REAL, FICTIONAL, [("III.4", "III.4")], "fiche « III.4 » absente du plan « FICTIF-2015-2020 »"),
        (REAL, FICTIONAL, [], "aucune correspondance"),
    ],
)
def test_a_refused_carry_over_leaves_the_base_byte_identical(base, old, new, pairs, message):
    before = dump(_path(base))
    with pytest.raises(ValidationError, match=message):
        plan_carry_over.carry_over(base, LOCAL, old, new, pairs)
    assert dump(_path(base)) == before


def test_command_line_carry_over_from_a_file(base, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", str(base.url))
    expected = _rows(base, OPEN_SQL.format(codes="'III.4'"))
    sheet = tmp_path / "reprise.xlsx"
    sheet.write_bytes(xlsx_file([["Ancienne fiche", "Nouvelle fiche"], ["III.4", "II.11"]]))
    assert main(["plan", "reprise", str(sheet), "--de", REAL, "--vers", FICTIONAL]) == 0
    assert f"1 correspondance(s) ajoutée(s), {len(expected)} projet(s) rattaché(s)" in capsys.readouterr().out
    assert _rows(base, LINKED_SQL, "II.11") == expected
    wrong = tmp_path / "faux.xlsx"
    wrong.write_bytes(xlsx_file([["Fiche", "Cible"], ["III.4", "II.11"]]))
    assert main(["plan", "reprise", str(wrong), "--de", REAL, "--vers", FICTIONAL]) == 2
    assert "colonnes « ancienne fiche » et « nouvelle fiche »" in capsys.readouterr().err
