"""The import at scale, measured: ``python -m essdash bench-import --rows 100000`` builds an empty
database and a partner's projects file of N generated rows (cp1252, ``;``, the partners' own
headers and words), then times the preview (:func:`essdash.write.imports.preview.prepare`) and the import
(:func:`essdash.write.imports.apply`, which validates the file again before writing it) in a child
process, and reports that process's peak memory (its ``ru_maxrss``: the interpreter and the libraries
it imports, about 160 Mo, included).

Each phase is given in wall-clock seconds and in CPU seconds of the child process
(``time.process_time``): on a machine shared with other work, compare the CPU figures.

    100 000 lignes : aperçu 6,4 s (CPU 6,3 s), import 9,7 s (CPU 9,4 s) (100 000 projets créés),
    mémoire maximale 333 Mo

(2 shared cores, lightly loaded; before the import was made to scale: aperçu 12,9 s, import 25,4 s,
592 Mo.)
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from essdash.domain import fmt
from essdash.store.db import init_db
from essdash.write import imports
from essdash.write.actor import Actor
from essdash.write.imports import preview as import_preview

HEADER = (
    "Intitulé du projet",
    "Porteur",
    "Forme juridique",
    "Commune",
    "Montant (€)",
    "Emplois créés",
    "Date de début",
    "Statut",
)
COMMUNES = ("LOMME", "villeneuve d'ascq", "Marcq en Baroeul", "St-André-lez-Lille", "Roubaix", "Tourcoing", "Lille")
FORMS = ("Association loi 1901", "SCOP", "SCIC", "Chantier d'insertion", "Mutuelle", "Fondation")
STEPS = ("en cours", "terminé", "accepté", "refusé", "abandonné", "")


def partner_file(rows: int) -> bytes:
    """A partner's projects file of ``rows`` rows: one carrier for ten projects, French numbers and dates."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(rows):
        writer.writerow(
            (
                f"Projet solidaire n° {i + 1}",
                f"Structure {i // 10 + 1}",
                FORMS[i // 10 % len(FORMS)],
                COMMUNES[i % len(COMMUNES)],
                f"{1000 + (i * 37) % 50_000:,}".replace(",", " "),  # as partners type it: « 12 500 »
                str(i % 7),
                f"{1 + i % 28:02d}/{1 + i % 12:02d}/{2011 + i % 4}",
                STEPS[i % len(STEPS)],
            )
        )
    return out.getvalue().encode("cp1252")


@dataclass(frozen=True)
class BenchResult:
    rows: int
    prepare_s: float
    apply_s: float
    created: int
    peak_mb: float
    prepare_cpu_s: float = 0.0
    apply_cpu_s: float = 0.0

    def report(self) -> str:
        return (
            f"{fmt.number(self.rows)} lignes : aperçu {fmt.number(self.prepare_s, 1)} s "
            f"(CPU {fmt.number(self.prepare_cpu_s, 1)} s), import {fmt.number(self.apply_s, 1)} s "
            f"(CPU {fmt.number(self.apply_cpu_s, 1)} s) ({fmt.number(self.created)} projets créés), "
            f"mémoire maximale {fmt.number(self.peak_mb)} Mo"
        )


def _measure(rows: int, folder: str, results) -> None:
    """In the child process: build the base and the file, then time the preview and the import."""
    try:
        _timed(rows, folder, results)
    except Exception as exc:  # reported by the parent, which would otherwise wait for ever
        results.put(("failed", f"{type(exc).__name__}: {exc}"))


def _timed(rows: int, folder: str, results) -> None:
    engine = init_db(f"sqlite:///{Path(folder) / 'bench.db'}", dataset="empty")
    data = partner_file(rows)
    start, start_cpu = time.perf_counter(), time.process_time()
    plan = import_preview.prepare(engine, data, "partenaire.csv", "projects")
    prepared, prepared_cpu = time.perf_counter(), time.process_time()
    if not plan.ok:
        results.put(("refused", "\n".join(plan.report().splitlines()[-5:])))
        return
    del data
    result = imports.apply(engine, plan, Actor("Banc d'essai", "administrateur"))
    done, done_cpu = time.perf_counter(), time.process_time()
    engine.dispose()
    results.put(
        ("ok", (prepared - start, done - prepared, result.inserted, prepared_cpu - start_cpu, done_cpu - prepared_cpu))
    )


def run(rows: int) -> BenchResult:
    """Measure the preview and the import of ``rows`` generated rows in a fresh child process."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    with tempfile.TemporaryDirectory(prefix="essdash-bench-import-") as folder:
        child = context.Process(target=_measure, args=(rows, folder, results))
        child.start()
        status, value = results.get()
        child.join()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux, bytes on macOS
    peak_mb = peak / 1024 / (1024 if sys.platform == "darwin" else 1)
    if status != "ok":
        raise RuntimeError(f"la mesure a échoué : {value}")
    prepare_s, apply_s, created, prepare_cpu_s, apply_cpu_s = value
    return BenchResult(rows, prepare_s, apply_s, created, peak_mb, prepare_cpu_s, apply_cpu_s)
