"""The narrowing of the fiche tree for the Plan d'actions page, on a small tree written by hand."""

import pandas as pd

from essdash.read import sheet_filters

TREE = pd.DataFrame(
    {
        "code": ["I.1", "I.2", "II.1", "II.11", "II.2", "III.1"],
        "parent_code": [None, None, None, "II.1", None, None],
        "axis": ["I", "I", "II", "II", "II", "III"],
        "status": ["en_cours", "realisee", "en_pause", "en_cours", "en_cours", "a_lancer"],
        "late": [False, False, True, True, False, True],
        "projects": [2.0, 0.0, 5.0, 0.0, 1.0, 3.0],
    }
)


def _codes(frame: pd.DataFrame) -> list[str]:
    return frame["code"].tolist()


def test_no_criterion_keeps_the_whole_tree_in_order():
    assert _codes(sheet_filters.narrow(TREE)) == ["I.1", "I.2", "II.1", "II.11", "II.2", "III.1"]


def test_each_criterion_alone():
    assert _codes(sheet_filters.narrow(TREE, axis="II")) == ["II.1", "II.11", "II.2"]
    assert _codes(sheet_filters.narrow(TREE, statuses=["en_cours", "a_lancer"])) == ["I.1", "II.11", "II.2", "III.1"]
    assert _codes(sheet_filters.narrow(TREE, late_only=True)) == ["II.1", "II.11", "III.1"]
    assert _codes(sheet_filters.narrow(TREE, with_projects=True)) == ["I.1", "II.1", "II.2", "III.1"]


def test_criteria_combine():
    narrowed = sheet_filters.narrow(TREE, axis="II", statuses=("en_cours",), late_only=True)
    assert _codes(narrowed) == ["II.11"]
    assert _codes(sheet_filters.narrow(TREE, axis="II", late_only=True, with_projects=True)) == ["II.1"]
    assert sheet_filters.narrow(TREE, axis="I", late_only=True).empty


def test_indented_marks_child_fiches_under_their_parent():
    labels = sheet_filters.indented(TREE)["fiche"].tolist()
    assert labels == ["I.1", "I.2", "II.1", "   ↳ II.11", "II.2", "III.1"]
    assert "fiche" not in TREE.columns
