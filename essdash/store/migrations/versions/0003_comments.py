"""Schema version 3: comments on fiches and projects (participatory evaluation)."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TARGETS = "'fiche', 'projet'"
BODIES = "'groupe_techniciens', 'forum_acteurs', 'beneficiaire', 'comite_metropolitain', 'mission_ess'"


def upgrade() -> None:
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.CheckConstraint(f"target IN ({TARGETS})", name="ck_target_commenttarget"),
        sa.CheckConstraint(f"body IN ({BODIES})", name="ck_body_commentbody"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comment_target", "comment", ["target", "target_id"])
    op.execute("UPDATE metaentry SET value = '3' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_index("ix_comment_target", table_name="comment")
    op.drop_table("comment")
    op.execute("UPDATE metaentry SET value = '2' WHERE key = 'schema_version'")
