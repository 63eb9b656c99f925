"""Schema version 5: partners' files as they are.

Filière and mode d'intervention gain « à qualifier » (what an import gives when a file does not
say), legal forms gain « autre » with the partner's own words kept beside it, and confirmed column
mappings are saved under their source's name (``importmapping``). SQLite cannot change a CHECK
constraint in place: there the two tables are rebuilt in batch mode, their rows kept; PostgreSQL
alters them in place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LEGAL_FORMS = ("association", "scop", "scic", "cae", "mutuelle", "fondation", "siae", "esus", "collectivite")
INTERVENTION_MODES = (
    "intervention_directe",
    "convention_objectifs",
    "experimentation_transfert",
    "assistance_maitrise_ouvrage",
)
SECTORS = (
    "services_personne",
    "alimentation",
    "environnement",
    "batiment_habitat",
    "culture_sport",
    "finance_solidaire",
    "mobilite",
    "numerique",
    "commerce_equitable",
    "insertion",
)
CHECKS = (
    ("organisation", "legal_form", "ck_legal_form_legalform", LEGAL_FORMS, "autre"),
    ("project", "intervention_mode", "ck_intervention_mode_interventionmode", INTERVENTION_MODES, "a_qualifier"),
    ("project", "sector", "ck_sector_sector", SECTORS, "a_qualifier"),
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _checks(added: bool) -> None:
    for table, column, name, values, extra in CHECKS:
        with op.batch_alter_table(table, recreate="auto") as batch:
            batch.drop_constraint(name, type_="check")
            batch.create_check_constraint(name, _one_of(column, (*values, extra) if added else values))
            if table == "organisation" and added:
                batch.add_column(sa.Column("legal_form_text", sa.String(), nullable=True))
            elif table == "organisation":
                batch.drop_column("legal_form_text")


def upgrade() -> None:
    _checks(added=True)
    op.create_table(
        "importmapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("headers", sa.String(), nullable=False),
        sa.Column("mapping", sa.String(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "name", name="uq_importmapping_kind_name"),
    )
    op.create_index("ix_importmapping_headers", "importmapping", ["headers"])
    op.execute("UPDATE metaentry SET value = '5' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_index("ix_importmapping_headers", table_name="importmapping")
    op.drop_table("importmapping")
    op.execute("UPDATE project SET sector = 'insertion' WHERE sector = 'a_qualifier'")
    op.execute("UPDATE project SET intervention_mode = 'intervention_directe' WHERE intervention_mode = 'a_qualifier'")
    op.execute("UPDATE organisation SET legal_form = 'association' WHERE legal_form = 'autre'")
    _checks(added=False)
    op.execute("UPDATE metaentry SET value = '4' WHERE key = 'schema_version'")
