"""The layers of essdash, enforced by reading every module's imports (nothing is imported here).

Each subpackage of ``essdash/`` is a layer and may import only the layers listed for it; Streamlit
stays in ``essdash/ui``, ``pages/`` and ``app.py``; pages hold no SQL; SQLite and everything
dialect-specific stay in ``essdash/store``.
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
}
STREAMLIT = ("streamlit", "streamlit_folium")
DATABASE = ("sqlalchemy", "sqlmodel", "sqlite3", "psycopg", "alembic")
DIALECT = re.compile(r"\bPRAGMA\b|\bBEGIN IMMEDIATE\b|sqlite_master|\bpg_[a-z_]+\(|\bVACUUM\b", re.IGNORECASE)
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b", re.IGNORECASE)


def sources() -> list[Path]:
    return sorted([*PACKAGE.rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"])


def layer_of(path: Path) -> str | None:
    parts = path.relative_to(ROOT).parts
    if parts[0] != "essdash" or len(parts) < 3:
        return None  # app.py, pages/, essdash/__init__.py, essdash/__main__.py (the command line)
    return parts[1]


def imported(path: Path) -> list[tuple[int, str]]:
    """Every module that ``path`` imports, at any depth of its code, with the line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "essdash":
                found += [(node.lineno, f"essdash.{alias.name}") for alias in node.names]
    return found


def test_every_module_of_essdash_lives_in_a_layer():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert not loose, f"modules outside the layers: {loose}"
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} == set(ALLOWED)


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_respect_the_layers(path):
    layer = layer_of(path)
    wrong = []
    for line, module in imported(path):
        top = module.split(".")[0]
        if top in STREAMLIT and layer not in ("ui", None):
            wrong.append(f"{line}: {module} (Streamlit only in essdash/ui, pages/ and app.py)")
        if (top in DATABASE and path.parent.name == "pages") or (top in DATABASE and path.name == "app.py"):
            wrong.append(f"{line}: {module} (no database access in pages)")
        if top == "sqlite3" and layer != "store":
            wrong.append(f"{line}: {module} (SQLite only in essdash/store)")
        if module.startswith("sqlalchemy.dialects") and layer != "store":
            wrong.append(f"{line}: {module} (dialects only in essdash/store)")
        parts = module.split(".")
        below = parts[1] if top == "essdash" and len(parts) > 1 and parts[1] in ALLOWED else None
        if layer and below and below != layer and below not in ALLOWED[layer]:
            wrong.append(f"{line}: {module} ({layer} may import {sorted(ALLOWED[layer]) or 'no other layer'})")
    assert not wrong, f"{path.relative_to(ROOT)}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_sql_stays_in_its_layers(path):
    text = path.read_text()
    if layer_of(path) != "store":
        assert not DIALECT.search(text), f"{path.relative_to(ROOT)}: dialect-specific SQL outside essdash/store"
    if path.parent.name == "pages" or path.name == "app.py":
        assert not SQL.search(text), f"{path.relative_to(ROOT)}: SQL in a page"


def test_the_checks_see_a_violation(tmp_path):
    """The checks above can fail: a domain module importing the read layer and a page with SQL."""
    fake = tmp_path / "essdash" / "domain" / "bad.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("import streamlit\nfrom essdash.read import queries\n")
    modules = [m for _, m in imported(fake)]
    assert modules == ["streamlit", "essdash.read"]
    assert SQL.search('x = "SELECT id FROM project"') and DIALECT.search("PRAGMA foreign_keys=ON")
