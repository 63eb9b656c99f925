"""Import of a plan (YAML or XLSX): written whole through the gate, or refused in French with the
database byte-identical. Expected counts are read off the fixture files written below, not from
the code under test."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from essdash.__main__ import main
from essdash.domain import models as m
from essdash.domain.errors import AccessError, ImportFileError, ValidationError
from essdash.read import plans as read_plans
from essdash.write import imports, plans
from essdash.write.actor import Actor
from essdash.write.plans import file as plan_file
from tests.fixtures.samples import dump, xlsx_file

LOCAL = Actor("Claire Martin", "mission ESS")
FICTIONAL = Path(__file__).parents[1] / "fixtures" / "plan_fictif.yaml"
HEADER = ["Axe", "Titre de l'axe", "Fiche", "Titre de la fiche", "Fiche parente", "Action", "Pilote", "Début", "Fin"]
ROWS = [
    ["I", "Axe fictif A", "I.1", "Fiche fictive un", None, None, "Mission ESS", "01/01/2022", "31/12/2024"],
    ["I", None, "I.1", None, None, "Action fictive 1", None, None, None],
    ["I", None, "I.1", None, None, "Action fictive 2", None, None, None],
    ["I", None, "I.11", "Sous-fiche fictive", "I.1", None, None, None, None],
    ["II", "Axe fictif B", "II.1", "Fiche fictive deux", None, "Action fictive 3", None, None, None],
]
FACTS = plan_file.PlanFacts(
    code="FICTIF-2022-2026",
    title="Feuille de route fictive 2022-2026",
    start="01/01/2022",
    end="31/12/2026",
    source="plan fictif de démonstration",
    fictional=True,
)


def _path(engine):
    """What ``dump`` compares: the engine (a SQLite file's iterdump, or every row on a server)."""
    return engine


def _sheets(engine, code: str) -> dict[str, tuple]:
    stmt = (
        select(
            m.ActionSheet.code,
            m.Axis.code,
            m.ActionSheet.parent_id,
            m.ActionSheet.planned_start,
            m.ActionSheet.planned_end,
        )
        .join(m.Axis, m.Axis.id == m.ActionSheet.axis_id)
        .join(m.Plan, m.Plan.id == m.Axis.plan_id)
        .where(m.Plan.code == code)
    )
    with engine.connect() as conn:
        return {r[0]: tuple(r[1:]) for r in conn.execute(stmt)}


def test_a_yaml_plan_reusing_the_codes_of_2011_is_imported_whole(empty_engine):
    done = plans.import_plan(empty_engine, LOCAL, FICTIONAL.read_bytes(), FICTIONAL.name)
    assert (done.code, done.axes, done.sheets, done.actions) == ("FICTIF-2015-2020", 2, 4, 3)
    sheets = _sheets(empty_engine, "FICTIF-2015-2020")
    assert set(sheets) == {"I.1", "I.2", "II.1", "II.11"}
    assert sheets["I.1"][0] == "I" and sheets["I.1"][2:] == (date(2015, 1, 1), date(2020, 12, 31))
    assert sheets["I.2"][2:] == (date(2016, 1, 1), date(2018, 12, 31))
    with empty_engine.connect() as conn:
        parent = conn.execute(select(m.ActionSheet.code).where(m.ActionSheet.id == sheets["II.11"][1])).scalar_one()
        journal = conn.execute(select(m.JournalEntry.summary, m.JournalEntry.deed)).all()
    assert parent == "II.1"
    assert journal[-1][1] == "reglages" and "FICTIF-2015-2020 (plan fictif)" in journal[-1][0]
    listed = read_plans.plans(empty_engine)
    assert [(p.code, p.sheets, p.fictional) for p in listed] == [
        ("PMDE-ESS-2011-2014", 25, False),
        ("FICTIF-2015-2020", 4, True),
    ]
    assert listed[1].label == "2015–2020 · FICTIF-2015-2020 (plan fictif de démonstration)"
    assert "I.1" in _sheets(empty_engine, "PMDE-ESS-2011-2014")


def test_an_xlsx_plan_with_one_row_per_fiche_or_action(empty_engine):
    done = plans.import_plan(empty_engine, LOCAL, xlsx_file([HEADER, *ROWS]), "feuille.xlsx", FACTS)
    assert (done.axes, done.sheets, done.actions) == (2, 3, 3)
    sheets = _sheets(empty_engine, "FICTIF-2022-2026")
    assert sheets["I.1"][2:] == (date(2022, 1, 1), date(2024, 12, 31))
    assert sheets["II.1"][2:] == (date(2022, 1, 1), date(2026, 12, 31))
    with empty_engine.connect() as conn:
        actions = (
            conn.execute(
                select(m.Action.title)
                .join(m.ActionSheet)
                .where(m.ActionSheet.id == _ids(conn, "I.1"))
                .order_by(m.Action.position)
            )
            .scalars()
            .all()
        )
        plan = conn.execute(
            select(m.Plan.title, m.Plan.source, m.Plan.fictional).where(m.Plan.code == FACTS.code)
        ).one()
    assert actions == ["Action fictive 1", "Action fictive 2"]
    assert tuple(plan) == ("Feuille de route fictive 2022-2026", "plan fictif de démonstration", True)


def _ids(conn, code: str) -> int:
    return conn.execute(
        select(m.ActionSheet.id).join(m.Axis).join(m.Plan).where(m.Plan.code == FACTS.code, m.ActionSheet.code == code)
    ).scalar_one()


def _yaml(text: str) -> bytes:
    return FICTIONAL.read_text(encoding="utf-8").replace(*text.split(" => ")).encode()


@pytest.mark.parametrize(
    ("data", "name", "facts", "error", "message"),
    [
        (_yaml("code: I.2 => code: I.1"), "p.yaml", None, ValidationError, "fiche « I.1 » en double"),
        (_yaml('  source: "plan fictif => #'), "p.yaml", None, ValidationError, "Plan, Source : valeur manquante"),
        (_yaml("end: '2020-12-31' => end: '2014-12-31'"), "p.yaml", None, ValidationError, "la fin (31/12/2014)"),
        (_yaml("end: '2018-12-31' => end: '31/02/2018'"), "p.yaml", None, ValidationError, "Fiche I.2, Fin"),
        (_yaml("FICTIF-2015-2020 => PMDE-ESS-2011-2014"), "p.yaml", None, ValidationError, "existe déjà"),
        (b"plan: [1, 2", "p.yaml", None, ImportFileError, "n'est pas un YAML lisible"),
        (b"axes: []", "p.yaml", None, ImportFileError, "section « plan: »"),
        (xlsx_file([HEADER, *ROWS]), "f.xlsx", None, ValidationError, "Plan, Code : valeur manquante"),
        (
            xlsx_file([HEADER, *ROWS, ROWS[0][:2] + ["I.1", "Autre titre"]]),
            "f.xlsx",
            FACTS,
            ValidationError,
            "contredit",
        ),
        (xlsx_file([HEADER[2:], *(r[2:] for r in ROWS)]), "f.xlsx", FACTS, ImportFileError, "colonnes attendues (axe)"),
        (xlsx_file([HEADER, ["I", None, "I.11", "x", "II.1"], *ROWS]), "f.xlsx", FACTS, ValidationError, "même axe"),
    ],
)
def test_a_refused_plan_leaves_the_base_byte_identical(empty_engine, data, name, facts, error, message):
    before = dump(_path(empty_engine))
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        plans.import_plan(empty_engine, LOCAL, data, name, facts)
    assert dump(_path(empty_engine)) == before


def test_a_person_who_is_not_a_member_cannot_import_a_plan(empty_engine):
    before = dump(_path(empty_engine))
    with pytest.raises(AccessError, match="Rien n'a été enregistré"):
        plans.import_plan(empty_engine, Actor("x@ailleurs.fr", "compte", "x@ailleurs.fr"), FICTIONAL.read_bytes(), "p")
    assert dump(_path(empty_engine)) == before


def test_command_line_plan_import_and_list(empty_engine, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", str(empty_engine.url))
    assert main(["plan", "import", str(FICTIONAL)]) == 0
    sheet = tmp_path / "feuille.xlsx"
    sheet.write_bytes(xlsx_file([HEADER, *ROWS]))
    options = ["--code", "F-22", "--titre", "T", "--debut", "01/01/2022", "--fin", "31/12/2026", "--source", "s"]
    assert main(["plan", "import", str(sheet), *options, "--fictif"]) == 0
    assert main(["plan", "import", str(sheet)]) == 2
    assert main(["plan", "list"]) == 0
    out, err = capsys.readouterr()
    assert "Plan « FICTIF-2015-2020 » importé : 2 axes, 4 fiches, 3 actions." in out
    assert "Plan, Code : valeur manquante" in err
    listed = [line.split("\t")[:2] for line in out.splitlines() if "\t" in line]
    assert listed == [
        ["2011–2014 · PMDE-ESS-2011-2014", "25 fiches"],
        ["2015–2020 · FICTIF-2015-2020 (plan fictif de démonstration)", "4 fiches"],
        ["2022–2026 · F-22 (plan fictif de démonstration)", "3 fiches"],
    ]


def test_a_projects_file_names_the_plan_of_a_fiche_code_two_plans_share(empty_engine):
    plans.import_plan(empty_engine, LOCAL, FICTIONAL.read_bytes(), FICTIONAL.name)
    header = "Intitulé du projet;Porteur;Forme juridique;Commune;Statut;Fiches\n"
    shared = (header + "Recyclerie;Asso R;association;Roubaix;proposé;I.1\n").encode()
    plan = imports.prepare(empty_engine, shared, "p.csv", "projects")
    assert [str(e) for e in plan.errors] == [
        "Ligne 2, colonne « Fiches » : la fiche « I.1 » existe dans plusieurs plans (FICTIF-2015-2020, "
        "PMDE-ESS-2011-2014) : écrivez « PMDE-ESS-2011-2014:I.1 » pour dire lequel."
    ]
    named = (header + "Recyclerie;Asso R;association;Roubaix;proposé;PMDE-ESS-2011-2014:I.1\n").encode()
    plan = imports.prepare(empty_engine, named, "p.csv", "projects")
    assert plan.ok, plan.report()
    imports.apply(empty_engine, plan, LOCAL)
    real = _sheets(empty_engine, "PMDE-ESS-2011-2014")
    with empty_engine.connect() as conn:
        linked = conn.execute(select(m.ProjectSheet.sheet_id)).scalars().all()
        real_id = conn.execute(
            select(m.ActionSheet.id)
            .join(m.Axis, m.Axis.id == m.ActionSheet.axis_id)
            .join(m.Plan, m.Plan.id == m.Axis.plan_id)
            .where(m.Plan.code == "PMDE-ESS-2011-2014", m.ActionSheet.code == "I.1")
        ).scalar_one()
    assert linked == [real_id] and "I.1" in real


def test_a_new_base_says_where_its_real_plan_comes_from(empty_engine):
    (real,) = read_plans.plans(empty_engine)
    assert real.source == "seed/plan-actions-ess-pmde-2011-2014.txt"  # as data/plan.yaml says
