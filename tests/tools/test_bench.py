"""The page bench's figures and its PostgreSQL-beside-SQLite table (no timing is asserted)."""

import json

from essdash.tools import bench


def test_the_bench_measures_the_pages_and_prints_json(capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///inutilise.db")  # the bench points it at its own base
    # two of its visits (tests/ui/test_pages.py checks that visits() covers every page)
    two = [visit for visit in bench.visits() if visit[1] in ("pages/projets.py", "pages/donnees.py")][:2]
    monkeypatch.setattr(bench, "visits", lambda: two)
    bench.run([1], repeat=1, as_json=True)
    report = json.loads(capsys.readouterr().out)
    assert report["empty_page_s"] > 0 and "postgresql_scales" not in report
    (scale,) = report["scales"]
    assert (scale["scale"], scale["projects"]) == (1, 180)
    assert [row["page"] for row in scale["pages"]] == ["Projets", "Projets ?territoire=roubaisien"]
    assert all(row["first_s"] > 0 and row["warm_s"] > 0 for row in scale["pages"])
    assert all(0 < row["compressed_bytes"] < row["sent_bytes"] for row in scale["pages"])
    assert scale["data_version_s"] > 0


def test_postgresql_ratios_are_printed_beside_sqlite_s(capsys):
    def figures(first, warm, cold, version):
        return {
            "scale": 100,
            "cold_start_s": cold,
            "data_version_s": version,
            "pages": [{"page": "Projets", "first_s": first, "warm_s": warm}],
        }

    bench._print_beside(figures(0.8, 0.3, 4.0, 0.00042), figures(0.6, 0.25, 2.5, 0.00011), empty=0.2)
    out = capsys.readouterr().out
    assert "PostgreSQL 4,00 s, SQLite 2,50 s" in out
    assert "version des données : PostgreSQL 0,420 ms (médiane de 1\u202f000 lectures), SQLite 0,110 ms" in out
    # 0.8 / 0.2, 0.6 / 0.2, 0.3 / 0.2, 0.25 / 0.2
    assert out.splitlines()[-2].split() == ["Projets", "4,0×", "3,0×", "1,5×", "1,2×"]
