"""Whose step is which along a project's lifecycle, and where it happens: the committee's steps
(its opinions) need the right :attr:`Deed.OPINION`, the other steps :attr:`Deed.STEP`; a technical
validation or a return to the carrier happens at a meeting of the technicians' group, a committee
step at a committee meeting. The step form offers only the steps a person may record
(:func:`offered`) and the write asks the gate for the same right (:func:`deed_of`).

A step's date is never before the previous step's (:func:`before_previous`, :func:`default_day`). A
group step whose meeting is not yet recorded is dated by hand and stored with no meeting; it then
reads « séance pas encore enregistrée » (:data:`UNRECORDED`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from essdash.domain.vocabulary import PROJECT_TRANSITIONS, Deed, MeetingBody, ProjectStatus

COMMITTEE_STEPS = frozenset({ProjectStatus.RETAINED, ProjectStatus.REFUSED})
GROUP_STEPS = frozenset({ProjectStatus.VALIDATED, ProjectStatus.RETURNED})
UNRECORDED = "séance pas encore enregistrée"


def deed_of(target: ProjectStatus | None, opinion: str | None = None) -> Deed:
    """The right a step needs: the committee's for an opinion or a step only an opinion leads to,
    else the right to record a step."""
    return Deed.OPINION if opinion is not None or target in COMMITTEE_STEPS else Deed.STEP


def body_of(target: ProjectStatus | None, opinion: str | None = None) -> MeetingBody | None:
    """The body at whose meeting the step happens (``None``: a step with no meeting)."""
    if deed_of(target, opinion) is Deed.OPINION:
        return MeetingBody.COMMITTEE
    return MeetingBody.TECHNICIANS if target in GROUP_STEPS else None


def offered(current: ProjectStatus, may: Callable[[Deed], bool]) -> tuple[ProjectStatus, ...]:
    """The steps that may follow ``current`` and that whoever ``may`` do (a function of a
    :class:`Deed`) may record, in the lifecycle's order."""
    return tuple(target for target in PROJECT_TRANSITIONS[current] if may(deed_of(target)))


def default_day(previous: date | None, reference: date) -> date:
    """The date a new step is offered: the data's reference date, or the previous step's when that
    is later, so that the default always passes the rule."""
    return max(previous, reference) if previous else reference


def before_previous(day: date, previous: date | None) -> bool:
    """Whether ``day`` precedes the previous step (which the lifecycle refuses)."""
    return previous is not None and day < previous
