"""The lifecycle rule of the plan's fiches that the reads share: when a fiche is « en retard ».

"En retard" is derived, never stored: on a given day, a fiche is late when its planned end is
before that day and it is neither « réalisée » nor « abandonnée ».
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from essdash.domain.vocabulary import SheetStatus

CLOSED_SHEETS = frozenset({SheetStatus.DONE.value, SheetStatus.ABANDONED.value})


def late(planned_end: pd.Series, status: pd.Series, on: date) -> pd.Series:
    """Whether each fiche is late on ``on``, from its planned end and its status (aligned Series).
    A fiche without a planned end is never late."""
    ends = pd.to_datetime(planned_end)
    return (ends < pd.Timestamp(on)) & ~status.isin(CLOSED_SHEETS)
