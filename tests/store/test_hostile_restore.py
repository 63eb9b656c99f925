"""Restoring files made to harm: nothing of a ``pg_dump`` file runs, and restored rows pass the rule book.

The hostile dump is made here: a scratch database of the test server holding essdash's tables and a
PL/pgSQL function, used by a CHECK constraint of ``territory``, that changes a setting of the
application's role and one of the live database. Restoring the file by running it (``pg_restore``
into a database) calls the function on every row; essdash must refuse it, or restore only its rows,
without either setting changing. The role's setting is a harmless value (the test role is shared
with other test runs), but it is a setting all the same.

The rows of each base are an essdash base altered on its store (a text in a date column, an
infinite amount, a control or bidirectional character, an HTML tag, a point far away): the restore
refuses it in French, naming the table, the row and the column, and the database stays as it was.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from essdash.domain import models as m
from essdash.domain.errors import BackupError
from essdash.store import backup, dump_data
from tests.fixtures.samples import dump
from tests.fixtures.stores import altered_snapshot, connect, leftovers, on_server

server_only = pytest.mark.skipif(not on_server(), reason="a pg_dump file is PostgreSQL's")


def _settings(engine) -> list[tuple]:
    """The per-role and per-database settings of the server, and the application role's row."""
    with connect(engine) as conn:
        settings = conn.execute("SELECT setdatabase, setrole, setconfig FROM pg_db_role_setting ORDER BY 1, 2").all()
        role = conn.execute("SELECT * FROM pg_roles WHERE rolname = current_user").all()
        live = conn.execute(
            "SELECT datname, datallowconn, datconnlimit FROM pg_database WHERE datname = current_database()"
        )
        return [tuple(row) for row in [*settings, *role, *live.all()]]


def _trapped_dump(engine, folder) -> bytes:
    """An essdash dump whose ``territory`` table checks each row with a function that changes settings."""
    with connect(engine) as conn:
        live = conn.execute("SELECT current_database()").scalar_one()
    harmful = (
        "BEGIN EXECUTE 'ALTER ROLE CURRENT_USER SET statement_timeout = ''42min''';"
        f" EXECUTE 'ALTER DATABASE \"{live}\" SET default_transaction_read_only = on'; RETURN true; END"
    )
    return altered_snapshot(
        engine,
        folder,
        [
            "CREATE FUNCTION ess_g(code text) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RETURN true; END$$",
            "ALTER TABLE territory ADD CONSTRAINT ck_ess CHECK (ess_g(code))",
            f"CREATE OR REPLACE FUNCTION ess_g(code text) RETURNS boolean LANGUAGE plpgsql AS $${harmful}$$",
        ],
    )


@pytest.fixture
def settings_kept(empty_engine):
    """The server's settings before the test; put back after it if the test changed them."""
    before = _settings(empty_engine)
    yield before
    if _settings(empty_engine) != before:
        with connect(empty_engine) as conn:
            conn.execute("SET TRANSACTION READ WRITE")  # the live database may have been made read-only
            live = conn.execute("SELECT current_database()").scalar_one()
            conn.execute("ALTER ROLE CURRENT_USER RESET statement_timeout")
            conn.execute(f'ALTER DATABASE "{live}" RESET default_transaction_read_only')


@server_only
@pytest.mark.parametrize("foreign_objects", ["refusés", "ignorés"])
def test_a_dump_running_sql_from_a_check_constraint_changes_no_setting(
    empty_engine, tmp_path, settings_kept, monkeypatch, foreign_objects
):
    """Refused for its function, or (were functions not refused) restored without running it."""
    content = _trapped_dump(empty_engine, tmp_path)
    before = dump(empty_engine)
    if foreign_objects == "refusés":
        with pytest.raises(BackupError, match="fonction « ess_g »"):
            backup.restore_into(empty_engine, content, "piege.dump")
        assert dump(empty_engine) == before
    else:
        listed = dump_data.contents
        monkeypatch.setattr(dump_data, "contents", lambda *args: dataclasses.replace(listed(*args), foreign=[]))
        backup.restore_into(empty_engine, content, "piege.dump")
        kept = ("metaentry",)  # a restore gives a new data version
        assert dump(empty_engine, without=kept) == [line for line in before if not line.startswith("metaentry ")]
        with connect(empty_engine) as conn:
            assert conn.execute("SELECT count(*) FROM pg_proc WHERE proname = 'ess_g'").scalar_one() == 0
            assert conn.execute("SELECT count(*) FROM pg_constraint WHERE conname = 'ck_ess'").scalar_one() == 0
    assert _settings(empty_engine) == settings_kept
    assert leftovers(empty_engine) == []


VALID_ROWS = (
    "INSERT INTO organisation (id, name, legal_form) VALUES (1, 'Association Le Panier', 'association')",
    "INSERT INTO funder (id, name, kind) VALUES (1, 'Lille Métropole', 'EPCI')",
    "INSERT INTO project (id, title, description, carrier_id, commune_code, intervention_mode, sector, status, "
    "proposed_on, jobs_created, jobs_maintained, beneficiaries, priority_district, lat, lon, version, updated_at) "
    "VALUES (1, 'Épicerie solidaire', '', 1, '59512', 'intervention_directe', 'alimentation', 'en_cours', "
    "'2012-03-05', 2, 0, 40, false, 50.69, 3.18, 1, '2012-03-05 10:00:00')",
    "INSERT INTO funding (id, project_id, funder_id, type, amount, year) VALUES (1, 1, 1, 'subvention', 12500, 2012)",
)


def _as_text(table: str, column: str, *dropped: str) -> tuple[str, ...]:
    """On the server, a column made text (its checks dropped) so that it may hold any word."""
    return (
        *(f"ALTER TABLE {table} DROP CONSTRAINT {name}" for name in dropped),
        f"ALTER TABLE {table} ALTER COLUMN {column} TYPE text",
    )


HOSTILE_ROWS: dict[str, tuple[dict[str, tuple[str, ...]], str]] = {
    "date illisible": (
        {
            "sqlite": ("UPDATE project SET proposed_on = 'pas une date'",),
            "postgresql": (*_as_text("project", "proposed_on"), "UPDATE project SET proposed_on = 'pas une date'"),
        },
        r"project\W.*\b1\b.*proposed_on",
    ),
    "montant en toutes lettres": (
        {
            "sqlite": ("UPDATE funding SET amount = 'beaucoup'",),
            "postgresql": (
                *_as_text("funding", "amount", "ck_funding_amount"),
                "UPDATE funding SET amount = 'beaucoup'",
            ),
        },
        r"funding\W.*\b1\b.*amount",
    ),
    "montant infini": (
        {"sqlite": ("UPDATE funding SET amount = 9e999",), "postgresql": ("UPDATE funding SET amount = 'Infinity'",)},
        r"table « funding », ligne id 1, colonne « amount » : .*n'est pas un nombre fini",
    ),
    "caractère de contrôle": (
        {
            "sqlite": ("UPDATE project SET title = 'Épicerie' || char(0) || 'solidaire'",),
            "postgresql": ("UPDATE project SET title = 'Épicerie' || chr(7) || 'solidaire'",),
        },
        r"table « project », ligne id 1, colonne « title » : caractères de contrôle refusés",
    ),
    "inversion du sens d'écriture": (
        {store: ("UPDATE organisation SET name = 'Panier \u202eeiremocipe'",) for store in ("sqlite", "postgresql")},
        r"table « organisation », ligne id 1, colonne « name » : .*sens d'écriture",
    ),
    "balise HTML": (
        {
            store: ("UPDATE project SET description = '<script>alert(1)</script>'",)
            for store in ("sqlite", "postgresql")
        },
        r"table « project », ligne id 1, colonne « description » : les balises HTML sont refusées",
    ),
    "point à l'autre bout du monde": (
        {store: ("UPDATE project SET lat = 1e308",) for store in ("sqlite", "postgresql")},
        r"table « project », ligne id 1, colonne « lat » : .* est hors de la métropole",
    ),
    "date de l'an 3000": (
        {store: ("UPDATE project SET proposed_on = '3000-01-01'",) for store in ("sqlite", "postgresql")},
        r"table « project », ligne id 1, colonne « proposed_on » : date hors des limites",
    ),
}


def test_a_base_of_valid_rows_is_restored(empty_engine, tmp_path):
    content = altered_snapshot(empty_engine, tmp_path, VALID_ROWS)
    backup.restore_into(empty_engine, content, "sauvegarde.db")
    with connect(empty_engine) as conn:
        assert conn.execute("SELECT title, proposed_on FROM project").all() == [
            ("Épicerie solidaire", date(2012, 3, 5) if on_server() else "2012-03-05")
        ]
        assert conn.execute("SELECT amount FROM funding").scalar_one() == 12500


@pytest.mark.parametrize("statements, message", HOSTILE_ROWS.values(), ids=HOSTILE_ROWS.keys())
def test_a_row_breaking_the_rule_book_is_refused_naming_table_row_and_column(
    empty_engine, tmp_path, statements, message
):
    content = altered_snapshot(empty_engine, tmp_path, [*VALID_ROWS, *statements[empty_engine.dialect.name]])
    before = dump(empty_engine)
    with pytest.raises(BackupError, match=message) as refused:
        backup.restore_into(empty_engine, content, "sauvegarde.db")
    assert "<script>" not in str(refused.value)
    assert dump(empty_engine) == before
    assert backup.backups_of(empty_engine) == []
    assert not list((tmp_path / "backups").glob(".restauration-*"))
    assert leftovers(empty_engine) == []


PROJECT = m.Project.__table__
GOOD = {
    "id": 7,
    "title": "Épicerie solidaire",
    "description": "Sur deux lignes\navec une tabulation\t.",
    "carrier_id": 1,
    "commune_code": "59512",
    "intervention_mode": "intervention_directe",
    "sector": "alimentation",
    "status": "en_cours",
    "proposed_on": "2012-03-05",
    "start_date": None,
    "end_date": None,
    "jobs_created": 2,
    "jobs_maintained": 0,
    "beneficiaries": 40,
    "priority_district": 0,
    "lat": 3.18,  # swapped with the longitude: an entry error the demo keeps, restored as saved
    "lon": 50.69,
    "version": 1,
    "updated_at": "2012-03-05 10:00:00.000000",
}


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("proposed_on", "05/03/2012", "n'est pas une date"),
        ("proposed_on", 2012, "n'est pas une date"),
        ("proposed_on", "2012-02-30", "n'est pas une date|date impossible|day is out of range"),
        ("updated_at", "hier", "n'est pas une date et une heure"),
        ("updated_at", datetime(1850, 1, 1), "date hors des limites"),
        ("jobs_created", "3", "n'est pas un nombre entier"),
        ("jobs_created", -1, "nombre négatif refusé"),
        ("jobs_created", 2**40, "entier hors des limites"),
        ("priority_district", "oui", "ni vrai ni faux"),
        ("lat", float("nan"), "n'est pas un nombre fini"),
        ("lon", 2.0, "hors de la métropole"),
        ("title", None, "valeur manquante"),
        ("title", "x" * 201, "texte trop long"),
        ("title", "a\u2066b", "sens d'écriture"),
        ("description", "a\rb", "caractères de contrôle"),
    ],
)
def test_check_rows_refuses_a_value_naming_its_row_and_column(column, value, message):
    row = tuple({**GOOD, column: value}[c.name] for c in PROJECT.columns)
    with pytest.raises(BackupError, match=f"table « project », ligne id 7, colonne « {column} » : .*({message})"):
        backup.check_rows(PROJECT, [row], "base.db")


def test_check_rows_accepts_what_either_store_gives():
    stored = tuple(GOOD[c.name] for c in PROJECT.columns)
    typed = {
        **GOOD,
        "proposed_on": date(2012, 3, 5),
        "updated_at": datetime(2012, 3, 5, 10),
        "priority_district": False,
    }
    assert backup.check_rows(PROJECT, [stored, tuple(typed[c.name] for c in PROJECT.columns)], "base.db") == 2


def test_a_demo_backup_passes_the_rule_book(demo_engine):
    """Every row the demo holds (its swapped points included) passes: a backup of it restores."""
    with demo_engine.connect() as conn:
        for table in m.SQLModel.metadata.sorted_tables:
            columns = ", ".join(f'"{column.name}"' for column in table.columns)
            read = backup.check_rows(table, conn.exec_driver_sql(f'SELECT {columns} FROM "{table.name}"'), "demo.db")
            if table.name == "project":
                assert read == 180


def test_the_journal_may_quote_a_member_as_the_application_writes_it():
    journal = m.JournalEntry.__table__
    row = {
        "id": 4,
        "at": "2026-12-06 10:00:00",
        "account": "a@mel.fr",
        "name": "Admin",
        "role": "administrateur",
        "deed": "membres",
        "place": "nulle part",
        "summary": "Membre ajouté — Camille <camille@mel.fr> : Technicien",
    }
    assert backup.check_rows(journal, [tuple(row[c.name] for c in journal.columns)], "base.db") == 1
    row["summary"] = "Membre ajouté \u202e"
    with pytest.raises(BackupError, match=r"table « journal », ligne id 4, colonne « summary » : .*sens d'écriture"):
        backup.check_rows(journal, [tuple(row[c.name] for c in journal.columns)], "base.db")


@pytest.mark.parametrize(
    "table, row, column, message",
    [
        (
            "voiceanswer",
            {"response_id": 1, "question": "suggestion", "score": None, "text": "x" * 501},
            "text",
            "trop long",
        ),
        (
            "voiceanswer",
            {"response_id": 1, "question": "suggestion", "score": None, "text": "<b>oui</b>"},
            "text",
            "balise",
        ),
        (
            "voiceresponse",
            {"id": 1, "questionnaire_id": 1, "answered_at": "2013-05-02 10:00:00", "period": "2013-S3"},
            "period",
            "semestre|2013-S3",
        ),
    ],
)
def test_check_rows_applies_the_rule_book_to_the_beneficiaries_answers(table, row, column, message):
    """A restored free answer is held to the answer page's limits; a semester must be one."""
    target = m.SQLModel.metadata.tables[table]
    with pytest.raises(BackupError, match=f"table « {table} ».*colonne « {column} » : .*({message})"):
        backup.check_rows(target, [tuple(row[c.name] for c in target.columns)], "base.db")
