"""One upload limit, said once and held by the server: ``.streamlit/config.toml`` takes what the
largest reader accepts (a restore), each uploader announces its own limit in French, and a file
between the two is refused by the import in French — not by the server's English 413.

On main before: the restore announced 200 Mio while the server took 20, so a 25 MB backup met
« AxiosError: Request failed with status code 413 »."""

from __future__ import annotations

import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from essdash.domain import fmt, limits
from essdash.spreadsheet import files as io_files
from essdash.store import backup, db
from essdash.write import admin
from essdash.write.actor import Actor
from tests.conftest import APP

CONFIG = Path(APP).parent / ".streamlit" / "config.toml"


def test_the_server_takes_what_the_restore_takes_and_no_reader_more():
    server = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["server"]["maxUploadSize"]
    assert server == limits.UPLOAD_MIB == limits.RESTORE_MIB == 100
    assert server * 1024 * 1024 == backup.MAX_RESTORE_BYTES  # Streamlit's megabytes are MiB
    assert io_files.MAX_BYTES == limits.IMPORT_MIB * 1024 * 1024 == 20 * 1024 * 1024
    assert limits.PLAN_BYTES < io_files.MAX_BYTES < backup.MAX_RESTORE_BYTES


def test_a_demo_base_a_hundred_times_larger_fits_in_a_restore(tmp_path):
    engine = db.init_db(f"sqlite:///{tmp_path / 'demo100.db'}", dataset="demo", scale=100, seed=2011)
    copy = admin.copy(engine, Actor("Claire Martin", "mission ESS"))
    engine.dispose()
    assert 10 * 1024 * 1024 < len(copy) < backup.MAX_RESTORE_BYTES / 4  # 18,6 Mo measured: room to grow


def _page(tab: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["d_tab"] = tab
    at.switch_page("pages/donnees.py")
    return at.run()


def test_each_uploader_says_its_limit_in_french_and_lets_the_server_hold_it(writable_app):
    importing, saving = _page("Importer"), _page("Sauvegardes")
    for at, size in ((importing, limits.IMPORT_MIB), (saving, limits.RESTORE_MIB)):
        assert not at.exception
        assert [u.proto.max_upload_size_mb for u in at.file_uploader] == [size]  # each its own, as its caption says
    assert any("(CSV ou XLSX, 20 Mio au plus)" in c.value for c in importing.caption)
    assert any("(100 Mio au plus)" in c.value for c in saving.caption)


def test_an_import_above_its_limit_but_within_the_servers_is_refused_in_french(writable_app):
    at = _page("Importer")
    size = 25 * 1024 * 1024
    at.file_uploader(key="imp_file_0").set_value(("gros.csv", b"Nom;Commune\r\n" + b"x" * size, "text/csv"))
    at.run()
    assert not at.exception
    said = "Le fichier « gros.csv » est trop volumineux (25,0 Mio) : 20 Mio au plus. Découpez-le en plusieurs fichiers."
    assert [e.value for e in at.error] == [fmt.md_escape(said)]
