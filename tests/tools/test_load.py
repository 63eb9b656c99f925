"""The load test's figures and what it counts as an error, without a server: percentiles worked out
by hand, and ForwardMsgs built as Streamlit sends them."""

from __future__ import annotations

import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from essdash.cli.measure import counts as _counts
from essdash.domain.errors import EssdashError
from essdash.tools.load import Figures, Run, _problem, scale_table


def _figures(single: list[float], crowd: list[float]) -> Figures:
    return Figures(
        sessions=4,
        seconds=10,
        single=[Run(0, "projets", "", s) for s in single],
        crowd=[Run(1 + n % 4, "carte", "territoire=lys", s) for n, s in enumerate(crowd)],
    )


def test_medians_and_nearest_rank_95th_percentile():
    # 1..20 s: the 95th percentile by nearest rank is the 19th value (0.95 × 20 = 19).
    figures = _figures([2.0, 1.0, 4.0], [float(n) for n in range(20, 0, -1)])
    assert figures.single_median == 2.0
    assert figures.median == 10.5
    assert figures.p95 == 19.0
    assert figures.ratio == 9.5
    assert figures.single_p95 == 4.0  # 0.95 × 3 = 2.85: the 3rd of 1, 2, 4


def test_per_page_figures_pair_the_single_session_with_the_crowd():
    figures = Figures(
        sessions=2,
        seconds=10,
        single=[Run(0, "projets", "", 1.0), Run(0, "projets", "", 3.0), Run(0, "plan", "", 5.0)],
        crowd=[Run(1, "projets", "", s) for s in (2.0, 4.0, 6.0)] + [Run(2, "carte", "", 9.0)],
    )
    # plan ran alone only, carte in the crowd only: neither can be compared
    assert figures.by_page() == [("projets", 2.0, 4.0, 6.0)]
    assert "projets" in figures.report() and "carte" not in figures.report().split("95e c.")[1]


def test_95th_percentile_rounds_the_rank_up():
    # 21 values: 0.95 × 21 = 19.95, so the 20th value.
    assert _figures([1.0], [float(n) for n in range(1, 22)]).p95 == 20.0


def test_errors_are_the_failed_runs_of_either_phase_and_the_report_names_them():
    figures = _figures([1.0], [1.0, 2.0])
    figures.single.append(Run(0, "plan", "", 0.5, "page introuvable"))
    figures.crowd.append(Run(3, "comite", "au=2013-06-30", 0.5, "exception : KeyError 'x'"))
    assert [run.page for run in figures.errors] == ["plan", "comite"]
    report = figures.report()
    assert "2 erreurs" in report
    assert "comite?au=2013-06-30 — exception : KeyError 'x'" in report
    assert "4 sessions simultanées" in report


def _element(kind: str) -> ForwardMsg:
    msg = ForwardMsg()
    element = msg.delta.new_element
    if kind == "exception":
        element.exception.type = "ValueError"
        element.exception.message = "boum"
    else:
        element.alert.body = "Attention"
        element.alert.format = Alert.ERROR if kind == "error" else Alert.INFO
    return msg


def test_an_exception_or_an_error_message_is_an_error_an_information_is_not():
    assert _problem(_element("exception"), "projets") == "exception : ValueError boum"
    assert _problem(_element("error"), "projets") == "message d'erreur : Attention"
    assert _problem(_element("info"), "projets") is None


def test_the_page_run_must_be_the_page_asked_for():
    msg = ForwardMsg()
    for page_hash, path in (("h1", "synthese"), ("h2", "projets")):
        page = msg.navigation.app_pages.add()
        page.page_script_hash = page_hash
        page.url_pathname = path
    msg.navigation.page_script_hash = "h2"
    assert _problem(msg, "projets") is None
    assert _problem(msg, "carte") == "page exécutée : 'projets'"


def test_page_not_found_and_compile_error_are_errors_a_rerun_is_not():
    not_found = ForwardMsg()
    not_found.page_not_found.page_name = "nulle-part"
    assert _problem(not_found, "nulle-part") == "page introuvable"
    compile_error = ForwardMsg(script_finished=ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
    assert _problem(compile_error, "projets") == "le script ne se compile pas"
    assert _problem(ForwardMsg(script_finished=ForwardMsg.FINISHED_EARLY_FOR_RERUN), "projets") is None


def test_the_scaling_table_gives_one_row_per_process_count_and_crowd():
    single = [Run(0, "projets", "", s) for s in (0.05, 0.1, 0.2)]
    rows = [
        (1, Figures(50, 60, single=single, crowd=[Run(1, "carte", "", s) for s in (0.1, 0.3, 0.9)])),
        (
            2,
            Figures(
                100, 60, single=single, crowd=[Run(1, "carte", "", 0.1), Run(2, "plan", "", 0.2, "page introuvable")]
            ),
        ),
    ]
    lines = scale_table(rows).splitlines()
    assert len(lines) == 4
    # Nearest rank: the 95th percentile of 3 runs is the 3rd, of 2 runs the 2nd; 0,9 s / 0,2 s = 4,5.
    assert lines[2] == "| 1 | 50 | 3 | 0 | 100 ms / 200 ms | 300 ms / 900 ms | 4,5× |"
    assert lines[3] == "| 2 | 100 | 2 | 1 | 100 ms / 200 ms | 150 ms / 200 ms | 1,0× |"


def test_counts_of_the_command_line_are_positive_whole_numbers():
    assert _counts("50,100,200", "--sessions") == [50, 100, 200]
    for wrong in ("", "50,", "0", "-1", "cinquante"):
        with pytest.raises(EssdashError, match="--sessions attend des nombres entiers positifs"):
            _counts(wrong, "--sessions")
