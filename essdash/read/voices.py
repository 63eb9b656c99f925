"""Reads of the beneficiaries' questionnaires: the catalogue of questions (``data/questionnaire.yaml``),
the questionnaire a link opens, the questionnaires opened, and what the answers say for a project, a
fiche, a territory or a commune and a semester — counted in SQL, told in one French sentence, never
below :data:`essdash.domain.voices.MIN_RESPONSES` answers; and the pack's section of them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy import ColumnElement, Float, Select, and_, case, cast, func, or_, select, true
from sqlalchemy.engine import Engine
from sqlmodel import col

from essdash.domain import fmt
from essdash.domain import models as m
from essdash.domain import models_voices as mv
from essdash.domain import voices as dv
from essdash.domain.errors import ReferenceDataError
from essdash.read.filters import read_frame
from essdash.read.pack.model import Section
from essdash.store.config import DATA_DIR

CATALOGUE = DATA_DIR / "questionnaire.yaml"
SECTION_TITLE = "Avis des bénéficiaires"


@lru_cache(maxsize=2)
def catalogue(path: Path = CATALOGUE) -> tuple[dv.Question, ...]:
    """The questions of the catalogue file, checked (:func:`essdash.domain.voices.catalogue`)."""
    try:
        return dv.catalogue(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ReferenceDataError(f"Catalogue des questions ({path.name}) illisible : {exc}") from exc


@dataclass(frozen=True)
class Opened:
    """The questionnaire a link opens: its id, title, what it is about, its questions, whether the
    link has already served."""

    id: int
    title: str
    about: str
    questions: tuple[dv.Question, ...]
    used: bool


def questionnaire_of(engine: Engine, secret: str) -> Opened | None:
    """The questionnaire of the link of secret ``secret``, or ``None`` for no link of this base."""
    if not dv.valid_secret(secret):
        return None
    q = mv.Questionnaire
    stmt: Select[*tuple[Any, ...]] = (
        select(
            col(q.id),
            col(q.title),
            col(q.questions),
            col(mv.VoiceToken.used_at),
            col(m.Project.title).label("project"),
            col(m.ActionSheet.code),
        )
        .join(mv.VoiceToken, col(mv.VoiceToken.questionnaire_id) == col(q.id))
        .outerjoin(m.Project, col(m.Project.id) == col(q.project_id))
        .outerjoin(m.ActionSheet, col(m.ActionSheet.id) == col(q.sheet_id))
        .where(col(mv.VoiceToken.digest) == dv.digest(secret))
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    codes = row.questions.split(",")
    questions = tuple(question for question in catalogue() if question.code in codes)
    about = f"le projet « {row.project} »" if row.project else f"la fiche {row.code} du plan d'actions"
    return Opened(row.id, row.title, about, questions, row.used_at is not None)


def questionnaires(engine: Engine) -> pd.DataFrame:
    """Every questionnaire opened, newest first: what about, title, links, answers, when and by whom."""
    q = mv.Questionnaire
    answered = (
        select(col(mv.VoiceResponse.questionnaire_id), func.count().label("answers"))
        .group_by(col(mv.VoiceResponse.questionnaire_id))
        .subquery()
    )
    stmt = (
        select(
            col(q.id),
            func.coalesce(col(m.Project.title), col(m.ActionSheet.code)).label("about"),
            col(q.title),
            col(q.links),
            func.coalesce(answered.c.answers, 0).label("answers"),
            col(q.opened_at),
            col(q.author),
        )
        .outerjoin(m.Project, col(m.Project.id) == col(q.project_id))
        .outerjoin(m.ActionSheet, col(m.ActionSheet.id) == col(q.sheet_id))
        .outerjoin(answered, answered.c.questionnaire_id == col(q.id))
        .order_by(col(q.opened_at).desc(), col(q.id).desc())
    )
    return read_frame(engine, stmt)


@dataclass(frozen=True)
class Summary:
    """What the answers say: how many, per question (:class:`essdash.domain.voices.Item`), the sentence."""

    responses: int
    items: tuple[dv.Item, ...]
    sentence: str

    @property
    def withheld(self) -> bool:
        return dv.withheld(self.responses)


def _where(
    project_id: int | None, sheet_id: int | None, territory: str | None, commune: str | None, period: str | None
) -> ColumnElement[bool]:
    """The answers' conditions over voiceresponse ⋈ questionnaire ⋈ project ⋈ commune."""
    q = mv.Questionnaire
    clauses: list[Any] = []
    if project_id is not None:
        clauses.append(col(q.project_id) == project_id)
    if sheet_id is not None:
        serving = select(col(m.ProjectSheet.project_id)).where(col(m.ProjectSheet.sheet_id) == sheet_id)
        clauses.append(or_(col(q.sheet_id) == sheet_id, col(q.project_id).in_(serving)))
    if territory:
        clauses.append(col(m.Commune.territory_code) == territory)
    if commune:
        clauses.append(col(m.Project.commune_code) == commune)
    if period:
        clauses.append(col(mv.VoiceResponse.period) == period)
    return and_(true(), *clauses)


def _responses(where: ColumnElement[bool]) -> Select[int | None]:
    return (
        select(col(mv.VoiceResponse.id))
        .join(mv.Questionnaire, col(mv.Questionnaire.id) == col(mv.VoiceResponse.questionnaire_id))
        .outerjoin(m.Project, col(m.Project.id) == col(mv.Questionnaire.project_id))
        .outerjoin(m.Commune, col(m.Commune.insee_code) == col(m.Project.commune_code))
        .where(where)
    )


def summary(
    engine: Engine,
    *,
    project_id: int | None = None,
    sheet_id: int | None = None,
    territory: str | None = None,
    commune: str | None = None,
    period: str | None = None,
) -> Summary:
    """The answers to the questionnaires of a project, a fiche (its own and those of the projects that
    serve it), a territory or a commune (of their projects), in one semester or all: their number, what
    each scored question says, and the sentence; nothing per question below the minimum count."""
    ids = _responses(_where(project_id, sheet_id, territory, commune, period)).subquery()
    a = mv.VoiceAnswer
    per_question = (
        select(
            col(a.question),
            func.count(col(a.score)).label("answered"),
            func.avg(cast(col(a.score), Float)).label("mean"),
            func.sum(case((col(a.score) >= 4, 1), else_=0)).label("high"),
        )
        .where(col(a.response_id).in_(select(ids.c.id)), col(a.score).is_not(None))
        .group_by(col(a.question))
    )
    with engine.connect() as conn:
        responses = int(conn.execute(select(func.count()).select_from(ids)).scalar_one())
        rows = {row.question: row for row in conn.execute(per_question)} if not dv.withheld(responses) else {}
    items = tuple(
        dv.Item(q, int(rows[q.code].answered), float(rows[q.code].mean), int(rows[q.code].high) / rows[q.code].answered)
        for q in catalogue()
        if q.code in rows and not dv.withheld(int(rows[q.code].answered))
    )
    return Summary(responses, items, dv.sentence(responses, list(items)))


def free_texts(engine: Engine, project_id: int) -> list[str]:
    """The free answers given for a project, when its answers are not too few to be shown; in the order
    given."""
    ids = _responses(_where(project_id, None, None, None, None))
    with engine.connect() as conn:
        if dv.withheld(int(conn.execute(select(func.count()).select_from(ids.subquery())).scalar_one())):
            return []
        stmt = (
            select(col(mv.VoiceAnswer.text))
            .where(col(mv.VoiceAnswer.response_id).in_(ids), col(mv.VoiceAnswer.text).is_not(None))
            .order_by(col(mv.VoiceAnswer.response_id))
        )
        return [str(text) for text in conn.execute(stmt).scalars()]


def periods_of(engine: Engine) -> list[str]:
    """The semesters some answer counts for, oldest first."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(col(mv.VoiceResponse.period)).distinct().order_by(col(mv.VoiceResponse.period))
            ).scalars()
        )


def by_period(engine: Engine, *, territory: str | None = None, commune: str | None = None) -> pd.DataFrame:
    """One row per semester with answers: the semester, the number of answers and their sentence."""
    rows = []
    for period in periods_of(engine):
        found = summary(engine, territory=territory, commune=commune, period=period)
        if found.responses:
            rows.append({"period": fmt.period_label(period), "responses": found.responses, "sentence": found.sentence})
    return pd.DataFrame(rows, columns=["period", "responses", "sentence"])


def table(found: Summary) -> pd.DataFrame:
    """The questions' figures as a French table (« Question », « Thème », « Réponses », « Résultat »)."""
    return pd.DataFrame(
        [
            {
                "Question": item.question.text,
                "Thème": dv.THEMES[item.question.theme],
                "Réponses": item.answered,
                "Résultat": item.shown,
            }
            for item in found.items
        ],
        columns=["Question", "Thème", "Réponses", "Résultat"],
    )


def pack_section(engine: Engine, territory: str | None, period: str, name: str | None) -> Section:
    """The pack's « Avis des bénéficiaires »: the semester's answers for the place, their sentence and
    the table of the questions, with the threshold said."""
    found = summary(engine, territory=territory, period=period)
    where = name or "toute la métropole"
    section = Section(
        SECTION_TITLE,
        sentences=[
            f"Questionnaires des bénéficiaires, {fmt.period_label(period)}, {where} : {found.sentence}",
            f"Les résultats ne sont montrés qu'à partir de {dv.MIN_RESPONSES} réponses.",
        ],
    )
    if found.items:
        section.figures.append(("Réponses des bénéficiaires", fmt.number(found.responses), ""))
        section.values["Réponses des bénéficiaires"] = float(found.responses)
        section.tables.append(("Réponses par question", table(found)))
    return section


def targets(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a questionnaire may be about: the projects (id, title) and the fiches (id, code, title)."""
    projects = read_frame(engine, select(col(m.Project.id), col(m.Project.title)).order_by(col(m.Project.id)))
    sheets = read_frame(
        engine,
        select(col(m.ActionSheet.id), col(m.ActionSheet.code), col(m.ActionSheet.title)).order_by(
            col(m.ActionSheet.position)
        ),
    )
    return projects, sheets
