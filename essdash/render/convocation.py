"""The convocation as a message: its French subject and plain text (date, place, agenda built from the
data, key figures, the link to the presentation) and the meeting pack attached as PDF, rendered by the
pack's own pipeline (:mod:`essdash.render.report`).

Plain text only, no markup: nothing typed by a person is ever interpreted.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.read import pack
from essdash.read.convocation import Convocation, Letter
from essdash.render import report

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
LISTED = 15  # proposals or late fiches listed by name; the others are counted
PRESENTATION_PATH = "presentation"
SIGNATURE = "Le secrétariat du plan — mission ESS de Lille Métropole"
DEMO_NOTICE = "Données fictives de démonstration : ce message ne concerne aucune séance réelle."


def long_day(day: date) -> str:
    """« mardi 16/12/2014 »."""
    return f"{WEEKDAYS[day.weekday()]} {fmt.short_day(day)}"


def subject(convocation: Convocation) -> str:
    """« Convocation — Comité métropolitain de l'ESS — mardi 16/12/2014 »."""
    return f"Convocation — {convocation.body.label} — {long_day(convocation.meeting.date)}"


def presentation_link(public_url: str) -> str:
    """The presentation page under the dashboard's public address."""
    return f"{public_url.rstrip('/')}/{PRESENTATION_PATH}"


def agenda_lines(convocation: Convocation) -> list[str]:
    """The numbered agenda, from the data."""
    items: list[list[str]] = []
    if convocation.last:
        items.append([f"Relevé de décisions de la séance du {fmt.short_day(convocation.last.date)}."])
    if convocation.waiting_title:
        waiting = convocation.waiting
        lines = [f"{convocation.waiting_title} : {fmt.plural(len(waiting), 'proposition')}."]
        lines += [
            f"   - n° {row.id} — {row.title} ({row.carrier}, {row.commune})"
            for row in waiting.head(LISTED).itertuples()
        ]
        if len(waiting) > LISTED:
            lines.append(f"   - … et {len(waiting) - LISTED} autres : voir le dossier de séance joint.")
        items.append(lines)
    since = f" depuis la séance du {fmt.short_day(convocation.last.date)}" if convocation.last else ""
    late = convocation.late
    follow = [
        f"Suivi du plan d'actions : {fmt.plural(convocation.sheets_changed, 'fiche')} dont le statut ou "
        f"l'avancement a changé{since} ; {fmt.plural(len(late), 'fiche')} en retard."
    ]
    follow += [f"   - {row.code} — {row.title}" for row in late.head(LISTED).itertuples()]
    if len(late) > LISTED:
        follow.append(f"   - … et {len(late) - LISTED} autres.")
    items.append(follow)
    if convocation.figures:
        figures = [f"Chiffres clés — {convocation.figures_note}"]
        for label, value, change in convocation.figures:
            figures.append(f"   - {label} : {value}" + (f" ({change})" if change else ""))
        items.append(figures)
    items.append(["Questions diverses."])
    return [line for number, item in enumerate(items, start=1) for line in (f"{number}. {item[0]}", *item[1:])]


def text(convocation: Convocation, place: str, link: str, attachment_name: str, demo: bool) -> str:
    """The message's text, after the greeting."""
    meeting = convocation.meeting
    lines = [
        f"Vous êtes convié(e) à la séance « {meeting.title} » ({convocation.body.label}), "
        f"le {long_day(meeting.date)}, {place}.",
        "",
        f"Ordre du jour (établi d'après le tableau de bord, situation au {fmt.short_day(convocation.day)}) :",
        "",
        *agenda_lines(convocation),
        "",
        f"Le dossier de séance est joint à ce message (PDF : {attachment_name}).",
        f"La présentation se suit en ligne : {link}",
        "",
        SIGNATURE,
    ]
    if demo:
        lines += ["", DEMO_NOTICE]
    return "\n".join(lines) + "\n"


def compose(engine: Engine, convocation: Convocation, place: str, public_url: str) -> Letter:
    """The letter of ``convocation`` at ``place``: subject, text, and the semester's meeting pack in PDF."""
    meeting_pack = pack.build(engine, convocation.period)
    name = report.filename(meeting_pack, "pdf")
    link = presentation_link(public_url)
    return Letter(
        subject=subject(convocation),
        text=text(convocation, place, link, name, meeting_pack.demo),
        attachment_name=name,
        attachment=report.render(meeting_pack, "pdf"),
        link=link,
    )
