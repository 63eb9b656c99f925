"""Schema version 10: the open-data fields of the SCDL « Subventions » format, all optional.

``organisation`` gains ``siret`` and ``rna``; ``funder`` gains ``siret`` (the attributing body);
``funding`` gains the convention's date and decision reference, the nature of the aid, its payment
conditions and dates, the notification to the European Commission, the beneficiary's share and the
aid scheme (call for projects).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

FUNDING = (
    ("convention_date", sa.Date()),
    ("decision_reference", sa.String()),
    ("nature", sa.String()),
    ("payment_conditions", sa.String()),
    ("payment_dates", sa.String()),
    ("eu_notification", sa.Boolean()),
    ("beneficiary_share", sa.Float()),
    ("aid_scheme", sa.String()),
)


def upgrade() -> None:
    op.add_column("organisation", sa.Column("siret", sa.String(), nullable=True))
    op.add_column("organisation", sa.Column("rna", sa.String(), nullable=True))
    op.add_column("funder", sa.Column("siret", sa.String(), nullable=True))
    for name, kind in FUNDING:
        op.add_column("funding", sa.Column(name, kind, nullable=True))
    op.execute("UPDATE metaentry SET value = '10' WHERE key = 'schema_version'")


def downgrade() -> None:
    with op.batch_alter_table("funding") as batch:
        for name, _ in reversed(FUNDING):
            batch.drop_column(name)
    with op.batch_alter_table("funder") as batch:
        batch.drop_column("siret")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("rna")
        batch.drop_column("siret")
    op.execute("UPDATE metaentry SET value = '9' WHERE key = 'schema_version'")
