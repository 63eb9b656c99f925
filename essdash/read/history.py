"""What held on a given day: each project's step and each fiche's status and declared progress,
rebuilt from their dated history rather than read from today's columns.

:func:`project_steps_on` answers « status on date » for projects and :func:`sheet_states_on` for
fiches; every page, the pack and the presentation read past states through these two functions.

Rules:
- a project exists on ``day`` once proposed (``proposed_on <= day``); its step is the ``to_status``
  of its last dated step on or before ``day`` (same day: the later row wins); a project without any
  dated step (an import of history, for instance) stands at its recorded status;
- a fiche's status and declared progress on ``day`` are the ``new_value`` of the last change of
  that field on or before ``day``; before its first change, the ``old_value`` of that first change;
  without any change, today's value.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import models as m
from essdash.read.filters import read_frame, step_on

P, S, H = m.Project, m.ActionSheet, m.ActionSheetHistory


def project_steps_on(engine: Engine, day: date) -> pd.DataFrame:
    """Every project proposed by ``day``, with the step (``status`` code) it stood at that day."""
    return read_frame(
        engine,
        select(col(P.id).label("project_id"), step_on(day).label("status"))
        .where(col(P.proposed_on) <= day)
        .order_by(col(P.id)),
    )


def sheet_states_on(engine: Engine, day: date) -> pd.DataFrame:
    """Every fiche (``sheet_id``, ``code``) with its ``status`` code and declared ``progress`` (0–100) on ``day``."""
    sheets = read_frame(
        engine, select(col(S.id).label("sheet_id"), col(S.code), col(S.status), col(S.progress)).order_by(col(S.id))
    )
    changes = read_frame(
        engine,
        select(col(H.sheet_id), col(H.field), col(H.changed_at), col(H.old_value), col(H.new_value))
        .where(col(H.field).in_(("status", "progress")))
        .order_by(col(H.sheet_id), col(H.changed_at), col(H.id)),
    )
    end = datetime.combine(day, time.max)
    changes["changed_at"] = pd.to_datetime(changes["changed_at"])
    before = changes[changes["changed_at"] <= end].drop_duplicates(["sheet_id", "field"], keep="last")
    after = changes[changes["changed_at"] > end].drop_duplicates(["sheet_id", "field"], keep="first")
    for name in ("status", "progress"):
        held = before[before["field"] == name].set_index("sheet_id")["new_value"]
        earlier = after[after["field"] == name].set_index("sheet_id")["old_value"]
        value = sheets["sheet_id"].map(held)
        value = value.where(value.notna(), sheets["sheet_id"].map(earlier))
        sheets[name] = value.where(value.notna(), sheets[name])
    sheets["progress"] = pd.to_numeric(sheets["progress"]).round().astype(int)
    sheets["status"] = sheets["status"].astype(str)
    return sheets
