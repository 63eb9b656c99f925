"""The first schema (schema version 1): every table as the first release of essdash created it.

Written out explicitly, not from the models, so that a database of that release can be rebuilt
(tests do) and upgraded like one found in the field.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (
    "funder",
    "indicator",
    "meeting",
    "metaentry",
    "plan",
    "territory",
    "axis",
    "commune",
    "target",
    "actionsheet",
    "communealias",
    "measurement",
    "organisation",
    "action",
    "actionsheethistory",
    "project",
    "funding",
    "opinion",
    "projectcommune",
    "projectevent",
    "projectsheet",
)
# The enumerations of the first release, as its CHECK constraints list them.
MEETING_BODIES = ("comite_metropolitain", "groupe_techniciens", "forum_acteurs", "conseil_scientifique")
SHEET_STATUSES = ("a_venir", "en_cours", "realisee", "en_pause", "bloquee", "abandonnee")
PROVENANCES = ("declare", "verifie", "estime")
LEGAL_FORMS = ("association", "scop", "scic", "cae", "mutuelle", "fondation", "siae", "esus", "collectivite")
INTERVENTION_MODES = (
    "intervention_directe",
    "convention_objectifs",
    "experimentation_transfert",
    "assistance_maitrise_ouvrage",
)
SECTORS = (
    "services_personne",
    "alimentation",
    "environnement",
    "batiment_habitat",
    "culture_sport",
    "finance_solidaire",
    "mobilite",
    "numerique",
    "commerce_equitable",
    "insertion",
)
PROJECT_STATUSES = ("propose", "renvoye", "valide", "retenu", "refuse", "en_cours", "realise", "abandonne")
FUNDING_TYPES = ("subvention", "avance_remboursable", "prise_participation", "garantie", "pret")
OPINION_VALUES = ("favorable", "favorable_reserves", "defavorable", "ajourne")


def _one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=name)


def upgrade() -> None:
    op.create_table(
        "funder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "indicator",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("formula", sa.String(), nullable=True),
        sa.Column("min_value", sa.Float(), nullable=True),
        sa.Column("max_value", sa.Float(), nullable=True),
        sa.Column("definition", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("plan_reference", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=True),
        sa.Column("notes", sa.String(), nullable=False),
        _one_of("body", MEETING_BODIES, "ck_body_meetingbody"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "metaentry",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("motto", sa.String(), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "territory",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("mel_gis_code", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "axis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "commune",
        sa.Column("insee_code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("territory_code", sa.String(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("member_since", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("territory_confidence", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["territory_code"], ["territory.code"]),
        sa.PrimaryKeyConstraint("insee_code"),
    )
    op.create_index("ix_commune_territory", "commune", ["territory_code"])
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("territory_code", sa.String(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_code"], ["indicator.code"]),
        sa.ForeignKeyConstraint(["territory_code"], ["territory.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("indicator_code", "period", "territory_code"),
    )
    op.create_table(
        "actionsheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("axis_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("pilot", sa.String(), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=False),
        sa.Column("planned_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _one_of("status", SHEET_STATUSES, "ck_status_sheetstatus"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="ck_sheet_progress"),
        sa.ForeignKeyConstraint(["axis_id"], ["axis.id"]),
        sa.ForeignKeyConstraint(["parent_id"], ["actionsheet.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "communealias",
        sa.Column("alias_code", sa.String(), nullable=False),
        sa.Column("alias_name", sa.String(), nullable=False),
        sa.Column("alias_type", sa.String(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("insee_code", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["insee_code"], ["commune.insee_code"]),
        sa.PrimaryKeyConstraint("alias_code"),
    )
    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("territory_code", sa.String(), nullable=True),
        sa.Column("commune_code", sa.String(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("provenance", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        _one_of("provenance", PROVENANCES, "ck_provenance_provenance"),
        sa.ForeignKeyConstraint(["commune_code"], ["commune.insee_code"]),
        sa.ForeignKeyConstraint(["indicator_code"], ["indicator.code"]),
        sa.ForeignKeyConstraint(["territory_code"], ["territory.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_measurement_lookup", "measurement", ["indicator_code", "period", "territory_code"])
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("legal_form", sa.String(), nullable=False),
        sa.Column("commune_code", sa.String(), nullable=True),
        sa.Column("created_year", sa.Integer(), nullable=True),
        _one_of("legal_form", LEGAL_FORMS, "ck_legal_form_legalform"),
        sa.ForeignKeyConstraint(["commune_code"], ["commune.insee_code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["sheet_id"], ["actionsheet.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_action_sheet_id", "action", ["sheet_id"])
    op.create_table(
        "actionsheethistory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("old_value", sa.String(), nullable=True),
        sa.Column("new_value", sa.String(), nullable=True),
        sa.Column("comment", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["sheet_id"], ["actionsheet.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_actionsheethistory_sheet_id", "actionsheethistory", ["sheet_id"])
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("carrier_id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(), nullable=False),
        sa.Column("intervention_mode", sa.String(), nullable=False),
        sa.Column("sector", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("jobs_created", sa.Integer(), nullable=False),
        sa.Column("jobs_maintained", sa.Integer(), nullable=False),
        sa.Column("beneficiaries", sa.Integer(), nullable=False),
        sa.Column("priority_district", sa.Boolean(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _one_of("intervention_mode", INTERVENTION_MODES, "ck_intervention_mode_interventionmode"),
        _one_of("sector", SECTORS, "ck_sector_sector"),
        _one_of("status", PROJECT_STATUSES, "ck_status_projectstatus"),
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="ck_project_dates"),
        sa.CheckConstraint(
            "jobs_created >= 0 AND jobs_maintained >= 0 AND beneficiaries >= 0", name="ck_project_counts"
        ),
        sa.ForeignKeyConstraint(["carrier_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["commune_code"], ["commune.insee_code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_project_carrier_id", "project", ["carrier_id"])
    op.create_index("ix_project_commune_status", "project", ["commune_code", "status"])
    op.create_table(
        "funding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("funder_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        _one_of("type", FUNDING_TYPES, "ck_type_fundingtype"),
        sa.CheckConstraint("amount >= 0", name="ck_funding_amount"),
        sa.ForeignKeyConstraint(["funder_id"], ["funder.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_funding_funder_id", "funding", ["funder_id"])
    op.create_index("ix_funding_project", "funding", ["project_id", "amount"])
    op.create_table(
        "opinion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("comment", sa.String(), nullable=False),
        _one_of("value", OPINION_VALUES, "ck_value_opinionvalue"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_opinion_meeting_id", "opinion", ["meeting_id"])
    op.create_index("ix_opinion_project_id", "opinion", ["project_id"])
    op.create_table(
        "projectcommune",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["commune_code"], ["commune.insee_code"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("project_id", "commune_code"),
    )
    op.create_table(
        "projectevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("from_status", sa.String(), nullable=True),
        sa.Column("to_status", sa.String(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("comment", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_projectevent_project", "projectevent", ["project_id", "date"])
    op.create_table(
        "projectsheet",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["sheet_id"], ["actionsheet.id"]),
        sa.PrimaryKeyConstraint("project_id", "sheet_id"),
    )
    op.create_index("ix_projectsheet_sheet", "projectsheet", ["sheet_id"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
