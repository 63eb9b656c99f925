"""Schema version 13: the beneficiaries' questionnaires.

``questionnaire`` (on a project or a fiche, its questions from the catalogue), ``voicetoken`` (the
SHA-256 digest of each one-time link and when it was spent), ``voiceresponse`` (one answer: when, which
semester) and ``voiceanswer`` (a score or a short text per question).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questionnaire",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("sheet_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("questions", sa.String(), nullable=False),
        sa.Column("links", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=True),
        sa.CheckConstraint("(project_id IS NULL) <> (sheet_id IS NULL)", name="ck_questionnaire_target"),
        sa.CheckConstraint("links > 0", name="ck_questionnaire_links"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["sheet_id"], ["actionsheet.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_questionnaire_project_id", "questionnaire", ["project_id"])
    op.create_index("ix_questionnaire_sheet_id", "questionnaire", ["sheet_id"])
    op.create_table(
        "voicetoken",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["questionnaire_id"], ["questionnaire.id"]),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index("ix_voicetoken_questionnaire", "voicetoken", ["questionnaire_id"])
    op.create_table(
        "voiceresponse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["questionnaire_id"], ["questionnaire.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_voiceresponse_questionnaire", "voiceresponse", ["questionnaire_id", "period"])
    op.create_table(
        "voiceanswer",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(), nullable=True),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 0 AND 5", name="ck_voiceanswer_score"),
        sa.CheckConstraint("(score IS NULL) <> (text IS NULL)", name="ck_voiceanswer_value"),
        sa.ForeignKeyConstraint(["response_id"], ["voiceresponse.id"]),
        sa.PrimaryKeyConstraint("response_id", "question"),
    )
    op.execute("UPDATE metaentry SET value = '13' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_table("voiceanswer")
    op.drop_index("ix_voiceresponse_questionnaire", table_name="voiceresponse")
    op.drop_table("voiceresponse")
    op.drop_index("ix_voicetoken_questionnaire", table_name="voicetoken")
    op.drop_table("voicetoken")
    op.drop_index("ix_questionnaire_sheet_id", table_name="questionnaire")
    op.drop_index("ix_questionnaire_project_id", table_name="questionnaire")
    op.drop_table("questionnaire")
    op.execute("UPDATE metaentry SET value = '12' WHERE key = 'schema_version'")
