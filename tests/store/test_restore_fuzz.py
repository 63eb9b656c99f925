"""Property-based fuzz of the restore: hostile SQLite bases with essdash's schema, restored through the gate.

Each base is a real essdash base (the empty dataset, one project with its carrier, step, fiche and
funding) whose rows hypothesis changes with ``sqlite3``, CHECK constraints switched off: values of
the wrong type (text in a number, a number or bytes in a date), NUL characters, right-to-left
overrides, huge and infinite floats, integers beyond 64 bits, dates as garbage text, in updated
rows or in copies of them. The contract, for every base given to ``admin.restore``:
- either it is refused with :class:`BackupError`, a French message naming the file, and the live
  base is byte-identical (``iterdump()``);
- or it is restored, and the reads of the pages still work: the project register, each project's
  record, the key figures and the export of the projects (CSV and XLSX).

The backup files of PostgreSQL are ``pg_dump`` files, not SQLite bases: this fuzz runs on SQLite.
The normal run tries ``ESSDASH_FUZZ_EXAMPLES`` bases (25 by default); the long run, at least 2 000:
``ESSDASH_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest -q -p no:cacheprovider tests/store/test_restore_fuzz.py``
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from essdash.domain import models as m
from essdash.domain.errors import BackupError
from essdash.read import exports, queries
from essdash.read.filters import Filters
from essdash.store.db import init_db
from essdash.write import admin, projects
from essdash.write.actor import Actor
from tests.fixtures.samples import dump

EXAMPLES = int(os.environ.get("ESSDASH_FUZZ_EXAMPLES", "25"))
LOCAL = Actor("Fuzz", "mission ESS")
LABEL = "fuzz.db"
ENGLISH = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Warning)\b|Traceback|object has no attribute")
# The tables whose rows are changed: the register's, the places', the plan's and the money's.
TABLES = ("project", "organisation", "projectevent", "projectsheet", "funding", "funder", "commune", "territory")

GARBAGE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202egnp.exe",
    "2013-02-31",
    "2013-13-01",
    "31/12/2013",
    "demain",
    "0000-00-00",
    "99999-01-01",
    "2013-01-01T25:61:00",
    "NaN",
    "1e999",
    "-0",
    "roubaisien",
    "59512",
    "[lien](https://exemple.invalid)",
    "x" * 5000,
]
values = st.one_of(
    st.none(),
    st.sampled_from(GARBAGE),
    st.text(max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 2.0**63, 2.0**64, 1e-320]),
    st.binary(max_size=12),
)
changes = st.lists(
    st.sampled_from(TABLES).flatmap(
        lambda table: st.tuples(
            st.just(table),
            st.sampled_from([column.name for column in m.SQLModel.metadata.tables[table].columns]),
            st.integers(min_value=0, max_value=200),
            values,
            st.booleans(),
        )
    ),
    min_size=1,
    max_size=4,
)


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    """The template base's file, and the live base (its engine and file) that restores replace."""
    folder = tmp_path_factory.mktemp("restauration")
    saved = {key: os.environ.pop(key, None) for key in ("ESSDASH_MODE", "ESSDASH_BACKUP_DIR")}
    os.environ["ESSDASH_BACKUP_DIR"] = str(folder / "sauvegardes")
    template = init_db(f"sqlite:///{folder / 'modele.db'}", dataset="empty")
    project = projects.create_project(
        template,
        LOCAL,
        {"title": "Recyclerie", "commune_code": "59512", "intervention_mode": "a_qualifier", "sector": "a_qualifier"},
        carrier_name="Association Recyclerie",
        legal_form="association",
        sheets=["III.4"],
        proposed_on=date(2013, 5, 2),
    )
    with template.begin() as conn:
        funder = conn.execute(insert(m.Funder).values(name="Ville de Roubaix", kind="commune")).inserted_primary_key[0]
        conn.execute(
            insert(m.Funding).values(project_id=project, funder_id=funder, type="subvention", amount=5000.0, year=2013)
        )
    template.dispose()
    live = init_db(f"sqlite:///{folder / 'vivante.db'}", dataset="empty")
    yield folder / "modele.db", live, Path(live.url.database)
    live.dispose()
    for key, value in saved.items():
        os.environ.pop(key, None)
        if value is not None:
            os.environ[key] = value


def _hostile(template: Path, folder: Path, planned) -> bytes:
    """The template with ``planned`` changes: (table, column, which row, value, copy the row first?);
    a change SQLite itself refuses is left out."""
    path = folder / "hostile.db"
    path.write_bytes(template.read_bytes())
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        for table, column, which, value, copied in planned:
            rowids = [row[0] for row in conn.execute(f'SELECT rowid FROM "{table}" ORDER BY rowid')]
            rowid = rowids[which % len(rowids)]
            others = "".join(
                f', "{c.name}"' for c in m.SQLModel.metadata.tables[table].columns if c.name not in ("id", column)
            )
            try:
                with conn:
                    if copied:
                        copy = f'INSERT INTO "{table}" ("{column}"{others}) SELECT ?{others} FROM "{table}"'
                        conn.execute(copy + " WHERE rowid = ?", (value, rowid))
                    else:
                        conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (value, rowid))
                event(f"{table}.{column} changé")
            except sqlite3.Error:
                event("changement refusé par SQLite")
    data = path.read_bytes()
    path.unlink()
    return data


def _reads(engine) -> None:
    """What the pages read from a restored base: the register, each project's record, the key
    figures, the export of the projects."""
    for project_id in queries.project_register(engine, Filters())["id"]:
        queries.project_detail(engine, int(project_id))
    queries.key_figures(engine, Filters())
    for file_format in ("csv", "xlsx"):
        exports.export(engine, "projects", Filters(), file_format)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no « explain »: minutes per failure
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(planned=changes)
def test_a_hostile_base_is_refused_in_french_or_restored_and_readable(bases, planned):
    template, live, path = bases
    data = _hostile(template, path.parent, planned)
    before = dump(path)
    try:
        admin.restore(live, LOCAL, data, LABEL)
    except BackupError as exc:
        message = str(exc)
        assert f"« {LABEL} »" in message and not ENGLISH.search(message), message
        assert dump(path) == before
        event("refusée")
        return
    event("restaurée")
    _reads(live)
