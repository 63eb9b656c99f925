"""Schema version 8: one-time tokens of the forms that create records.

``submission`` keeps each spent token with the write it saved (deed, result, when, who), so that a
form submitted twice creates one record whatever process the second submission reaches.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission",
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("deed", sa.String(), nullable=False),
        sa.Column("result", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("token"),
    )
    op.execute("UPDATE metaentry SET value = '8' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_table("submission")
    op.execute("UPDATE metaentry SET value = '7' WHERE key = 'schema_version'")
