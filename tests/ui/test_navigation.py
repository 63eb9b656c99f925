"""The list of pages against the page scripts: every script is listed once, with the icon that the
script gives its own frame and a menu label that begins its heading (« Équité » for « Équité
territoriale »), read from its source, nothing is run."""

import ast
from pathlib import Path

from essdash.ui.navigation import PAGES, PUBLIC_PAGES
from tests.conftest import APP

ROOT = Path(APP).parent


def _frame_call(script: Path, frame: str = "page_frame") -> tuple[str, ...]:
    """The title and icon of the script's ``page_frame(...)`` call (a public page: its ``public_frame(title)``)."""
    calls = [
        node
        for node in ast.walk(ast.parse(script.read_text()))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == frame
    ]
    assert len(calls) == 1, f"{script.name}: one {frame} call expected"
    if frame == "public_frame":
        return (ast.literal_eval(calls[0].args[0]),)
    title, icon = (ast.literal_eval(arg) for arg in calls[0].args[:2])
    return title, icon


def test_every_page_script_is_listed_once():
    every = (*PAGES, *PUBLIC_PAGES)
    scripts = [page.script for page in every]
    assert len(set(scripts)) == len(scripts)
    assert set(scripts) == {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert len({page.url_path for page in every}) == len(every)


def test_each_page_frames_itself_with_its_listed_icon_and_title():
    for page in PAGES:
        heading, icon = _frame_call(ROOT / page.script)
        assert icon == page.icon and heading.startswith(page.title), page.script
    for page in PUBLIC_PAGES:  # no login, no sidebar: a frame of their own
        (heading,) = _frame_call(ROOT / page.script, "public_frame")
        assert heading == page.title, page.script


def test_url_paths_are_the_script_names():
    every = (*PAGES, *PUBLIC_PAGES)
    assert [page.url_path for page in every] == [Path(page.script).stem for page in every]
