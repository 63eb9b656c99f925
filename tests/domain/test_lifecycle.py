"""The « en retard » rule of the plan's fiches, on hand-made fiches."""

from datetime import date

import pandas as pd

from essdash.domain import lifecycle


def test_late_when_planned_end_passed_and_not_closed():
    planned_end = pd.Series([date(2014, 6, 30), date(2014, 6, 30), date(2014, 7, 1), date(2014, 1, 1), None])
    status = pd.Series(["en_cours", "realisee", "en_cours", "abandonnee", "a_venir"])
    assert lifecycle.late(planned_end, status, date(2014, 7, 1)).tolist() == [True, False, False, False, False]
    # on the planned end day itself the fiche is not yet late
    assert not lifecycle.late(planned_end, status, date(2014, 6, 30)).any()
