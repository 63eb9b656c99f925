"""The list of pages against the page scripts: every script is listed once, with the icon that the
script gives its own frame and a menu label that begins its heading (« Équité » for « Équité
territoriale »), read from its source, nothing is run."""

import ast
from pathlib import Path

from essdash.ui.navigation import PAGES
from tests.conftest import APP

ROOT = Path(APP).parent


def _frame_call(script: Path) -> tuple[str, str]:
    """The title and icon of the script's ``page_frame(...)`` call."""
    calls = [
        node
        for node in ast.walk(ast.parse(script.read_text()))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "page_frame"
    ]
    assert len(calls) == 1, f"{script.name}: one page_frame call expected"
    title, icon = (ast.literal_eval(arg) for arg in calls[0].args[:2])
    return title, icon


def test_every_page_script_is_listed_once():
    scripts = [page.script for page in PAGES]
    assert len(set(scripts)) == len(scripts)
    assert set(scripts) == {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert len({page.url_path for page in PAGES}) == len(PAGES)


def test_each_page_frames_itself_with_its_listed_icon_and_title():
    for page in PAGES:
        heading, icon = _frame_call(ROOT / page.script)
        assert icon == page.icon and heading.startswith(page.title), page.script


def test_url_paths_are_the_script_names():
    assert [page.url_path for page in PAGES] == [Path(page.script).stem for page in PAGES]
