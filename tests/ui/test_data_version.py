"""Every page run reads the base as it is now: a write made by another process (the command line, a
second app process) is seen on the open page's next run, on SQLite and on PostgreSQL.

The page stays open in the test's process, its reads cached; the writes come from real other
processes. Expected counts are the base's own rows, counted with SQL before and after."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from essdash.domain import fmt
from essdash.store.db import make_engine
from tests.ui.app_process import caption, propose
from tests.write.test_partner_files import PARTNER_HEAD, PARTNER_ROWS

ROOT = Path(__file__).resolve().parents[2]
PROJETS = "pages/projets.py"


def _count(url: str) -> int:
    """The base's projects, counted on a new connection (one opened before a new base would see the old)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM project")).scalar_one()
    finally:
        engine.dispose()


def _shows(at, projects: int) -> bool:
    return caption(at).startswith(fmt.plural(projects, "projet") + " ·")


def _cli(url: str, *args: str) -> str:
    """Run ``python -m essdash …`` in a process of its own on the base ``url``; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "essdash", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _one_project_file(tmp_path: Path, title: str) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(PARTNER_HEAD)
    writer.writerow([title, *PARTNER_ROWS[0][1:]])
    path = tmp_path / f"{title}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_a_command_line_import_is_seen_on_the_next_run(writable_app, demo_copy, tmp_path):
    make, _engine = writable_app
    before = _count(demo_copy)
    at = make(PROJETS)
    assert _shows(at, before)
    new_file = _one_project_file(tmp_path, "Épicerie de la ligne de commande")
    _cli(demo_copy, "import", str(new_file), "--kind", "projects")
    assert _count(demo_copy) == before + 1
    assert _shows(at.run(), before + 1), caption(at)


def test_a_plan_import_is_seen_on_the_next_run(writable_app, demo_copy):
    make, _engine = writable_app
    at = make("pages/synthese.py", plan="FICTIF-2015-2020")
    assert any(f"{fmt.md_escape('FICTIF-2015-2020')} » inconnu" in w.value for w in at.warning)
    _cli(demo_copy, "plan", "import", str(ROOT / "tests" / "fixtures" / "plan_fictif.yaml"))
    at.query_params["plan"] = "FICTIF-2015-2020"  # the page dropped the unknown code: the link opened again
    at.run()
    assert not any("inconnu" in w.value for w in at.warning), [w.value for w in at.warning]
    assert any(f"Plan fictif de démonstration : {fmt.md_escape('FICTIF-2015-2020')}" in w.value for w in at.warning)


def test_a_restore_and_a_new_base_are_seen_on_the_next_run(writable_app, demo_copy, tmp_path):
    make, _engine = writable_app
    before = _count(demo_copy)
    saved = tmp_path / "avant.sauvegarde"
    _cli(demo_copy, "backup", "--out", str(saved))
    at = make(PROJETS)
    _cli(demo_copy, "import", str(_one_project_file(tmp_path, "Projet à défaire")), "--kind", "projects")
    assert _shows(at.run(), before + 1)
    _cli(demo_copy, "restore", str(saved))
    assert _count(demo_copy) == before
    assert _shows(at.run(), before), caption(at)
    _cli(demo_copy, "init-db", "--dataset", "empty")  # SQLite: a new file in place of the old one
    assert _count(demo_copy) == 0
    assert caption(at.run()).startswith("0 projet ·"), caption(at)


def test_two_app_processes_see_each_other_s_writes(writable_app, demo_copy):
    make, _engine = writable_app
    before = _count(demo_copy)
    other = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.app_process"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": demo_copy},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def ask(**command) -> dict:
        other.stdin.write(json.dumps(command) + "\n")
        other.stdin.flush()
        return json.loads(other.stdout.readline())

    try:
        here = make(PROJETS)
        assert _shows(here, before)
        assert ask(open=PROJETS)["caption"].startswith(fmt.plural(before, "projet") + " ·")
        answer = ask(propose="Recyclerie du second processus")
        assert not answer["errors"] and answer["success"], answer
        assert _count(demo_copy) == before + 1
        assert _shows(here.run(), before + 1), caption(here)
        assert not propose(here, "Ressourcerie du premier processus")["errors"]
        assert _count(demo_copy) == before + 2
        assert ask(rerun=True)["caption"].startswith(fmt.plural(before + 2, "projet") + " ·")
    finally:
        other.stdin.close()
        other.wait(timeout=60)
