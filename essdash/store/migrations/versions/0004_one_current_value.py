"""Schema version 4: at most one current value per indicator, semester and place.

Two people saving the same indicator value at once could leave two current values. Existing
duplicates are resolved first: the latest recorded one stays current, the others are superseded
at the moment it was recorded; then a partial unique index forbids new ones.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SAME_PLACE = """
    k.indicator_code = measurement.indicator_code AND k.period = measurement.period
    AND COALESCE(k.territory_code, '') = COALESCE(measurement.territory_code, '')
    AND COALESCE(k.commune_code, '') = COALESCE(measurement.commune_code, '')
    AND k.superseded_at IS NULL
"""
LATEST = f"FROM measurement k WHERE {SAME_PLACE} ORDER BY k.recorded_at DESC, k.id DESC LIMIT 1"


def upgrade() -> None:
    op.execute(
        f"UPDATE measurement SET superseded_at = (SELECT k.recorded_at {LATEST}) "
        f"WHERE superseded_at IS NULL AND id <> (SELECT k.id {LATEST})"
    )
    op.execute(
        "CREATE UNIQUE INDEX ux_measurement_current ON measurement "
        "(indicator_code, period, COALESCE(territory_code, ''), COALESCE(commune_code, '')) "
        "WHERE superseded_at IS NULL"
    )
    op.execute("UPDATE metaentry SET value = '4' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_index("ux_measurement_current", table_name="measurement")
    op.execute("UPDATE metaentry SET value = '3' WHERE key = 'schema_version'")
