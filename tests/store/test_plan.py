"""The plan catalogue is faithful to the plan's text, and the indicator catalogue is complete."""

import re
import shutil

import pytest

from essdash.domain.errors import ReferenceDataError
from essdash.store.config import DATA_DIR
from essdash.store.plan import load_indicators, load_plan

SECTIONS = ["I.1", "I.2", "II.1", "II.2", "II.3", "III.1", "III.2", "III.3", "III.4", "III.5", "III.6", "III.7"]
SUB_SECTIONS = [
    "II.11",
    "II.12",
    "II.31",
    "II.32",
    "II.33",
    "III.11",
    "III.12",
    "III.51",
    "III.52",
    "III.53",
    "III.54",
    "III.55",
    "III.56",
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "")).strip().lower()


@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture(scope="module")
def source_text():
    return _squash((DATA_DIR / "plan-actions-ess-pmde-2011-2014.txt").read_text(encoding="utf-8"))


def test_every_section_is_a_fiche_with_the_plans_own_title(plan, source_text):
    sheets = {sheet.code: (axis.code, sheet, parent) for axis, sheet, parent in plan.all_sheets()}
    assert sorted(sheets) == sorted(SECTIONS + SUB_SECTIONS)
    for code, (axis_code, sheet, _parent) in sheets.items():
        assert code.split(".")[0] == axis_code
        assert _squash(sheet.title) in source_text, f"{code}: titre absent du texte du plan"
    assert {c for c, (_, _, parent) in sheets.items() if parent} == set(SUB_SECTIONS)
    assert all(sheets[c][2].code == c[:-1] for c in SUB_SECTIONS)


def test_axes_titles_come_from_the_text(plan, source_text):
    assert [a.code for a in plan.axes] == ["I", "II", "III"]
    assert all(_squash(a.title) in source_text for a in plan.axes)
    assert plan.axes[0].title.startswith("Affirmer l'engagement de Lille Métropole")


def test_concrete_actions_are_listed_under_their_fiche(plan):
    by_code = {s.code: s for _, s, _ in plan.all_sheets()}
    finance = " ".join(f"{a.title} {a.text}" for a in by_code["II.2"].actions).lower()
    for expected in (
        "finance solidaire",
        "nord actif",
        "citoyens solidaires",
        "avance remboursable",
        "foncier",
        "monnaies complémentaires",
    ):
        assert expected in finance, expected
    assert sum(len(s.actions) for s in by_code.values()) >= 100
    assert all(a.title and len(a.title) <= 90 for s in by_code.values() for a in s.actions)


def test_intervention_modes_and_governance(plan):
    assert [m["code"] for m in plan.intervention_modes] == [
        "intervention_directe",
        "convention_objectifs",
        "experimentation_transfert",
        "assistance_maitrise_ouvrage",
    ]
    bodies = {b["code"]: b for b in plan.governance_bodies}
    assert bodies["comite_metropolitain"]["meetings_per_year"] == 2
    assert bodies["groupe_techniciens"]["meetings_per_year"] == 12
    assert bodies["forum_acteurs"]["meetings_per_year"] == 2
    assert "conseil_scientifique" in bodies


def test_indicator_catalogue_covers_the_evaluation_dimensions():
    indicators = load_indicators()
    categories = {i["category"] for i in indicators}
    assert {
        "Emploi",
        "Accès à l'emploi",
        "Qualité de l'emploi",
        "Coûts évités",
        "Performance globale",
        "Qualité de vie",
    } <= categories
    for indicator in indicators:
        assert indicator["unit"] and indicator["direction"] in ("up", "down")
        assert indicator["level"] in ("territoire", "commune")
        if indicator["kind"] == "computed":
            assert indicator["formula"], indicator["code"]
    assert len({i["code"] for i in indicators}) == len(indicators)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace("code: II.32", "code: II.3", 1), "en double"),
        (lambda t: t.replace("code: III.7", "code: IV-7", 1), "IV-7"),
        (lambda t: t.replace("axes:", "axez:", 1), "clé manquante"),
        (lambda t: "plan: [unclosed", "illisible"),
    ],
)
def test_malformed_plan_is_refused_in_french(tmp_path, edit, message):
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    path = data_dir / "plan.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=message):
        load_plan(data_dir)


def test_indicator_without_unit_is_refused(tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    path = data_dir / "indicators.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    unit:", "    unite:", 1), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="incomplet"):
        load_indicators(data_dir)
