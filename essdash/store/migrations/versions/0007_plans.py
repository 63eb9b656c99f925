"""Schema version 7: several plans.

A plan gains its ``source`` (the text it was encoded from) and a ``fictional`` flag for a plan
made up for the demonstration or the tests. Axis and fiche codes were unique across the base,
which forbade a second plan reusing « I » or « I.1 »: an axis code is now unique within its plan,
a fiche code within its axis (the plan's import checks it within the plan). SQLite cannot drop an
unnamed UNIQUE constraint in place: the two tables are rebuilt in batch mode, their rows kept.
``sheetcorrespondence`` records which fiche of a later plan continues a fiche of an earlier one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UNNAMED = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
SCOPES = (("axis", "plan_id", "uq_axis_plan_code"), ("actionsheet", "axis_id", "uq_actionsheet_axis_code"))
REAL_PLAN = ("PMDE-ESS-2011-2014", "seed/plan-actions-ess-pmde-2011-2014.txt")


def _server() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.add_column(sa.Column("source", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("fictional", sa.Boolean(), nullable=False, server_default="0"))
    code, source = REAL_PLAN
    op.execute(f"UPDATE plan SET source = '{source}' WHERE code = '{code}'")
    for table, scope, name in SCOPES:
        if _server():  # PostgreSQL named the first schema's UNIQUE (code) itself, and alters in place
            op.drop_constraint(f"{table}_code_key", table, type_="unique")
            op.create_unique_constraint(name, table, [scope, "code"])
            continue
        with op.batch_alter_table(table, recreate="always", naming_convention=UNNAMED) as batch:
            batch.drop_constraint(f"uq_{table}_code", type_="unique")
            batch.create_unique_constraint(name, [scope, "code"])
    op.create_table(
        "sheetcorrespondence",
        sa.Column("old_sheet_id", sa.Integer(), nullable=False),
        sa.Column("new_sheet_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["old_sheet_id"], ["actionsheet.id"]),
        sa.ForeignKeyConstraint(["new_sheet_id"], ["actionsheet.id"]),
        sa.PrimaryKeyConstraint("old_sheet_id", "new_sheet_id"),
    )
    op.create_index("ix_sheetcorrespondence_new", "sheetcorrespondence", ["new_sheet_id"])
    op.execute("UPDATE metaentry SET value = '7' WHERE key = 'schema_version'")


def downgrade() -> None:
    """Back to one plan's codes: fails (and changes nothing) while two plans share a code."""
    op.drop_index("ix_sheetcorrespondence_new", table_name="sheetcorrespondence")
    op.drop_table("sheetcorrespondence")
    for table, _scope, name in SCOPES:
        if _server():
            op.drop_constraint(name, table, type_="unique")
            op.create_unique_constraint(f"{table}_code_key", table, ["code"])
            continue
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.drop_constraint(name, type_="unique")
            batch.create_unique_constraint(f"uq_{table}_code", ["code"])
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("fictional")
        batch.drop_column("source")
    op.execute("UPDATE metaentry SET value = '6' WHERE key = 'schema_version'")
