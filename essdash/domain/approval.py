"""The lifecycle of a semester's indicator values, per territory (and for the metropolis's own values):
« en saisie » → « soumis » → « validé » → « verrouillé ».

Pure rules, no database. A territory's technician (or the mission ESS) submits the territory's values;
the mission ESS validates them, or sends them back into entry with a reason; after the committee the
mission (or an administrator) locks them; a locked semester changes only through a reopening by an
administrator, with a reason. Who may take each step is the gate's (:mod:`essdash.domain.access`):
each step is a kind of write (:attr:`Step.deed`). Values are entered, imported or corrected only
« en saisie » (:func:`entry_refusal`): the form, the command line's import and the import of a file
all ask the same question.

A place with no state recorded is « en saisie ». The metropolis's own values (neither territory nor
commune) are the place :data:`METROPOLIS`; a commune's values follow its territory.
"""

from __future__ import annotations

from dataclasses import dataclass

from essdash.domain.vocabulary import Deed, LabelledEnum

METROPOLIS = None  # the place of the values measured for the whole metropolis


class SemesterState(LabelledEnum):
    ENTRY = ("saisie", "En saisie")
    SUBMITTED = ("soumis", "Soumis")
    VALIDATED = ("valide", "Validé")
    LOCKED = ("verrouille", "Verrouillé")


# The states in which values rest on a check by the mission ESS: the others are « provisoire ».
CHECKED = frozenset({SemesterState.VALIDATED, SemesterState.LOCKED})


@dataclass(frozen=True)
class Step:
    """One step of the lifecycle: its code, its French verb, the states it leaves, the state it
    reaches, the kind of write the gate checks, and whether it must give a reason."""

    code: str
    label: str
    sources: tuple[SemesterState, ...]
    target: SemesterState
    deed: Deed
    needs_reason: bool = False


SUBMIT = Step("soumettre", "Soumettre", (SemesterState.ENTRY,), SemesterState.SUBMITTED, Deed.SUBMIT)
VALIDATE = Step("valider", "Valider", (SemesterState.SUBMITTED,), SemesterState.VALIDATED, Deed.VALIDATE)
SEND_BACK = Step(
    "renvoyer",
    "Renvoyer en saisie",
    (SemesterState.SUBMITTED, SemesterState.VALIDATED),
    SemesterState.ENTRY,
    Deed.VALIDATE,
    needs_reason=True,
)
LOCK = Step("verrouiller", "Verrouiller", (SemesterState.VALIDATED,), SemesterState.LOCKED, Deed.LOCK)
REOPEN = Step("rouvrir", "Rouvrir", (SemesterState.LOCKED,), SemesterState.ENTRY, Deed.REOPEN, needs_reason=True)
STEPS = {step.code: step for step in (SUBMIT, VALIDATE, SEND_BACK, LOCK, REOPEN)}


def state_of(code: str | None) -> SemesterState:
    """The state stored as ``code``; no row is « en saisie »."""
    return SemesterState(code) if code else SemesterState.ENTRY


def step_of(code: str) -> Step:
    """The step called ``code`` (« soumettre », « valider »…), or a French ``ValueError``."""
    if code not in STEPS:
        raise ValueError(f"étape « {code} » inconnue (attendu : {', '.join(STEPS)}).")
    return STEPS[code]


def step_refusal(step: Step, state: SemesterState, place: str, period: str) -> str | None:
    """Why ``step`` cannot be taken for ``place`` (its French name) and ``period`` (its French label)
    in ``state``, or ``None`` when it can."""
    if state in step.sources:
        return None
    expected = " ou ".join(f"« {s.label.lower()} »" for s in step.sources)
    return (
        f"{place}, {period} : les valeurs sont « {state.label.lower()} », "
        f"« {step.label.lower()} » ne vaut que pour des valeurs {expected}."
    )


def reason_refusal(step: Step, reason: str) -> str | None:
    """Why ``reason`` does not do for ``step``: a sending back and a reopening say why (the text
    itself passes the rule book of every text, :func:`essdash.domain.rules.text`)."""
    if step.needs_reason and not reason.strip():
        return f"« {step.label} » demande un motif : indiquez pourquoi."
    return None


def entry_refusal(state: SemesterState, place: str, period: str) -> str | None:
    """Why values of ``place`` for ``period`` may not be entered, imported or corrected in ``state``
    (French), or ``None`` « en saisie »."""
    if state is SemesterState.ENTRY:
        return None
    way = (
        "un administrateur doit d'abord rouvrir le semestre, avec un motif"
        if state is SemesterState.LOCKED
        else "la mission ESS doit d'abord les renvoyer en saisie, avec un motif"
    )
    return f"les valeurs de {place} pour le {period} sont « {state.label.lower()} » : {way}."


def provisional(state: SemesterState) -> bool:
    """Whether figures resting on values in ``state`` are « provisoire » (not yet validated)."""
    return state not in CHECKED
