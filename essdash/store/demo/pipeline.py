"""The proceedings side of the demonstration dataset: the fixed calendar of meetings of every body,
and each project's walk through the pipeline (technicians, committee opinion, start, end) up to the
reference date. Fictional, deterministic."""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date, timedelta

from essdash.domain.vocabulary import MeetingBody, OpinionValue, ProjectStatus
from essdash.store.demo.names import AS_OF, cumulative, weighted

OPINION_WEIGHTS = cumulative(
    [
        (OpinionValue.FAVORABLE, 64),
        (OpinionValue.FAVORABLE_WITH_RESERVATIONS, 15),
        (OpinionValue.UNFAVORABLE, 9),
        (OpinionValue.POSTPONED, 12),
    ]
)


def meetings() -> list[dict]:
    """Meetings of every body from 2011-S1 to 2014-S2 (fixed calendar, independent of the seed)."""
    rows = []
    for year in range(2011, 2015):
        for month in (6, 12):
            rows.append(
                (
                    MeetingBody.COMMITTEE,
                    date(year, month, 18 if month == 6 else 16),
                    f"Comité métropolitain de l'ESS — {'juin' if month == 6 else 'décembre'} {year}",
                )
            )
        for month in range(1, 13):
            if month != 8:
                rows.append(
                    (
                        MeetingBody.TECHNICIANS,
                        date(year, month, 12),
                        f"Groupe de travail des techniciens — {month:02d}/{year}",
                    )
                )
        for month in (3, 10):
            rows.append(
                (
                    MeetingBody.FORUM,
                    date(year, month, 24),
                    f"Forum des acteurs de l'ESS — {'printemps' if month == 3 else 'automne'} {year}",
                )
            )
        rows.append((MeetingBody.SCIENTIFIC_COUNCIL, date(year, 11, 5), f"Conseil scientifique — {year}"))
    rows.sort(key=lambda r: r[1])
    return [
        {
            "id": i + 1,
            "body": body.value,
            "date": day,
            "title": title,
            "attendance": 12 + (i * 7) % 19,
            "notes": "Compte rendu fictif (données de démonstration).",
        }
        for i, (body, day, title) in enumerate(rows)
    ]


# A dated step: (day, from, to, meeting where it happened, comment, the committee's opinion)
Step = tuple[date, ProjectStatus | None, ProjectStatus, dict | None, str, OpinionValue | None]


class Calendar:
    """The meetings of each body, to find the next one after a day; ``meetings`` come in date order
    (as :func:`meetings` gives them)."""

    def __init__(self, meetings: list[dict]) -> None:
        self._meetings: dict[str, list[dict]] = {}
        for meeting in meetings:
            self._meetings.setdefault(meeting["body"], []).append(meeting)
        self._dates = {body: [mt["date"] for mt in mine] for body, mine in self._meetings.items()}

    def next(self, body: MeetingBody, after: date) -> dict | None:
        """The first meeting of ``body`` strictly after ``after``, or ``None``."""
        mine = self._meetings.get(body.value, [])
        index = bisect_right(self._dates.get(body.value, []), after)
        return mine[index] if index < len(mine) else None


def lifecycle(rng: random.Random, proposed: date, calendar: Calendar):
    """Walk a project through the pipeline until the reference date; returns status, dates, steps."""
    steps: list[Step] = [(proposed, None, ProjectStatus.PROPOSED, None, "Proposition déposée par le porteur.", None)]
    status, start, end = ProjectStatus.PROPOSED, None, None
    tech = calendar.next(MeetingBody.TECHNICIANS, proposed + timedelta(days=7))
    if tech is None or tech["date"] > AS_OF:
        return status, start, end, steps
    roll = rng.random()
    if roll < 0.1:
        steps.append(
            (
                tech["date"],
                status,
                ProjectStatus.RETURNED,
                tech,
                "Dossier incomplet : budget prévisionnel à préciser.",
                None,
            )
        )
        return ProjectStatus.RETURNED, start, end, steps
    if roll < 0.14:
        steps.append((tech["date"], status, ProjectStatus.ABANDONED, tech, "Le porteur retire sa proposition.", None))
        return ProjectStatus.ABANDONED, start, end, steps
    steps.append((tech["date"], status, ProjectStatus.VALIDATED, tech, "Validation technique.", None))
    status, day = ProjectStatus.VALIDATED, tech["date"]
    while True:
        committee = calendar.next(MeetingBody.COMMITTEE, day)
        if committee is None or committee["date"] > AS_OF:
            return status, start, end, steps
        opinion = weighted(rng, OPINION_WEIGHTS)
        day = committee["date"]
        if opinion is OpinionValue.POSTPONED:
            steps.append(
                (day, status, ProjectStatus.VALIDATED, committee, "Avis ajourné : compléments demandés.", opinion)
            )
            continue
        new = ProjectStatus.REFUSED if opinion is OpinionValue.UNFAVORABLE else ProjectStatus.RETAINED
        steps.append((day, status, new, committee, f"Avis {opinion.label.lower()} du comité.", opinion))
        status = new
        break
    if status is ProjectStatus.REFUSED:
        return status, start, end, steps
    start = day + timedelta(days=rng.randint(20, 120))
    if start > AS_OF:
        return status, None, None, steps
    steps.append((start, status, ProjectStatus.IN_PROGRESS, None, "Démarrage du projet.", None))
    status = ProjectStatus.IN_PROGRESS
    finish = start + timedelta(days=rng.randint(300, 900))
    if finish <= AS_OF:
        new = ProjectStatus.ABANDONED if rng.random() < 0.07 else ProjectStatus.DONE
        steps.append(
            (
                finish,
                status,
                new,
                None,
                "Projet arrêté faute de financement." if new is ProjectStatus.ABANDONED else "Projet réalisé.",
                None,
            )
        )
        status, end = new, finish
    return status, start, end, steps
