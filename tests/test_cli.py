"""The command line: its place options, spelt like the URL (``--territoire``, ``--commune``), and
the copies of the base it writes."""

import os
import stat

import pytest

from essdash.cli import main
from essdash.read import exports as io_export
from essdash.read.filters import Filters


@pytest.fixture
def demo_env(demo_engine, demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    return demo_engine


def _export(tmp_path, name: str, *options: str) -> bytes:
    out = tmp_path / name
    assert main(["export", "--kind", "projects", "--format", "csv", "--out", str(out), *options]) == 0
    return out.read_bytes()


def test_export_takes_the_territory_and_commune_as_in_the_url(demo_env, tmp_path):
    lys = _export(tmp_path, "lys.csv", "--territoire", "lys")
    assert lys == io_export.export(demo_env, "projects", Filters(territory="lys"), "csv").data
    assert lys != _export(tmp_path, "tout.csv")
    roubaix = _export(tmp_path, "roubaix.csv", "--territoire", "roubaisien", "--commune", "59512")
    assert (
        roubaix == io_export.export(demo_env, "projects", Filters(territory="roubaisien", commune="59512"), "csv").data
    )
    territory = _export(tmp_path, "roubaisien.csv", "--territoire", "roubaisien")
    assert 1 < roubaix.count(b"\n") < territory.count(b"\n")


def test_the_english_territory_option_still_works_but_is_not_shown(demo_env, tmp_path, capsys):
    assert _export(tmp_path, "en.csv", "--territory", "lys") == _export(tmp_path, "fr.csv", "--territoire", "lys")
    capsys.readouterr()
    for command in ("export", "report"):
        with pytest.raises(SystemExit) as exited:
            main([command, "--help"])
        assert exited.value.code == 0
        shown = capsys.readouterr().out
        assert "--territoire CODE" in shown and "--territory" not in shown


def test_an_unknown_territory_is_refused_in_french(demo_env, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert (
        main(["export", "--kind", "projects", "--format", "csv", "--territoire", "atlantide", "--out", str(out)]) == 2
    )
    assert "Territoire inconnu : « atlantide »" in capsys.readouterr().err
    assert not out.exists()


def test_the_browser_bench_refuses_a_database_it_would_not_use(capsys):
    """``bench --browser`` measures on its own SQLite demo bases: a ``--base`` is refused, in French,
    before any browser or server starts."""
    assert main(["bench", "--browser", "--base", "postgresql+psycopg://x@localhost/charge"]) == 2
    assert "--base ne vaut que pour le banc du serveur" in capsys.readouterr().err


def test_a_copy_of_the_base_written_by_the_command_line_is_its_owner_s_only(demo_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_copy)
    out = tmp_path / "copie.sauvegarde"
    mask = os.umask(0o022)  # what would make a plain file readable by everyone
    try:
        assert main(["backup", "--out", str(out)]) == 0
    finally:
        os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.stat().st_size > 0
