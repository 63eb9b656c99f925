"""Hostile plan files, built in code: refused in French before the work they ask for is done, through
:func:`read_plan`, the plan import and the command line, the base left as it was.

On main before these budgets: 3,4 Ko of YAML aliases took 77 s and 961 MB; a self-referencing
alias, 5 000 nested « [ » or 300 nested ``children`` ended in an uncaught ``RecursionError``; a plan
file had no size limit, and an XLSX plan's sub-fiches were found by walking every fiche for each.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from essdash.__main__ import main
from essdash.domain import limits
from essdash.domain.errors import ImportFileError, ValidationError
from essdash.write import plans
from essdash.write.actor import Actor
from essdash.write.plans import file as plan_file
from tests.fixtures.samples import dump, xlsx_file

LOCAL = Actor("Claire Martin", "mission ESS")
FICTIONAL = Path(__file__).parents[1] / "fixtures" / "plan_fictif.yaml"
FACTS = plan_file.PlanFacts(code="F-22", title="Plan fictif", start="01/01/2022", end="31/12/2026", source="démo")
HEADER = ["Axe", "Fiche", "Titre de la fiche", "Fiche parente"]
PLAN_HEAD = "plan: {code: P, title: T, start: '2022-01-01', end: '2026-12-31', source: s}\n"


def _laughs() -> bytes:
    """Nine levels of ten aliases each: 10⁹ strings of 2 400 characters once expanded, in about 3 Ko."""
    lines = [f'a0: &a0 "{"ha" * 1200}"']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    return ("\n".join(lines) + "\n" + PLAN_HEAD).encode()


def _nested_children(depth: int) -> bytes:
    sheet = "{code: X0, title: t}"
    for level in range(1, depth + 1):
        sheet = f"{{code: X{level}, title: t, children: [{sheet}]}}"
    return f"{PLAN_HEAD}axes: [{{code: I, title: A, fiches: [{sheet}]}}]\n".encode()


def _yaml_plan(sheets: int) -> bytes:
    fiches = ", ".join(f"{{code: F{i}, title: Fiche {i}}}" for i in range(sheets))
    return f"{PLAN_HEAD}axes: [{{code: I, title: A, fiches: [{fiches}]}}]\n".encode()


REFUSED_YAML = [
    (_laughs(), "ligne 1 : les ancres et alias YAML (« & », « * ») ne sont pas acceptés"),
    (b"a: &a [*a]\n" + PLAN_HEAD.encode(), "ligne 1 : les ancres et alias YAML"),
    (b"a: &a\n  b: *a\n", "ligne 1 : les ancres et alias YAML"),
    (PLAN_HEAD.encode() + b"x: &seul 1\n", "ligne 2 : les ancres et alias YAML"),
    (b"plan: " + b"[" * 5000 + b"]" * 5000, "ligne 1 : plus de 20 niveaux imbriqués"),
    (_nested_children(300), "ligne 2 : plus de 20 niveaux imbriqués"),
]
IDS = ["laughs", "self", "self-mapping", "anchor-only", "brackets", "children"]


def test_the_laughs_are_three_kilobytes():
    assert 2_500 < len(_laughs()) < 3_500


@pytest.mark.parametrize(("data", "message"), REFUSED_YAML, ids=IDS)
def test_aliases_anchors_and_deep_nesting_are_refused_before_anything_is_built(data, message):
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError) as refused:
            plan_file.read_plan(data, "plan.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(refused.value).startswith(f"Le fichier « plan.yaml » est refusé : {message}")
    assert peak < 10_000_000


def test_a_plan_as_deep_as_a_real_one_is_still_read():
    plan = plan_file.read_plan(_nested_children(1), "plan.yaml")
    assert [(s.code, [c.code for c in s.children]) for s in plan.axes[0].sheets] == [("X1", ["X0"])]


@pytest.mark.parametrize(("data", "message"), REFUSED_YAML[:2] + REFUSED_YAML[-1:], ids=IDS[:2] + IDS[-1:])
def test_the_command_line_refuses_them_in_french_and_writes_nothing(
    empty_engine, monkeypatch, capsys, tmp_path, data, message
):
    monkeypatch.setenv("DATABASE_URL", str(empty_engine.url))
    path = tmp_path / "plan.yaml"
    path.write_bytes(data)
    before = dump(empty_engine)
    assert main(["plan", "import", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"Erreur : Le fichier « plan.yaml » est refusé : {message}")
    assert dump(empty_engine) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"plan: [1, 2", "n'est pas un YAML lisible : erreur ligne 1, colonne 12."),
        (
            PLAN_HEAD.encode() + b"n: " + b"7" * 5000 + b"\n",
            "n'est pas un YAML lisible : une valeur ne peut pas être lue.",
        ),
        (b"plan: \xff\n", "n'est pas un YAML lisible : il n'est pas en UTF-8 (octet n° 7)."),
    ],
)
def test_an_unreadable_yaml_is_said_in_french(data, message):
    with pytest.raises(ImportFileError) as refused:
        plan_file.read_plan(data, "plan.yaml")
    assert str(refused.value) == f"Le fichier « plan.yaml » {message}"


def test_a_plan_file_over_the_size_limit_is_refused_whatever_its_format(empty_engine):
    fits = FICTIONAL.read_bytes()
    fits += b"#" * (limits.PLAN_BYTES - len(fits) - 1) + b"\n"
    assert len(fits) == limits.PLAN_BYTES == 512 * 1024
    assert plan_file.read_plan(fits, "plan.yaml").code == "FICTIF-2015-2020"
    before = dump(empty_engine)
    for data, name in ((fits + b"#", "plan.yaml"), (b"PK\x03\x04" + b"\x00" * limits.PLAN_BYTES, "plan.xlsx")):
        with pytest.raises(ImportFileError) as refused:
            plans.import_plan(empty_engine, LOCAL, data, name)
        assert str(refused.value) == (
            f"Le fichier « {name} » est trop volumineux pour un plan d'actions (512,0 Kio) : 512 Kio au plus."
        )
    assert dump(empty_engine) == before


def test_a_plan_of_more_fiches_than_a_plan_has_is_refused_in_both_formats():
    assert len(plan_file.read_plan(_yaml_plan(1000), "plan.yaml").axes[0].sheets) == 1000
    rows = [["I", f"F{i}", f"Fiche {i}", None] for i in range(1001)]
    assert len(plan_file.read_plan(xlsx_file([HEADER, *rows[:1000]]), "plan.xlsx", FACTS).axes[0].sheets) == 1000
    for data, name in ((_yaml_plan(1001), "plan.yaml"), (xlsx_file([HEADER, *rows]), "plan.xlsx")):
        with pytest.raises(ImportFileError) as refused:
            plan_file.read_plan(data, name, FACTS if name.endswith("xlsx") else None)
        assert str(refused.value) == f"Le fichier « {name} » décrit plus de 1\u202f000 fiches : ce n'est pas un plan."


def test_a_chain_of_parent_fiches_in_a_workbook_is_reported_not_followed():
    rows = [["I", "F0", "Fiche 0", None]] + [["I", f"F{i}", f"Fiche {i}", f"F{i - 1}"] for i in range(1, 900)]
    with pytest.raises(ValidationError) as refused:
        plan_file.read_plan(xlsx_file([HEADER, *rows]), "plan.xlsx", FACTS)
    deeper = [i for i in refused.value.issues if i[1] == "Fiche parente"]
    assert len(deeper) == 898  # F2 … F899: each names a parent that is itself a sub-fiche
    assert deeper[0] == ("Ligne 4", "Fiche parente", "« F1 » n'est pas une fiche de premier niveau du même axe.")
