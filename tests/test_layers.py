"""The layers of essdash, enforced by reading every module's imports (nothing is imported here).

Each subpackage of ``essdash/`` is a layer and may import only the layers listed for it; no layer
imports ``essdash/tools`` (the benches, run from the command line) but ``essdash/cli`` (the command line,
the top), which nothing imports but ``essdash/__main__.py``; Streamlit stays in ``essdash/ui``,
``essdash/tools``, ``pages/`` and ``app.py``; pages hold no SQL; SQLite and everything
dialect-specific stay in ``essdash/store``; pages import only ``essdash/ui`` and ``essdash/domain``;
``essdash/read`` and ``essdash/ui`` never open a write transaction. A module named to
``importlib.import_module`` counts as an import.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "essdash"

# layer → the layers it may import (besides itself)
ALLOWED = {
    "domain": set(),
    "store": {"domain"},
    "spreadsheet": {"domain"},
    "read": {"domain", "store", "spreadsheet"},
    "write": {"domain", "store", "spreadsheet", "read"},
    "render": {"domain", "store", "read"},
    "ui": {"domain", "store", "spreadsheet", "read", "write", "render"},
    # the benches and the load command: run from the command line, above the interface, imported by none
    "tools": {"domain", "store", "spreadsheet", "read", "write", "render", "ui"},
    # the command line: the top, which may import every layer and which only essdash/__main__.py imports
    "cli": {"domain", "store", "spreadsheet", "read", "write", "render", "ui", "tools"},
}
# What pages may import of essdash: the interface layer and the vocabulary, nothing that reads or writes.
PAGES_IMPORT = {"ui", "domain"}
# The layers that never open a write transaction.
READ_ONLY = {"read", "ui"}
STREAMLIT = ("streamlit", "streamlit_folium")
DATABASE = ("sqlalchemy", "sqlmodel", "sqlite3", "psycopg", "alembic")
DIALECT = re.compile(r"\bPRAGMA\b|\bBEGIN IMMEDIATE\b|sqlite_master|\bpg_[a-z_]+\(|\bVACUUM\b", re.IGNORECASE)
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b", re.IGNORECASE)


def sources() -> list[Path]:
    return sorted([*PACKAGE.rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"])


def layer_of(path: Path, root: Path = ROOT) -> str | None:
    parts = path.relative_to(root).parts
    if parts[0] != "essdash" or len(parts) < 3:
        return None  # app.py, pages/, essdash/__init__.py, essdash/__main__.py (runs essdash/cli)
    return parts[1]


def imported(path: Path) -> list[tuple[int, str]]:
    """Every module that ``path`` imports, at any depth of its code, with the line: import
    statements, and ``importlib.import_module`` or ``__import__`` of a module named in the code."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "essdash":
                found += [(node.lineno, f"essdash.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and _called(node) in ("import_module", "__import__") and node.args:
            name = node.args[0]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                found.append((node.lineno, name.value))
    return found


def _called(node: ast.Call) -> str | None:
    """The name a call calls: ``f`` of ``f(…)`` and of ``a.b.f(…)``."""
    if isinstance(node.func, ast.Name):
        return node.func.id
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


def write_transactions(path: Path) -> list[int]:
    """The lines of ``path`` that open a write transaction: ``locked_transaction(…)``, or ``….begin()``
    (SQLAlchemy's transaction that commits)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call) and _called(node) in ("locked_transaction", "begin")
    ]


def violations(path: Path, root: Path = ROOT) -> list[str]:
    """What ``path`` does against the layers: each violation with its line."""
    layer = layer_of(path, root)
    page = path.parent.name == "pages" or path.name == "app.py"
    wrong = []
    for line, module in imported(path):
        top = module.split(".")[0]
        if top in STREAMLIT and layer not in ("ui", "tools", None):
            wrong.append(f"{line}: {module} (Streamlit only in essdash/ui, essdash/tools, pages/ and app.py)")
        if top in DATABASE and page:
            wrong.append(f"{line}: {module} (no database access in pages)")
        if top == "sqlite3" and layer != "store":
            wrong.append(f"{line}: {module} (SQLite only in essdash/store)")
        if module.startswith("sqlalchemy.dialects") and layer != "store":
            wrong.append(f"{line}: {module} (dialects only in essdash/store)")
        parts = module.split(".")
        below = parts[1] if top == "essdash" and len(parts) > 1 and parts[1] in ALLOWED else None
        if layer and below and below != layer and below not in ALLOWED[layer]:
            wrong.append(f"{line}: {module} ({layer} may import {sorted(ALLOWED[layer]) or 'no other layer'})")
        if page and below and below not in PAGES_IMPORT:
            wrong.append(f"{line}: {module} (pages import only {' and '.join(sorted(PAGES_IMPORT))} of essdash)")
    if layer in READ_ONLY:
        wrong += [
            f"{line}: a write transaction ({layer} never writes: essdash/write does)"
            for line in write_transactions(path)
        ]
    return wrong


def test_every_module_of_essdash_lives_in_a_layer():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert not loose, f"modules outside the layers: {loose}"
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} == set(ALLOWED)


def test_only_the_main_module_imports_the_command_line():
    """``python -m essdash`` runs ``essdash/cli``; no layer, page nor ``app.py`` imports it, and
    ``__main__.py`` imports nothing else of essdash."""
    importers = {
        str(path.relative_to(ROOT))
        for path in sources()
        if layer_of(path) != "cli"
        for _, module in imported(path)
        if module == "essdash.cli" or module.startswith("essdash.cli.")
    }
    assert importers == {"essdash/__main__.py"}
    main = [module for _, module in imported(PACKAGE / "__main__.py") if module.startswith("essdash")]
    assert main == ["essdash.cli"]


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_respect_the_layers(path):
    wrong = violations(path)
    assert not wrong, f"{path.relative_to(ROOT)}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_sql_stays_in_its_layers(path):
    text = path.read_text()
    if layer_of(path) != "store":
        assert not DIALECT.search(text), f"{path.relative_to(ROOT)}: dialect-specific SQL outside essdash/store"
    if path.parent.name == "pages" or path.name == "app.py":
        assert not SQL.search(text), f"{path.relative_to(ROOT)}: SQL in a page"


BAD_FILES = {
    "essdash/domain/bad.py": ("import streamlit\nfrom essdash.read import queries\n", ["streamlit", "read"]),
    "essdash/store/hidden.py": ('import importlib\nimportlib.import_module("essdash.write.gate")\n', ["essdash.write"]),
    "essdash/read/writes.py": (
        "from essdash.store.db import locked_transaction\n"
        "def f(engine, permit):\n    with locked_transaction(engine, permit):\n        pass\n",
        ["write transaction"],
    ),
    "essdash/ui/commits.py": (
        "def f(engine):\n    with engine.begin() as conn:\n        pass\n",
        ["write transaction"],
    ),
    "essdash/tools/commands.py": ("from essdash.cli import main\n", ["essdash.cli"]),
    "pages/bad.py": (
        "import sqlalchemy\nfrom essdash.read import queries\n",
        ["no database access", "pages import only"],
    ),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_the_checker_sees_a_violation(tmp_path, name):
    """The real checker, run on files that break one rule each, names the rule."""
    code, expected = BAD_FILES[name]
    bad = tmp_path / name
    bad.parent.mkdir(parents=True)
    bad.write_text(code)
    found = violations(bad, tmp_path)
    assert len(found) == len(expected) and all(word in line for word, line in zip(expected, found)), found


def test_the_sql_checks_see_sql():
    assert SQL.search('x = "SELECT id FROM project"') and DIALECT.search("PRAGMA foreign_keys=ON")


def private_imports(path: Path) -> list[str]:
    """The private names (``_…``) that ``path`` takes from another module of essdash."""
    return [
        f"{node.lineno}: {node.module}.{alias.name}"
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("essdash")
        for alias in node.names
        if alias.name.startswith("_")
    ]


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_takes_a_private_name_of_another(path):
    taken = private_imports(path)
    assert not taken, f"{path.relative_to(ROOT)} imports private names:\n" + "\n".join(taken)


def test_a_private_import_is_seen(tmp_path):
    module = tmp_path / "essdash" / "render" / "pdf.py"
    module.parent.mkdir(parents=True)
    module.write_text("from essdash.render.report.common import _cell, table_rows\n")
    assert private_imports(module) == ["1: essdash.render.report.common._cell"]


PAGE_LINES = 25
PAGE_FORBIDDEN = ("pandas", "folium", "streamlit_folium", "altair")


def page_problems(path: Path) -> list[str]:
    """Why a page is not thin: it imports a data or drawing library, or runs past :data:`PAGE_LINES` lines."""
    wrong = [
        f"{line}: {module} (a page calls essdash.ui; the tables and maps are built there)"
        for line, module in imported(path)
        if module.split(".")[0] in PAGE_FORBIDDEN
    ]
    lines = len(path.read_text().splitlines())
    if lines > PAGE_LINES:
        wrong.append(f"{lines} lines (a page stays under {PAGE_LINES})")
    return wrong


@pytest.mark.parametrize("path", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.name)
def test_pages_are_thin(path):
    assert page_problems(path) == []


def test_the_thin_page_check_sees_a_thick_page(tmp_path):
    page = tmp_path / "pages" / "carte.py"
    page.parent.mkdir()
    page.write_text('"""A page."""\n\nimport folium\nimport pandas as pd\n' + "x = 1\n" * 30)
    problems = page_problems(page)
    assert [p.split(":")[1].split()[0] for p in problems[:2]] == ["folium", "pandas"]
    assert problems[2].startswith("34 lines")
