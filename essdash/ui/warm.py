"""Server start: before the first visit is served, import every module that ``app.py`` and the
pages import (but the map's component, see :data:`COMPONENTS`), and the ones Streamlit loads at a
page's first table. Without it, the first visitor after a start waits for pandas, SQLAlchemy,
Altair and the app's own modules to load (about 1.6 s of a 5 s first load on a 2-core laptop).

This module itself imports nothing heavy: ``app.py`` imports it while the server starts, and asks
it (:func:`serving`) which of its two parts to be."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Imported by Streamlit itself at the first dataframe it sends (Arrow) or image it checks (Pillow).
STREAMLIT_LAZY = ("pyarrow", "PIL.Image")
# Custom components that declare themselves at import: Streamlit registers (and then serves) one only
# when it is declared within a script run, so they are imported within the run, by the view that draws
# one (the map's, :func:`essdash.ui.map_views.place_map`), and never here.
COMPONENTS = ("streamlit_folium",)


def scripts(root: Path = ROOT) -> list[Path]:
    """The script each visit runs and its pages."""
    return [root / "app.py", *sorted((root / "pages").glob("*.py"))]


def modules(paths: list[Path]) -> list[str]:
    """The absolute imports of ``paths``, at any depth of their code, but :data:`COMPONENTS` (not even
    looked up: that would import them): ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a``,
    and ``a.b`` when that is a module of package ``a``."""
    names: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names if alias.name.split(".")[0] not in COMPONENTS)
            elif (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.level == 0
                and node.module.split(".")[0] not in COMPONENTS
            ):
                names.add(node.module)
                package = importlib.util.find_spec(node.module)
                if package and package.submodule_search_locations is not None:
                    names.update(
                        f"{node.module}.{alias.name}"
                        for alias in node.names
                        if importlib.util.find_spec(f"{node.module}.{alias.name}")
                    )
    return sorted(names)


def load(root: Path = ROOT) -> list[str]:
    """Import what the visits' scripts import; the names imported."""
    names = [*modules(scripts(root)), *STREAMLIT_LAZY]
    for name in names:
        importlib.import_module(name)
    return names


def serving() -> bool:
    """Whether ``app.py`` is being imported by the server (to find its ``st.App``) rather than run
    for a visit: no script run is under way."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx() is None


@asynccontextmanager
async def ready(_app) -> AsyncIterator[None]:
    """``st.App``'s lifespan: the server takes its first visit once :func:`load` is done."""
    load()
    yield
