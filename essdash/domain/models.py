"""The domain's tables (SQLModel), with the constraints that keep them true.

Enumerated columns hold the codes of :mod:`essdash.domain.vocabulary`. Money is in euros, periods are
semesters written ``2012-S1``.
"""

from __future__ import annotations

from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import Boolean, CheckConstraint, Column, Index, String, Table, UniqueConstraint, func, inspect, text
from sqlmodel import Field, SQLModel

from essdash.domain.vocabulary import (
    CommentBody,
    CommentTarget,
    FundingType,
    InterventionMode,
    LegalForm,
    MeetingBody,
    OpinionValue,
    ProjectStatus,
    Provenance,
    Role,
    Sector,
    SheetStatus,
)

SCHEMA_VERSION = 13


class MetaEntry(SQLModel, table=True):
    """Key/value facts about the database itself (schema version, demo flag, reference date)."""

    key: str = Field(primary_key=True)
    value: str


class Territory(SQLModel, table=True):
    code: str = Field(primary_key=True)
    name: str
    mel_gis_code: str
    position: int


class Commune(SQLModel, table=True):
    __table_args__ = (Index("ix_commune_territory", "territory_code"),)

    insee_code: str = Field(primary_key=True, min_length=5, max_length=5)
    name: str
    territory_code: str = Field(foreign_key="territory.code")
    population: int
    member_since: int
    lat: float
    lon: float
    territory_confidence: str


class CommuneAlias(SQLModel, table=True):
    alias_code: str = Field(primary_key=True)
    alias_name: str
    alias_type: str
    since: date
    insee_code: str = Field(foreign_key="commune.insee_code")


class Plan(SQLModel, table=True):
    """An action plan (2011–2014 …): several follow one another, sharing projects and carriers.

    ``source`` names the text the plan was encoded from; ``fictional`` marks a plan made up for the
    demonstration or the tests, labelled as such wherever it shows. Both are filled by the database
    when an insert leaves them out (no Python-side default), as the reference data's insert does.
    """

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    title: str
    motto: str
    adopted_on: date
    start: date
    end: date
    source: str = Field(default="", sa_column=Column(String, nullable=False, server_default=""))
    fictional: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="0"))


class Axis(SQLModel, table=True):
    """An axis of a plan; its code (``I``, ``II`` …) is unique within its plan."""

    __table_args__ = (UniqueConstraint("plan_id", "code", name="uq_axis_plan_code"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    code: str
    title: str
    summary: str
    position: int


class ActionSheet(SQLModel, table=True):
    """A fiche of a plan: a section (``II.3``) or a sub-section (``II.32``) with its parent.

    Its code is unique within its axis here, and within its plan by the plan's import (a second
    plan may reuse « I.1 »).
    """

    __table_args__ = (
        SheetStatus.check("status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="ck_sheet_progress"),
        UniqueConstraint("axis_id", "code", name="uq_actionsheet_axis_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    axis_id: int = Field(foreign_key="axis.id")
    parent_id: int | None = Field(default=None, foreign_key="actionsheet.id")
    code: str
    title: str
    summary: str
    pilot: str
    planned_start: date
    planned_end: date
    status: str = SheetStatus.PLANNED.value
    progress: int = 0
    position: int
    version: int = 1


class SheetCorrespondence(SQLModel, table=True):
    """A fiche of an earlier plan continued by a fiche of a later one (carry-over): the projects
    still open on the old fiche are linked to the new one too; their steps and opinions stay."""

    __table_args__ = (Index("ix_sheetcorrespondence_new", "new_sheet_id"),)

    old_sheet_id: int = Field(foreign_key="actionsheet.id", primary_key=True)
    new_sheet_id: int = Field(foreign_key="actionsheet.id", primary_key=True)


class ActionSheetHistory(SQLModel, table=True):
    """One dated change of a fiche (status, progress …) with who made it and why."""

    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="actionsheet.id", index=True)
    changed_at: NaiveDatetime
    author: str
    role: str
    field: str
    old_value: str | None = None
    new_value: str | None = None
    comment: str
    account: str | None = None


class Action(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="actionsheet.id", index=True)
    title: str
    text: str
    position: int
    done: bool = False


class Organisation(SQLModel, table=True):
    __table_args__ = (LegalForm.check("legal_form"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    legal_form: str
    commune_code: str | None = Field(default=None, foreign_key="commune.insee_code")
    created_year: int | None = None
    legal_form_text: str | None = None  # a partner's own words for a legal form read as « autre »
    siret: str | None = None  # open data (SCDL « Subventions »): 14 digits, Luhn key checked
    rna: str | None = None  # an association's RNA number: W and 9 digits


class Project(SQLModel, table=True):
    __table_args__ = (
        ProjectStatus.check("status"),
        InterventionMode.check("intervention_mode"),
        Sector.check("sector"),
        CheckConstraint("jobs_created >= 0 AND jobs_maintained >= 0 AND beneficiaries >= 0", name="ck_project_counts"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="ck_project_dates"),
        Index("ix_project_commune_status", "commune_code", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str
    description: str = ""
    carrier_id: int = Field(foreign_key="organisation.id", index=True)
    commune_code: str = Field(foreign_key="commune.insee_code")
    intervention_mode: str
    sector: str
    status: str = ProjectStatus.PROPOSED.value
    proposed_on: date
    start_date: date | None = None
    end_date: date | None = None
    jobs_created: int = 0
    jobs_maintained: int = 0
    beneficiaries: int = 0
    priority_district: bool = False
    lat: float | None = None
    lon: float | None = None
    version: int = 1
    updated_at: NaiveDatetime


class ProjectCommune(SQLModel, table=True):
    """A further commune a project also serves, beyond its primary one."""

    project_id: int = Field(foreign_key="project.id", primary_key=True)
    commune_code: str = Field(foreign_key="commune.insee_code", primary_key=True)


class ProjectSheet(SQLModel, table=True):
    """A fiche of the plan that a project serves."""

    __table_args__ = (Index("ix_projectsheet_sheet", "sheet_id"),)

    project_id: int = Field(foreign_key="project.id", primary_key=True)
    sheet_id: int = Field(foreign_key="actionsheet.id", primary_key=True)


class Meeting(SQLModel, table=True):
    __table_args__ = (MeetingBody.check("body"),)

    id: int | None = Field(default=None, primary_key=True)
    body: str
    date: date
    title: str
    attendance: int | None = None
    notes: str = ""
    account: str | None = None
    author: str = Field(default="", sa_column_kwargs={"server_default": ""})


class ProjectEvent(SQLModel, table=True):
    """One dated step of a project's lifecycle, tied to the meeting where it happened."""

    __table_args__ = (Index("ix_projectevent_project", "project_id", "date"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    date: date
    from_status: str | None = None
    to_status: str
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    author: str
    comment: str = ""
    account: str | None = None


class Opinion(SQLModel, table=True):
    __table_args__ = (OpinionValue.check("value"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    value: str
    comment: str = ""
    account: str | None = None
    author: str = Field(default="", sa_column_kwargs={"server_default": ""})


class Funder(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str
    siret: str | None = None  # the attributing body's SIRET, for the open data of its subsidies


class Funding(SQLModel, table=True):
    __table_args__ = (
        FundingType.check("type"),
        CheckConstraint("amount >= 0", name="ck_funding_amount"),
        Index("ix_funding_project", "project_id", "amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    funder_id: int = Field(foreign_key="funder.id", index=True)
    type: str
    amount: float
    year: int
    # The convention's facts the SCDL « Subventions » format publishes (:mod:`essdash.domain.subsidies`).
    convention_date: date | None = None
    decision_reference: str | None = None
    nature: str | None = None  # « aide en numéraire », « aide en nature » or both
    payment_conditions: str | None = None  # « unique », « échelonné » or a description
    payment_dates: str | None = None  # 2013-03-14 or 2013-03-14/2014-03-14
    eu_notification: bool | None = None
    beneficiary_share: float | None = None  # share of the subsidy paid to this carrier, 0.01 to 1
    aid_scheme: str | None = None  # the aid scheme or call for projects (dispositifAide)


class Indicator(SQLModel, table=True):
    code: str = Field(primary_key=True)
    label: str
    category: str
    unit: str
    direction: str
    level: str
    kind: str
    formula: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    definition: str
    source: str
    plan_reference: str = ""


class Target(SQLModel, table=True):
    """A target value for an indicator at a period; no territory means the metropolis."""

    __table_args__ = (UniqueConstraint("indicator_code", "period", "territory_code"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_code: str = Field(foreign_key="indicator.code")
    period: str
    territory_code: str | None = Field(default=None, foreign_key="territory.code")
    value: float


class Measurement(SQLModel, table=True):
    """An indicator value for a semester and a territory or commune, with its provenance.

    A replaced value is kept, with ``superseded_at`` set, so the history of values is cumulative.
    At most one value is current (``superseded_at`` unset) for an indicator, a semester and a
    place; the place is compared with an empty code for the metropolis (neither territory nor
    commune), since an index treats missing codes as all different.
    """

    __table_args__ = (
        Provenance.check("provenance"),
        Index("ix_measurement_lookup", "indicator_code", "period", "territory_code"),
        Index(
            "ux_measurement_current",
            "indicator_code",
            "period",
            func.coalesce(text("territory_code"), ""),
            func.coalesce(text("commune_code"), ""),
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_code: str = Field(foreign_key="indicator.code")
    period: str
    territory_code: str | None = Field(default=None, foreign_key="territory.code")
    commune_code: str | None = Field(default=None, foreign_key="commune.insee_code")
    value: float
    provenance: str
    source: str
    recorded_at: NaiveDatetime
    recorded_by: str
    superseded_at: NaiveDatetime | None = None
    account: str | None = None


class ImportBatch(SQLModel, table=True):
    """One import of a spreadsheet: which file, what kind of rows, its effect, who and when."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    file_name: str
    sha256: str = Field(index=True)
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    author: str
    imported_at: NaiveDatetime
    backup_file: str | None = None
    account: str | None = None


class ImportMapping(SQLModel, table=True):
    """A confirmed mapping of a partner's columns, saved under its source's name and offered again
    for a file with the same headers (``headers``: the folded headers, one per line)."""

    __table_args__ = (UniqueConstraint("kind", "name", name="uq_importmapping_kind_name"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    name: str
    headers: str = Field(index=True)
    mapping: str  # JSON: {file header: field key, or null for an ignored column}
    saved_at: NaiveDatetime
    author: str
    account: str | None = None


class Comment(SQLModel, table=True):
    """A dated, attributed comment on a fiche or a project, shown on its timeline."""

    __table_args__ = (
        CommentTarget.check("target"),
        CommentBody.check("body"),
        Index("ix_comment_target", "target", "target_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    target: str
    target_id: int
    body: str
    author: str
    created_at: NaiveDatetime
    text: str
    account: str | None = None


class Member(SQLModel, table=True):
    """A person of the shared dashboard, known by the e-mail their OpenID provider gives: a role and,
    for a technician, a territory and/or single communes (INSEE codes, comma-separated).

    ``issuer`` and ``subject`` are the identity (the provider's ``iss`` and ``sub``) the member logged
    in with the first time, empty until then; a later login with the same e-mail must carry them."""

    __table_args__ = (Role.check("role"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True)
    name: str
    role: str
    territory_code: str | None = Field(default=None, foreign_key="territory.code")
    communes: str = ""
    added_at: NaiveDatetime
    version: int = 1
    issuer: str | None = None
    subject: str | None = None


class JournalEntry(SQLModel, table=True):
    """One write let through by the gate: who (account, name, role at that moment), what, where, when."""

    __tablename__ = "journal"
    __table_args__ = (Index("ix_journal_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime
    account: str | None = None
    name: str
    role: str
    deed: str
    place: str
    summary: str


class Submission(SQLModel, table=True):
    """A form's one-time token, spent by the write that saved it: a second submission of the same
    form (double click, resend after a slow answer, from any process) finds it and writes nothing.

    ``result`` is what that write returned: the id of the record it made (a project, a comment, a
    meeting), or, for a write of several rows at once (the committee's opinions), their number."""

    token: str = Field(primary_key=True)
    deed: str
    result: int
    at: NaiveDatetime
    author: str
    account: str | None = None


# The tables of each feature's own module, registered with the metadata.
from essdash.domain import models_evaluation, models_mail, models_voices  # noqa: E402,F401


def table_of(model: type[SQLModel]) -> Table:
    """A table model's ``Table``, typed (SQLModel sets ``__table__`` on the class without declaring it)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table
