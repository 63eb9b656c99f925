"""Schema version 6: accounts and the trail of who did what.

``member`` holds the people of the shared dashboard (e-mail, role, territory or communes),
``journal`` every write the gate let through. The history rows, steps, opinions, meetings,
comments, indicator values and imports gain the ``account`` that signed them; opinions and
meetings gain the signature (``author``) the other rows already had.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ROLES = "'administrateur', 'mission', 'presidence', 'technicien', 'membre'"
SIGNED = ("actionsheethistory", "projectevent", "measurement", "importbatch", "importmapping", "comment")
NEWLY_SIGNED = ("opinion", "meeting")


def upgrade() -> None:
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("territory_code", sa.String(), nullable=True),
        sa.Column("communes", sa.String(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"role IN ({ROLES})", name="ck_role_role"),
        sa.ForeignKeyConstraint(["territory_code"], ["territory.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("account", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("deed", sa.String(), nullable=False),
        sa.Column("place", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_journal_at", "journal", ["at"])
    for table in SIGNED + NEWLY_SIGNED:
        op.add_column(table, sa.Column("account", sa.String(), nullable=True))
    for table in NEWLY_SIGNED:
        op.add_column(table, sa.Column("author", sa.String(), nullable=False, server_default=""))
    op.execute("UPDATE metaentry SET value = '6' WHERE key = 'schema_version'")


def downgrade() -> None:
    for table in NEWLY_SIGNED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("author")
    for table in SIGNED + NEWLY_SIGNED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("account")
    op.drop_index("ix_journal_at", table_name="journal")
    op.drop_table("journal")
    op.drop_table("member")
    op.execute("UPDATE metaentry SET value = '5' WHERE key = 'schema_version'")
