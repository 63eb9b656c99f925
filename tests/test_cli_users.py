"""The command line's members and its writing commands through the gate: ``users add|list|remove``,
``--as EMAIL`` in either mode, the system user in « poste local » mode, refusals in French that
leave the base byte-identical."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from essdash.cli import main
from essdash.store import backup
from essdash.store.db import make_engine
from tests.fixtures.samples import dump
from tests.fixtures.stores import connect

ADMIN = "admin@mel.fr"
TECH = "tech.roubaix@mel.fr"


@pytest.fixture
def base(demo_copy, monkeypatch) -> str:
    """The URL of a private copy of the demo base, with an administrateur and a technician of Roubaisien."""
    monkeypatch.setenv("DATABASE_URL", demo_copy)
    monkeypatch.delenv("ESSDASH_MODE", raising=False)
    assert main(["users", "add", ADMIN, "--role", "administrateur", "--nom", "Alice Admin"]) == 0
    assert main(["users", "add", TECH, "--role", "technicien", "--territoire", "roubaisien", "--as", ADMIN]) == 0
    return demo_copy


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_users_are_listed_with_role_and_territory(base, capsys):
    code, out, _ = _run(capsys, "users", "list")
    assert code == 0
    assert out.splitlines() == [
        f"{ADMIN}\tadministrateur\tAlice Admin",
        f"{TECH}\ttechnicien\tTech Roubaix\tTerritoire Roubaisien",
    ]


def test_a_technician_may_not_manage_members_nor_restore(base, capsys, tmp_path):
    copy = tmp_path / "copie"
    engine = make_engine(base)
    copy.write_bytes(backup.snapshot_of(engine))
    engine.dispose()
    before = dump(base)
    for argv in (
        ("users", "add", "x@mel.fr", "--role", "administrateur", "--as", TECH),
        ("users", "remove", ADMIN, "--as", TECH),
        ("restore", str(copy), "--as", TECH),
        ("init-db", "--dataset", "empty", "--as", TECH),
    ):
        code, _, err = _run(capsys, *argv)
        assert code == 2 and "Action refusée à Tech Roubaix (technicien)" in err, (argv, err)
    assert dump(base) == before


def test_an_unknown_account_is_refused(base, capsys):
    before = dump(base)
    code, _, err = _run(capsys, "users", "add", "x@mel.fr", "--role", "membre", "--as", "personne@ailleurs.fr")
    assert code == 2 and "« personne@ailleurs.fr » n'est pas (ou plus) membre" in err
    assert dump(base) == before


def test_shared_mode_needs_a_member_and_the_system_user_signs_locally(base, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    before = dump(base)
    code, _, err = _run(capsys, "users", "remove", TECH)
    assert code == 2 and "seul un membre connecté peut écrire" in err
    assert dump(base) == before
    code, out, _ = _run(capsys, "users", "remove", TECH, "--as", ADMIN)
    assert code == 0 and "perd l'accès" in out
    monkeypatch.setenv("ESSDASH_MODE", "local")
    monkeypatch.setenv("USER", "jdupont")
    out_file = tmp_path / "copie.db"
    assert _run(capsys, "backup", "--out", str(out_file))[0] == 0
    with connect(base) as conn:
        journal = [tuple(row) for row in conn.execute("SELECT name, account, deed FROM journal ORDER BY id")]
    assert journal[-2:] == [("Alice Admin", ADMIN, "membres"), ("jdupont", None, "sauvegarde")]


def test_a_misspelt_mode_is_refused(base, capsys, monkeypatch):
    monkeypatch.setenv("ESSDASH_MODE", "partagé-ou-pas")
    code, _, err = _run(capsys, "users", "list")
    assert code == 2 and "ESSDASH_MODE vaut « partagé-ou-pas »" in err


def test_the_documented_command_listens_on_loopback_only():
    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"].get("enableXsrfProtection", True) is True  # XSRF protection stays on


def test_no_secret_is_in_the_repository():
    root = Path(__file__).resolve().parent.parent
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    assert not [name for name in tracked if name.endswith("secrets.toml")]
    ignored = subprocess.run(
        ["git", "check-ignore", ".streamlit/secrets.toml"], cwd=root, capture_output=True, text=True
    )
    assert ignored.returncode == 0  # a secrets file put beside config.toml is never committed by mistake


def test_the_help_says_who_the_command_line_acts_as(capsys):
    """Without ESSDASH_MODE the command line is the local person, with every right: the help says so."""
    for argv in (["--help"], ["users", "add", "--help"]):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 0
        shown = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
        assert "ESSDASH_MODE" in shown and "tous les droits" in shown, argv
