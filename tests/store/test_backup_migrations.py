"""Schema versions (Alembic) and backups: upgrade of a first-schema base, snapshots, restores."""

import sqlite3
import warnings
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from essdash.__main__ import main
from essdash.domain import models as m
from essdash.domain.errors import AccessError, BackupError, DatabaseError
from essdash.store import backup, db, migrations
from essdash.store.backup import SQLITE_MAGIC
from essdash.store.config import Settings
from essdash.store.server_backup import DUMP_MAGIC
from essdash.write import members, projects, voices
from essdash.write.actor import Actor
from tests.fixtures.samples import dump
from tests.fixtures.stores import altered_snapshot, backup_rows, connect, leftovers

INDEXES = {
    "sqlite": "SELECT name, sql FROM sqlite_master WHERE type = 'index'",
    "postgresql": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()",
}
TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
}


def _shape(engine) -> dict:
    """Tables with their columns, keys, indexes and constraints, as the store reports them; indexes on
    expressions (which SQLAlchemy does not reflect) by their SQL, case and spaces ignored."""
    with engine.connect() as conn:
        expressions = {
            name: " ".join(sql.lower().replace("(", " ( ").replace(")", " ) ").replace(",", " , ").split())
            for name, sql in conn.execute(text(INDEXES[engine.dialect.name]))
            if sql and "coalesce" in sql.lower()
        }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        return {"expression indexes": expressions} | _tables(inspect(engine))


def _tables(found) -> dict:
    return {
        table: {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
            "primary_key": found.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (tuple(k["constrained_columns"]), k["referred_table"], tuple(k["referred_columns"]))
                for k in found.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
            "checks": sorted((c["name"], c["sqltext"]) for c in found.get_check_constraints(table)),
        }
        for table in found.get_table_names()
    }


def _first_schema_base(url: str, *, with_alembic_table: bool) -> None:
    """A base as the first release of essdash left it: schema 0001, reference data, a project, a funding."""
    migrations.upgrade(url, None, target="0001")
    engine = db.make_engine(url)
    db._fill_reference(engine)
    db.write_meta(engine, schema_version=1, dataset="empty", created_at="2014-12-15T18:00:00", as_of="2014-12-15")
    with engine.begin() as conn:
        conn.execute(insert(m.Organisation).values(id=1, name="Association Le Panier", legal_form="association"))
        conn.execute(insert(m.Funder).values(id=1, name="Lille Métropole", kind="EPCI"))
        conn.execute(
            insert(m.Project).values(
                id=1,
                title="Épicerie solidaire",
                carrier_id=1,
                commune_code="59512",
                intervention_mode="intervention_directe",
                sector="alimentation",
                status="en_cours",
                proposed_on=date(2012, 3, 5),
                updated_at=datetime(2012, 3, 5),
            )
        )
        conn.execute(insert(m.Funding).values(project_id=1, funder_id=1, type="subvention", amount=12500.0, year=2012))
        if not with_alembic_table:
            conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()


def test_the_head_revision_is_the_schema_version():
    config = Config()
    config.set_main_option("script_location", str(migrations.DIRECTORY))
    assert ScriptDirectory.from_config(config).get_current_head() == migrations.HEAD == f"{m.SCHEMA_VERSION:04d}"


def test_new_bases_are_stamped_at_head_and_migrations_build_the_same_schema(fresh_url, empty_engine):
    with empty_engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.HEAD
    migrated = fresh_url("migrated")
    migrations.upgrade(migrated, None)
    engine = create_engine(migrated)
    assert _shape(engine) == _shape(empty_engine)
    engine.dispose()


@pytest.mark.parametrize("with_alembic_table", [False, True])
def test_a_first_schema_base_is_backed_up_and_upgraded_at_opening(fresh_url, with_alembic_table):
    url = fresh_url("ancienne")
    _first_schema_base(url, with_alembic_table=with_alembic_table)
    old = create_engine(url)
    assert "importbatch" not in inspect(old).get_table_names()
    old.dispose()
    before = dump(url)
    engine = db.open_database(Settings(database_url=url))
    with engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.HEAD
        assert conn.execute(select(m.MetaEntry.value).where(m.MetaEntry.key == "schema_version")).scalar_one() == str(
            m.SCHEMA_VERSION
        )
        assert conn.execute(select(m.Project.title)).scalars().all() == ["Épicerie solidaire"]
        assert conn.execute(select(func.sum(m.Funding.amount))).scalar_one() == 12500.0
        assert conn.execute(select(func.count()).select_from(m.ImportBatch)).scalar_one() == 0
    saved = backup.backups_of(engine)
    assert [b["reason"] for b in saved] == ["avant mise a niveau"]
    assert backup_rows(saved[0]["path"]) == before
    engine.dispose()
    again = db.open_database(Settings(database_url=url))
    assert len(backup.backups_of(again)) == 1
    again.dispose()


def test_a_failed_upgrade_leaves_the_base_as_it_was(fresh_url):
    url = fresh_url("ancienne")
    _first_schema_base(url, with_alembic_table=False)
    with connect(url) as conn:
        conn.execute("CREATE TABLE importbatch (x INTEGER)")
    before = dump(url)
    with pytest.raises(DatabaseError, match="la base n'a pas été modifiée"):
        db.open_database(Settings(database_url=url))
    assert dump(url) == before
    engine = db.make_engine(url)
    assert len(backup.backups_of(engine)) == 1
    engine.dispose()


def test_backups_go_to_the_backup_folder_and_only_the_latest_are_kept(empty_engine, tmp_path, monkeypatch):
    first = backup.take_for(empty_engine, "Avant import !")
    assert first.parent == tmp_path / "backups" and first.stem.endswith("-avant-import")
    monkeypatch.setenv("ESSDASH_BACKUP_DIR", str(tmp_path / "ailleurs"))
    monkeypatch.setattr(backup, "KEEP", 3)
    taken = [backup.take_for(empty_engine, "manuelle") for _ in range(5)]
    assert [b["path"] for b in backup.backups_of(empty_engine)] == taken[:1:-1]
    assert sum(line.startswith(("commune ", 'INSERT INTO "commune"')) for line in backup_rows(taken[-1])) == 95


def test_a_sqlite_backup_is_a_file_without_journal(sqlite_engine):
    taken = backup.take_for(sqlite_engine, "manuelle")
    with closing(sqlite3.connect(taken)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_snapshot_then_restore_brings_the_data_back(empty_engine, tmp_path):
    snapshot = backup.snapshot_of(empty_engine)
    assert snapshot.startswith(MAGIC[empty_engine.dialect.name])
    with empty_engine.begin() as conn:
        conn.execute(insert(m.Organisation).values(name="Arrivée après la copie", legal_form="scop"))
    with empty_engine.connect() as conn:  # a connection held open, as a running app would
        before_restore = backup.restore_into(empty_engine, snapshot, "copie.db")
        conn.rollback()  # PostgreSQL: a new transaction sees the restored tables
        assert conn.execute(select(func.count()).select_from(m.Organisation)).scalar_one() == 0
    assert [line for line in backup_rows(before_restore) if "Arrivée" in line] != []
    with empty_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(m.Commune)).scalar_one() == 95
    assert not list((tmp_path / "backups").glob(".restauration-*"))
    assert leftovers(empty_engine) == []


def test_a_restored_sqlite_file_stays_in_wal_mode_and_intact(sqlite_engine):
    backup.restore_into(sqlite_engine, backup.snapshot_of(sqlite_engine), "copie.db")
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


MAGIC = {"sqlite": SQLITE_MAGIC, "postgresql": DUMP_MAGIC}


def _other_sqlite(path: Path) -> bytes:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()
    return path.read_bytes()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda tmp, snap: b"Nom;Forme juridique\r\nA;Association\r\n", "ce n'est pas un fichier de base SQLite"),
        (lambda tmp, snap: b"", "ce n'est pas un fichier de base SQLite"),
        (lambda tmp, snap: _other_sqlite(tmp / "autre.db"), "n'est pas une sauvegarde essdash"),
        (lambda tmp, snap: snap[: len(snap) // 2], "endommagé|lisible"),
        (lambda tmp, snap: snap[:4096] + b"\x00" * (len(snap) - 4096), "endommagé|lisible|pas une sauvegarde"),
    ],
)
def test_restore_refuses_what_is_not_an_essdash_sqlite_base_and_changes_nothing(sqlite_engine, tmp_path, make, message):
    path = Path(sqlite_engine.url.database)
    content = make(tmp_path, backup.snapshot(path))
    sqlite_engine.dispose()
    before = dump(path)
    with pytest.raises(BackupError, match=message):
        backup.restore(path, content, "sauvegarde.db")
    assert dump(path) == before
    assert backup.list_backups(path) == []


NOT_A_BACKUP = {"sqlite": "ce n'est pas un fichier de base SQLite", "postgresql": "ce n'est pas un fichier pg_dump"}
DAMAGED = {"sqlite": "endommagé|lisible", "postgresql": "Restauration depuis « sauvegarde.db » impossible"}


@pytest.mark.parametrize("part", ["texte", "vide", "moitié"])
def test_restore_refuses_a_file_that_is_not_a_whole_backup_of_the_store(empty_engine, part):
    snap = backup.snapshot_of(empty_engine)
    content = {"texte": b"Nom;Forme juridique\r\nA;Association\r\n", "vide": b"", "moitié": snap[: len(snap) // 2]}
    message = (DAMAGED if part == "moitié" else NOT_A_BACKUP)[empty_engine.dialect.name]
    before = dump(empty_engine)
    with pytest.raises(BackupError, match=message):
        backup.restore_into(empty_engine, content[part], "sauvegarde.db")
    assert dump(empty_engine) == before
    assert backup.backups_of(empty_engine) == []
    assert leftovers(empty_engine) == []


def test_restore_refuses_a_base_of_a_newer_version(empty_engine, tmp_path):
    newer = altered_snapshot(empty_engine, tmp_path, ["UPDATE metaentry SET value = '99' WHERE key = 'schema_version'"])
    with pytest.raises(BackupError, match="version plus récente"):
        backup.restore_into(empty_engine, newer, "future.db")


def test_a_first_schema_snapshot_is_upgraded_when_restored(empty_engine, fresh_url):
    old = fresh_url("v1")
    _first_schema_base(old, with_alembic_table=False)
    first = db.make_engine(old)
    content = backup.snapshot_of(first)
    first.dispose()
    backup.restore_into(empty_engine, content, "v1.db")
    with empty_engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.HEAD
        assert conn.execute(select(m.Project.title)).scalars().all() == ["Épicerie solidaire"]
        assert "importbatch" in inspect(conn).get_table_names()


def test_command_line_backup_and_restore(empty_engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    copy = tmp_path / "copie.db"
    assert main(["backup", "--out", str(copy)]) == 0 and copy.read_bytes().startswith(MAGIC[empty_engine.dialect.name])
    assert main(["backup"]) == 0 and "Sauvegarde :" in capsys.readouterr().out
    assert main(["restore", str(copy)]) == 0
    assert "Base restaurée depuis" in capsys.readouterr().out
    notes = tmp_path / "notes.txt"
    notes.write_text("pas une base")
    assert main(["restore", str(notes)]) == 2
    assert "n'est pas une sauvegarde essdash" in capsys.readouterr().err


def test_duplicate_current_values_are_resolved_when_a_schema_3_base_is_upgraded(fresh_url):
    """Two people once saved the same value at once: the latest stays current, the other is
    superseded when the latest was recorded; values of other places and past values are untouched."""
    url = fresh_url("v3")
    migrations.upgrade(url, None, target="0003")
    engine = db.make_engine(url)
    db._fill_reference(engine)
    db.write_meta(engine, schema_version=3, dataset="empty", created_at="2014-12-15T18:00:00", as_of="2014-12-15")
    one = {
        "indicator_code": "part_cdi",
        "period": "2013-S1",
        "provenance": "declare",
        "source": "enquête",
        "superseded_at": None,
    }
    with engine.begin() as conn:
        conn.execute(
            insert(m.Measurement),
            [
                {
                    **one,
                    "id": 1,
                    "territory_code": "lillois",
                    "value": 30.0,
                    "recorded_at": datetime(2013, 7, 1, 9),
                    "recorded_by": "A",
                    "superseded_at": datetime(2013, 7, 2, 9),
                },
                {
                    **one,
                    "id": 2,
                    "territory_code": "lillois",
                    "value": 31.0,
                    "recorded_at": datetime(2013, 7, 2, 9),
                    "recorded_by": "B",
                },
                {
                    **one,
                    "id": 3,
                    "territory_code": "lillois",
                    "value": 32.0,
                    "recorded_at": datetime(2013, 7, 2, 10),
                    "recorded_by": "C",
                },
                {
                    **one,
                    "id": 4,
                    "territory_code": None,
                    "value": 40.0,
                    "recorded_at": datetime(2013, 7, 3),
                    "recorded_by": "D",
                },
                {
                    **one,
                    "id": 5,
                    "territory_code": None,
                    "value": 41.0,
                    "recorded_at": datetime(2013, 7, 3),
                    "recorded_by": "E",
                },
                {
                    **one,
                    "id": 6,
                    "territory_code": "est",
                    "value": 50.0,
                    "recorded_at": datetime(2013, 7, 1),
                    "recorded_by": "F",
                },
            ],
        )
    engine.dispose()
    engine = db.open_database(Settings(database_url=url))
    with engine.connect() as conn:
        rows = conn.execute(select(m.Measurement.id, m.Measurement.superseded_at).order_by(m.Measurement.id)).all()
    assert rows == [
        (1, datetime(2013, 7, 2, 9)),  # already superseded: unchanged
        (2, datetime(2013, 7, 2, 10)),  # superseded when id 3 was recorded
        (3, None),
        (4, datetime(2013, 7, 3)),  # same moment: the higher id is the latest
        (5, None),
        (6, None),
    ]
    with pytest.raises(IntegrityError, match="ux_measurement_current"), engine.begin() as conn:
        conn.execute(
            insert(m.Measurement).values(
                **one, id=7, territory_code=None, value=42.0, recorded_at=datetime(2013, 8, 1), recorded_by="G"
            )
        )
    engine.dispose()


def test_a_schema_6_base_upgraded_keeps_its_plan_and_lets_a_second_plan_reuse_its_codes(tmp_path):
    path = tmp_path / "v6.db"
    url = f"sqlite:///{path}"
    migrations.upgrade(url, None, target="0006")
    engine = db.make_engine(url)
    db._fill_reference(engine)
    db.write_meta(engine, schema_version=6, dataset="empty", created_at="2014-12-15T18:00:00", as_of="2014-12-15")
    with engine.connect() as conn:
        sheets_before = conn.execute(select(func.count()).select_from(m.ActionSheet)).scalar_one()
    engine.dispose()
    engine = db.open_database(Settings(database_url=url))
    with engine.begin() as conn:
        plan = conn.execute(select(m.Plan.code, m.Plan.source, m.Plan.fictional)).one()
        assert tuple(plan) == ("PMDE-ESS-2011-2014", "seed/plan-actions-ess-pmde-2011-2014.txt", False)
        assert conn.execute(select(func.count()).select_from(m.ActionSheet)).scalar_one() == sheets_before == 25
        plan_id = conn.execute(
            insert(m.Plan).values(
                code="FICTIF",
                title="t",
                motto="",
                adopted_on=date(2015, 1, 1),
                start=date(2015, 1, 1),
                end=date(2020, 12, 31),
                source="s",
                fictional=True,
            )
        ).inserted_primary_key[0]
        axis_id = conn.execute(
            insert(m.Axis).values(plan_id=plan_id, code="I", title="t", summary="", position=0)
        ).inserted_primary_key[0]
        sheet = {"axis_id": axis_id, "code": "I.1", "title": "t", "summary": "", "pilot": "p", "position": 1}
        dates = {"planned_start": date(2015, 1, 1), "planned_end": date(2020, 12, 31)}
        conn.execute(insert(m.ActionSheet).values(**sheet, **dates))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(m.ActionSheet).values(**sheet, **dates))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(m.Axis).values(plan_id=plan_id, code="I", title="t", summary="", position=1))


def test_a_schema_7_base_upgraded_gains_the_spent_tokens_of_forms(fresh_url):
    """The upgrade keeps the base's projects and adds an empty ``submission`` table, where a form's
    token is then spent once: the same proposal sent again with it writes nothing."""
    url = fresh_url("v7")
    migrations.upgrade(url, None, target="0007")
    engine = db.make_engine(url)
    db._fill_reference(engine)
    db.write_meta(engine, schema_version=7, dataset="empty", created_at="2014-12-15T18:00:00", as_of="2014-12-15")
    engine.dispose()
    with connect(url) as conn:
        assert "submission" not in {row[0] for row in conn.execute(TABLES[conn.conn.dialect.name])}
    engine = db.open_database(Settings(database_url=url))
    with engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.HEAD
        version = conn.execute(text("SELECT value FROM metaentry WHERE key = 'schema_version'")).scalar_one()
        assert version == str(m.SCHEMA_VERSION)
        assert conn.execute(text("SELECT COUNT(*) FROM submission")).scalar_one() == 0
    proposal = {"title": "Garage solidaire", "commune_code": "59512", "intervention_mode": "a_qualifier"}
    sent = [
        projects.create_project(
            engine,
            Actor("Claire Martin", "mission ESS"),
            {**proposal, "sector": "a_qualifier"},
            carrier_name="SCOP Roule",
            legal_form="scop",
            sheets=["III.4"],
            proposed_on=date(2014, 12, 1),
            once="jeton",
        )
        for _ in range(2)
    ]
    assert sent[0] == sent[1]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM project")).scalar_one() == 1
        assert conn.execute(text("SELECT token, result FROM submission")).all() == [("jeton", sent[0])]
    engine.dispose()


def test_a_schema_8_base_upgraded_keeps_its_members_unbound_until_their_first_login(fresh_url):
    """The upgrade adds ``member.issuer`` and ``member.subject``, empty for the members already there;
    the first login then binds the member, and another identity with the same e-mail is refused."""
    url = fresh_url("v8")
    migrations.upgrade(url, None, target="0008")
    engine = db.make_engine(url)
    db._fill_reference(engine)
    db.write_meta(engine, schema_version=8, dataset="empty", created_at="2014-12-15T18:00:00", as_of="2014-12-15")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO member (email, name, role, communes, added_at, version) "
                "VALUES ('admin@mel.fr', 'Admin', 'administrateur', '', '2014-12-01 09:00:00', 1)"
            )
        )
    assert "issuer" not in {column["name"] for column in inspect(engine).get_columns("member")}
    engine.dispose()
    engine = db.open_database(Settings(database_url=url))
    with engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.HEAD
        version = conn.execute(text("SELECT value FROM metaentry WHERE key = 'schema_version'")).scalar_one()
        assert version == str(m.SCHEMA_VERSION)
        row = conn.execute(text("SELECT email, role, issuer, subject FROM member")).one()
    assert tuple(row) == ("admin@mel.fr", "administrateur", None, None)
    admin = Actor("Admin", "administrateur", "admin@mel.fr")
    assert members.bind_login(engine, admin, "https://idp.exemple.fr", "compte-1") == members.BOUND
    with pytest.raises(AccessError, match="liée à un autre compte"):
        members.bind_login(engine, admin, "https://idp.exemple.fr", "compte-2")
    with engine.connect() as conn:
        assert tuple(conn.execute(text("SELECT issuer, subject FROM member")).one()) == (
            "https://idp.exemple.fr",
            "compte-1",
        )
    engine.dispose()


def test_a_schema_9_base_upgraded_gains_the_questionnaires(fresh_url):
    """The upgrade adds the four tables of the beneficiaries' questionnaires, empty; a questionnaire is
    then opened and answered on the upgraded base."""
    url = fresh_url("v9")
    migrations.upgrade(url, None, target="0009")
    engine = db.make_engine(url)
    db._fill_reference(engine)
    db.write_meta(engine, schema_version=9, dataset="empty", created_at="2014-12-15T18:00:00", as_of="2014-12-15")
    engine.dispose()
    with connect(url) as conn:
        assert "questionnaire" not in {row[0] for row in conn.execute(TABLES[conn.conn.dialect.name])}
    engine = db.open_database(Settings(database_url=url))
    with engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.HEAD
        for table in ("questionnaire", "voicetoken", "voiceresponse", "voiceanswer"):
            assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0
    local = Actor("Claire Martin", "mission ESS")
    opened = voices.open_questionnaire(engine, local, sheet_id=1, title="Avis", questions=["recommandation"], links=1)
    voices.answer(engine, opened.links[0], {"recommandation": "oui"})
    with engine.connect() as conn:
        assert conn.execute(text("SELECT question, score FROM voiceanswer")).all() == [("recommandation", 1)]
    engine.dispose()
