"""Schema version 12: the messages the secretariat sends (the convocation and the meeting pack).

``mailsend`` keeps one row per message to one address for one meeting: who sent it, when, what
(subject, place, attachment), its status, tries and last error; (meeting, kind, address, send_no) is
unique, so a message is never claimed twice.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailsend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("send_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("place", sa.String(), nullable=False),
        sa.Column("attachment", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=True),
        sa.CheckConstraint("status IN ('en_cours', 'envoye', 'echec')", name="ck_mailsend_status"),
        sa.CheckConstraint("kind IN ('convocation')", name="ck_mailsend_kind"),
        sa.CheckConstraint("send_no >= 1 AND tries >= 0", name="ck_mailsend_counts"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "kind", "address", "send_no", name="uq_mailsend_once"),
    )
    op.create_index("ix_mailsend_meeting", "mailsend", ["meeting_id", "kind"])
    op.execute("UPDATE metaentry SET value = '12' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_index("ix_mailsend_meeting", table_name="mailsend")
    op.drop_table("mailsend")
    op.execute("UPDATE metaentry SET value = '11' WHERE key = 'schema_version'")
