"""Schema version 9: a member is bound to the identity of their first login.

``member`` gains ``issuer`` and ``subject`` (the OpenID provider's ``iss`` and ``sub``), empty until
the member's first login fills them; a later login with the same e-mail must carry the same pair.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("member", sa.Column("issuer", sa.String(), nullable=True))
    op.add_column("member", sa.Column("subject", sa.String(), nullable=True))
    op.execute("UPDATE metaentry SET value = '9' WHERE key = 'schema_version'")


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.drop_column("subject")
        batch.drop_column("issuer")
    op.execute("UPDATE metaentry SET value = '8' WHERE key = 'schema_version'")
