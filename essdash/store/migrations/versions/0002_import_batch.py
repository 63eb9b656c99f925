"""Schema version 2: the import log (one row per imported spreadsheet)."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "importbatch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("rows_inserted", sa.Integer(), nullable=False),
        sa.Column("rows_updated", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("backup_file", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_importbatch_sha256", "importbatch", ["sha256"])
    op.execute("UPDATE metaentry SET value = '2' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_index("ix_importbatch_sha256", table_name="importbatch")
    op.drop_table("importbatch")
    op.execute("UPDATE metaentry SET value = '1' WHERE key = 'schema_version'")
