"""The server's start (``app.py``'s lifespan, :mod:`essdash.ui.warm`): it loads what the pages
import before the first visit, while importing ``essdash.ui.warm`` itself loads nothing heavy."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from essdash.store.config import PROJECT_DIR
from essdash.ui import warm

# Modules the pages import (pages/carte.py, equite.py, indicateurs.py) and Streamlit's own first-table
# import; none is loaded by importing essdash.ui.warm.
LOADED = (
    "pandas",
    "altair",
    "sqlalchemy",
    "streamlit",
    "essdash.ui.map_views",
    "essdash.ui.equity_views",
    "essdash.write.measurements",
    "pyarrow",
    "PIL.Image",
)


def test_modules_are_the_absolute_imports_at_any_depth(tmp_path):
    script = tmp_path / "page.py"
    script.write_text(
        textwrap.dedent(
            """
            import json
            import os.path
            from essdash.domain import fmt
            from essdash.domain.fmt import CHOOSE
            from . import sibling
            from streamlit_folium import st_folium
            import streamlit_folium.x


            def later():
                import csv
            """
        ),
        encoding="utf-8",
    )
    assert warm.modules([script]) == ["csv", "essdash.domain", "essdash.domain.fmt", "json", "os.path"]


def test_the_scripts_are_the_entry_point_and_every_page():
    names = [path.relative_to(PROJECT_DIR).as_posix() for path in warm.scripts()]
    assert names[0] == "app.py"
    assert sorted(names[1:]) == sorted(f"pages/{path.name}" for path in (PROJECT_DIR / "pages").glob("*.py"))
    assert len(names) == 16  # app.py, the 13 pages of the sidebar and the 2 public pages


def test_the_lifespan_loads_the_pages_modules_and_its_import_loads_nothing_heavy():
    code = textwrap.dedent(
        f"""
        import asyncio, sys
        from essdash.ui import warm
        names = {LOADED!r}
        print(sorted(n for n in names if n in sys.modules))

        async def start():
            async with warm.ready(None):
                pass

        asyncio.run(start())
        print(sorted(n for n in names if n not in sys.modules))
        print("streamlit_folium" in sys.modules)
        """
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    before, missing, component = run.stdout.splitlines()
    assert before == "[]", f"importing essdash.ui.warm loaded {before}"
    assert missing == "[]", f"after the lifespan, still not loaded: {missing}"
    # Imported outside a script run, the map's component would never be registered: a 404 map frame.
    assert component == "False"


def test_app_py_is_the_server_when_imported_and_the_pages_when_run():
    """Imported without a visit (as ``streamlit run`` does), app.py is an ``st.App`` serving itself and
    draws nothing; run for a visit (AppTest, like every page test), it is the navigation."""
    code = textwrap.dedent(
        """
        import app, streamlit as st
        print(isinstance(app.app, st.App), app.app.script_path.name, app.app.script_path.is_absolute())
        """
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "app.py", "True"]
