"""Property-based fuzz of the import: generated CSV and XLSX files through ``prepare`` and ``apply``.

Files are built from random cells (text with control characters, numbers, booleans, dates,
formulas, huge and empty values) under the right headers, shuffled or wrong ones, mixed with
good rows, and written as CSV (several separators and encodings) or XLSX. For every file:
- nothing but essdash's French errors is raised, and no message names an English exception class;
- a refusal (by ``prepare``, or by ``apply``) leaves the database's ``iterdump()`` identical;
- an accepted file, prepared and applied a second time, changes nothing more (import log aside).

``--hypothesis-show-statistics`` counts the refused files, refused rows and applied imports.
The normal run tries ``ESSDASH_FUZZ_EXAMPLES`` files (200 by default). A long run:
``ESSDASH_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest -q -p no:cacheprovider tests/spreadsheet/test_fuzz.py``
"""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from essdash.domain.errors import EssdashError
from essdash.store.db import init_db
from essdash.write import imports
from essdash.write.actor import Actor
from tests.fixtures.samples import GOOD, ORDER, dump

EXAMPLES = int(os.environ.get("ESSDASH_FUZZ_EXAMPLES", "200"))
ACTOR = Actor("Fuzz", "tests")
ENGLISH = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Warning)\b|Traceback|object has no attribute")

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
cells = st.one_of(
    texts,
    st.sampled_from(["", "  ", "=1+1", "=cmd|' /C calc'!A0", "+33", "-", "@SUM(A1)", "'=x", "oui", "non", "\x00"]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2200, 1, 1)),
    st.builds(lambda n: "x" * n, st.integers(min_value=1000, max_value=40_000)),
)


@st.composite
def files(draw):
    kind = draw(st.sampled_from(ORDER))
    header = list(GOOD[kind][0])
    if draw(st.booleans()):  # half the files: the good file with one cell changed, to reach the writes
        table = [header, *(list(row) for row in GOOD[kind][1:])]
        row = draw(st.integers(min_value=1, max_value=len(table) - 1))
        table[row][draw(st.integers(min_value=0, max_value=len(header) - 1))] = draw(cells)
        form = draw(st.sampled_from(["csv-cp1252", "csv-utf8", "xlsx"]))
        return kind, form, _xlsx(table) if form == "xlsx" else _csv(table, form)
    header = draw(
        st.one_of(
            st.just(header),
            st.permutations(header),
            st.lists(st.one_of(texts, st.sampled_from(header)), min_size=1, max_size=len(header) + 2),
        )
    )
    good = [list(row) for row in GOOD[kind][1:]]
    rows = draw(
        st.lists(
            st.one_of(
                st.sampled_from(good),
                st.lists(cells, max_size=len(header) + 2),
                st.builds(
                    lambda row, at, cell: row[:at] + [cell] + row[at + 1 :],
                    st.sampled_from(good),
                    st.integers(min_value=0, max_value=len(header) - 1),
                    cells,
                ),
            ),
            max_size=8,
        )
    )
    table = [header, *rows]
    form = draw(st.sampled_from(["csv-cp1252", "csv-utf8", "csv-tab", "csv-comma", "xlsx"]))
    return kind, form, _xlsx(table) if form == "xlsx" else _csv(table, form)


def _shown(cell) -> str:
    return cell.strftime("%d/%m/%Y") if isinstance(cell, date) else str(cell)


def _csv(table, form: str) -> bytes:
    separator = {"csv-tab": "\t", "csv-comma": ","}.get(form, ";")
    text = "\r\n".join(
        separator.join('"' + _shown(c).replace('"', '""') + '"' if separator in _shown(c) else _shown(c) for c in row)
        for row in table
    )
    if form == "csv-cp1252":
        try:
            return text.encode("cp1252")
        except UnicodeEncodeError:
            pass
    return text.encode("utf-8-sig" if form == "csv-utf8" else "utf-8", errors="surrogatepass")


def _xlsx(table) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in table:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    os.environ["ESSDASH_BACKUP_DIR"] = str(folder / "sauvegardes")
    engine = init_db(f"sqlite:///{folder / 'fuzz.db'}", dataset="empty")
    yield engine, Path(engine.url.database)
    engine.dispose()
    del os.environ["ESSDASH_BACKUP_DIR"]


def _french(message: str) -> None:
    assert not ENGLISH.search(message), message


def _refused_without_change(path: Path, before: list[str], action) -> bool:
    """Run ``action``; if it refuses, check the message and that the base did not change."""
    try:
        action()
    except EssdashError as exc:
        _french(str(exc))
        assert dump(path) == before
        return True
    return False


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(generated=files())
def test_the_import_refuses_in_french_or_applies_once(base, generated):
    engine, path = base
    kind, form, data = generated
    name = f"fuzz.{'xlsx' if form == 'xlsx' else 'csv'}"
    before = dump(path)
    plans = []
    if _refused_without_change(path, before, lambda: plans.append(imports.prepare(engine, data, name, kind))):
        event("fichier refusé")
        return
    plan = plans[0]
    _french(plan.report())
    if _refused_without_change(path, before, lambda: imports.apply(engine, plan, ACTOR)):
        assert not plan.ok
        event("lignes refusées")
        return
    assert plan.ok
    event("import appliqué")
    applied = dump(path, without=("importbatch", "journal", "metaentry"))
    again = imports.prepare(engine, data, name, kind)
    assert again.ok and (again.inserted, again.updated) == (0, 0), again.report()
    imports.apply(engine, again, ACTOR)
    assert dump(path, without=("importbatch", "journal", "metaentry")) == applied
