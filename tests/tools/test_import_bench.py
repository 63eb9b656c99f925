"""The import bench: its generated partner file is imported whole, and it reports what it created."""

from essdash.__main__ import main
from essdash.tools import import_bench


def test_the_generated_file_has_the_partners_header_and_one_line_per_row():
    lines = import_bench.partner_file(25).decode("cp1252").splitlines()
    assert (
        lines[0] == "Intitulé du projet;Porteur;Forme juridique;Commune;Montant (€);Emplois créés;Date de début;Statut"
    )
    assert len(lines) == 26 and len({line.split(";")[0] for line in lines[1:]}) == 25


def test_bench_import_imports_every_generated_row(capsys):
    assert main(["bench-import", "--rows", "30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("30 lignes : aperçu ") and "(30 projets créés)" in out and "mémoire maximale" in out
