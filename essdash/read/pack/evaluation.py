"""The meeting pack's evaluation section: how complete the semester's indicator values are (places by
state, values entered out of expected), whether the figures are still provisional, whether the
semester was reopened (when, by whom, why), and the register of « dysfonctionnements » and
reorientations of the semester. Assembled by :func:`essdash.read.pack.build`.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from essdash.read import approval, incidents
from essdash.read.pack.model import Section

TITLE = "Évaluation du semestre"
STATES_TABLE = "Valeurs des indicateurs par lieu"
REGISTER_TABLE = "Dysfonctionnements et réorientations du semestre"
NO_INCIDENT = "Aucun dysfonctionnement ni réorientation consigné ce semestre."


def evaluation(engine: Engine, period: str) -> Section:
    """« Évaluation du semestre », for the whole metropolis (the state of every place is shown)."""
    done = approval.completion(engine, period)
    section = Section(TITLE, sentences=done.sentences())
    states = approval.places(engine, period)
    section.tables.append(
        (
            STATES_TABLE,
            states[["name", "state_label", "since", "by"]].rename(
                columns={"name": "Lieu", "state_label": "État", "since": "Depuis le", "by": "Par"}
            ),
        )
    )
    register = incidents.register(engine, period).drop(columns=["N°", "Commentaire n°"])
    if register.empty:
        section.sentences.append(NO_INCIDENT)
    else:
        section.tables.append((REGISTER_TABLE, register))
    return section
