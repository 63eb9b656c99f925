"""Schema version 11: the evaluation's semester states and the register of « dysfonctionnements ».

``semesterapproval`` holds where a semester's indicator values of a territory (or the metropolis's
own values) stand; ``semesterapprovalstep`` every step taken, dated, with who and why;
``planincident`` the register of the plan's « dysfonctionnements » and reorientations.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "semesterapproval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("territory_code", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=True),
        sa.CheckConstraint("state IN ('saisie', 'soumis', 'valide', 'verrouille')", name="ck_semesterapproval_state"),
        sa.ForeignKeyConstraint(["territory_code"], ["territory.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        "CREATE UNIQUE INDEX ux_semesterapproval_place ON semesterapproval (period, COALESCE(territory_code, ''))"
    )
    op.create_table(
        "semesterapprovalstep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("territory_code", sa.String(), nullable=True),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("from_state", sa.String(), nullable=False),
        sa.Column("to_state", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=True),
        sa.CheckConstraint(
            "step IN ('soumettre', 'valider', 'renvoyer', 'verrouiller', 'rouvrir')",
            name="ck_semesterapprovalstep_step",
        ),
        sa.ForeignKeyConstraint(["territory_code"], ["territory.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_semesterapprovalstep_period", "semesterapprovalstep", ["period", "at"])
    op.create_table(
        "planincident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("what", sa.String(), nullable=False),
        sa.Column("change", sa.String(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=True),
        sa.CheckConstraint("kind IN ('dysfonctionnement', 'reorientation')", name="ck_planincident_kind"),
        sa.ForeignKeyConstraint(["sheet_id"], ["actionsheet.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_planincident_day", "planincident", ["day"])
    op.execute("UPDATE metaentry SET value = '11' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_table("planincident")
    op.drop_table("semesterapprovalstep")
    op.drop_table("semesterapproval")
    op.execute("UPDATE metaentry SET value = '10' WHERE key = 'schema_version'")
