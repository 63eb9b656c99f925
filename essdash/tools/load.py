"""Many people at once: ``python -m essdash load``.

It starts ``streamlit run app.py`` (« poste local » mode) on a demo database and opens Streamlit
sessions on it without a browser: each session is a websocket on ``/_stcore/stream`` speaking
Streamlit's own protocol, as the browser's frontend does. A page run is one ``rerun_script``
BackMsg (the page's URL path as ``page_name``, the filters as ``query_string``) and the ForwardMsgs
the server answers with, up to ``script_finished``; it is timed from the send to that message.

Every (page, filters) pair is run once first, unmeasured, so that the data cache is as warm for the
single session as for the crowd. Then one session alone runs pages for the given time (the
reference), then ``sessions`` sessions at once for the same time, each one running a page, pausing
``pause`` seconds, and starting again. An error is a run that shows an exception (``st.exception``
or an uncaught one), an ``st.error`` message, « page not found », a script that does not compile,
another page than the one asked, no answer within :data:`RUN_TIMEOUT`, or a broken connection.
It prints the figures and asserts nothing.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from sqlalchemy.engine import make_url
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Subprotocol

from essdash.domain import fmt
from essdash.store import db
from essdash.store.config import PROJECT_DIR
from essdash.tools.bench_browser import served
from essdash.ui.navigation import PAGES

# The filters a session picks from, as they appear in the URL (see essdash/ui/filters.py).
FILTERS = (
    "",
    "territoire=roubaisien",
    "territoire=lys",
    "commune=59512",
    "territoire=roubaisien&commune=59512",
    "au=2013-06-30",
    "territoire=lys&au=2013-12-31",
)
RUN_TIMEOUT = 120.0  # seconds a page run may take before it counts as an error


@dataclass(frozen=True)
class Run:
    """One page run of one session (0 for the single session): its page, its filters, how long it took,
    and what went wrong."""

    session: int
    page: str
    query: str
    seconds: float
    error: str | None = None


@dataclass
class Figures:
    """The runs of the single session (the reference) and of the crowd."""

    sessions: int
    seconds: float
    single: list[Run] = field(default_factory=list)
    crowd: list[Run] = field(default_factory=list)

    @property
    def errors(self) -> list[Run]:
        return [run for run in self.single + self.crowd if run.error]

    @property
    def single_median(self) -> float:
        return statistics.median(run.seconds for run in self.single)

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.crowd)

    @property
    def p95(self) -> float:
        return _percentile([run.seconds for run in self.crowd], 0.95)

    @property
    def single_p95(self) -> float:
        return _percentile([run.seconds for run in self.single], 0.95)

    @property
    def ratio(self) -> float:
        """The crowd's 95th percentile over the single session's median (the aim: 3 at most)."""
        return self.p95 / self.single_median

    def by_page(self) -> list[tuple[str, float, float, float]]:
        """Per page run by both: the single session's median, the crowd's median and 95th percentile."""
        rows = []
        for page in dict.fromkeys(run.page for run in self.single + self.crowd):
            alone = [run.seconds for run in self.single if run.page == page]
            crowd = [run.seconds for run in self.crowd if run.page == page]
            if alone and crowd:
                rows.append((page, statistics.median(alone), statistics.median(crowd), _percentile(crowd, 0.95)))
        return rows

    def report(self) -> str:
        errors = self.errors
        lines = [
            f"{fmt.plural(self.sessions, 'session')} simultanées pendant {fmt.number(self.seconds)} s : "
            f"{fmt.plural(len(self.crowd), 'page exécutée', 'pages exécutées')} "
            f"({fmt.number(len(self.crowd) / self.seconds, 1)} par seconde), "
            f"{fmt.plural(len(errors), 'erreur')}",
            f"  session seule : médiane {_ms(self.single_median)} ({fmt.plural(len(self.single), 'page')})",
            f"  {self.sessions} sessions : médiane {_ms(self.median)}, 95e centile {_ms(self.p95)} "
            f"— {fmt.number(self.ratio, 1)}× la médiane d'une session seule (objectif : 3× au plus) ; "
            f"{fmt.number(self.p95 / self.single_p95, 1)}× son 95e centile ({_ms(self.single_p95)})",
            f"  {'page':<14} {'seule':>9} {'médiane':>9} {'95e c.':>9}",
        ]
        lines += [
            f"  {page:<14} {_ms(alone):>9} {_ms(median):>9} {_ms(p95):>9}"
            for page, alone, median, p95 in self.by_page()
        ]
        lines += [f"  erreur : {run.page}?{run.query} — {run.error}" for run in errors[:10]]
        return "\n".join(lines)


def _percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def _ms(seconds: float) -> str:
    return f"{fmt.number(seconds * 1000)} ms"


def _problem(msg: ForwardMsg, page: str) -> str | None:
    """What a ForwardMsg says went wrong in the run of ``page``, if anything."""
    kind = msg.WhichOneof("type")
    if kind == "page_not_found":
        return "page introuvable"
    if kind == "navigation":
        paths = {p.page_script_hash: p.url_pathname for p in msg.navigation.app_pages}
        ran = paths.get(msg.navigation.page_script_hash)
        return None if ran == page else f"page exécutée : {ran!r}"
    if kind == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
        return "le script ne se compile pas"
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        if element.WhichOneof("type") == "exception":
            return f"exception : {element.exception.type} {element.exception.message}"
        if element.WhichOneof("type") == "alert" and element.alert.format == Alert.ERROR:
            return f"message d'erreur : {element.alert.body[:200]}"
    return None


class Session:
    """One Streamlit session over a websocket, as a browser tab would hold it."""

    def __init__(self, base_url: str, number: int = 0) -> None:
        self.number = number
        self.url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.socket: websockets.ClientConnection | None = None

    async def run(self, page: str, query: str) -> Run:
        """Run ``page`` with the filters ``query``, timed up to the end of its script."""
        started = time.perf_counter()
        try:
            if self.socket is None:
                self.socket = await websockets.connect(self.url, subprotocols=[Subprotocol("streamlit")], max_size=None)
            error = await asyncio.wait_for(self._rerun(self.socket, page, query), RUN_TIMEOUT)
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            await self.close()
            error = f"connexion : {type(exc).__name__} {exc}".strip()
        return Run(self.number, page, query, time.perf_counter() - started, error)

    @staticmethod
    async def _rerun(socket: websockets.ClientConnection, page: str, query: str) -> str | None:
        back = BackMsg()
        back.rerun_script.page_name = page
        back.rerun_script.query_string = query
        await socket.send(back.SerializeToString())
        error = None
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await socket.recv(decode=False))
            error = error or _problem(msg, page)
            if (
                msg.WhichOneof("type") == "script_finished"
                and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
            ):
                return error

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
            self.socket = None


async def _keep_running(base_url: str, until: float, number: int, pause: float, pages: Sequence[str]) -> list[Run]:
    """Session ``number`` running random pages with random filters until ``until``, pausing between runs."""
    rng = random.Random(number)
    session = Session(base_url, number)
    runs = []
    await asyncio.sleep(rng.uniform(0, pause))  # people do not all click at the same instant
    try:
        while time.perf_counter() < until:
            runs.append(await session.run(rng.choice(pages), rng.choice(FILTERS)))
            await asyncio.sleep(rng.uniform(0.5 * pause, 1.5 * pause))
    finally:
        await session.close()
    return runs


async def _warm(base_url: str, pages: Sequence[str]) -> list[Run]:
    """Every page with every filter once, on one session: the runs that failed."""
    warm = Session(base_url)
    try:
        return [run for run in [await warm.run(p, q) for p in pages for q in FILTERS] if run.error]
    finally:
        await warm.close()


async def _crowd(base_url: str, sessions: int, seconds: float, pause: float, pages: Sequence[str]) -> list[Run]:
    until = time.perf_counter() + seconds
    crowd = await asyncio.gather(*(_keep_running(base_url, until, n + 1, pause, pages) for n in range(sessions)))
    return [run for runs in crowd for run in runs]


async def _measure(base_url: str, sessions: int, seconds: float, pause: float, pages: Sequence[str]) -> Figures:
    figures = Figures(sessions, seconds)
    figures.single += await _warm(base_url, pages)
    figures.single += await _keep_running(base_url, time.perf_counter() + seconds, 0, 0.0, pages)
    figures.crowd = await _crowd(base_url, sessions, seconds, pause, pages)
    return figures


def measure(base_url: str, *, sessions: int, seconds: float, pause: float, pages: Sequence[str] = ()) -> Figures:
    """The figures of a load on the server at ``base_url`` (``http://host:port``). The warm-up's runs
    are kept only if they failed, among the single session's."""
    return asyncio.run(_measure(base_url, sessions, seconds, pause, pages or [p.url_path for p in PAGES]))


def run(*, sessions: int, seconds: float, pause: float, base: str | None) -> Figures:
    """Serve ``app.py`` on ``base`` (a database URL, used as it is), or else on a temporary demo
    SQLite file, measure, print the figures and return them."""
    with tempfile.TemporaryDirectory(prefix="essdash-load-") as tmp:
        database_url = base or f"sqlite:///{Path(tmp) / 'charge.db'}"
        if base is None:
            db.init_db(database_url, dataset="demo").dispose()
        with served(PROJECT_DIR / "app.py", database_url, {"ESSDASH_MODE": "local"}) as url:
            figures = measure(url, sessions=sessions, seconds=seconds, pause=pause)
    print(f"Base : {make_url(database_url).render_as_string(hide_password=True)}")
    print(figures.report())
    return figures


def scale(
    proxy: str,
    *,
    ports: Sequence[int],
    processes: Sequence[int],
    sessions: Sequence[int],
    seconds: float,
    pause: float,
    base: str | None,
) -> list[tuple[int, Figures]]:
    """Through the reverse proxy at ``proxy``, whose upstream lists ``ports`` (deploy/nginx): for each
    count of ``processes``, serve ``app.py`` on that many of the ports (the proxy's health checks leave
    the others aside), warm each process directly, measure one session alone through the proxy, then each
    crowd of ``sessions``; print each row as it comes and the table at the end."""
    pages = [p.url_path for p in PAGES]
    rows: list[tuple[int, Figures]] = []
    with tempfile.TemporaryDirectory(prefix="essdash-load-") as tmp:
        database_url = base or f"sqlite:///{Path(tmp) / 'charge.db'}"
        if base is None:
            db.init_db(database_url, dataset="demo").dispose()
        print(f"Base : {make_url(database_url).render_as_string(hide_password=True)} — par le mandataire {proxy}")
        for count in processes:
            with ExitStack() as stack:
                urls = [
                    stack.enter_context(served(PROJECT_DIR / "app.py", database_url, {"ESSDASH_MODE": "local"}, port))
                    for port in ports[:count]
                ]
                warm_errors = [run for url in urls for run in asyncio.run(_warm(url, pages))]
                single = warm_errors + asyncio.run(_keep_running(proxy, time.perf_counter() + seconds, 0, 0.0, pages))
                for crowd in sessions:
                    figures = Figures(crowd, seconds, single=list(single))
                    figures.crowd = asyncio.run(_crowd(proxy, crowd, seconds, pause, pages))
                    rows.append((count, figures))
                    print(f"{fmt.plural(count, 'processus', 'processus')} — {figures.report()}", flush=True)
    print(scale_table(rows))
    return rows


def scale_table(rows: Sequence[tuple[int, Figures]]) -> str:
    """The table of :func:`scale` in Markdown, as the README gives it."""
    lines = [
        "| Processus | Sessions | Pages exécutées | Erreurs | Session seule : médiane / 95e c. "
        "| Sessions : médiane / 95e c. | 95e c. / 95e c. seul |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {count} | {f.sessions} | {len(f.crowd)} | {len(f.errors)} | {_ms(f.single_median)} / {_ms(f.single_p95)} "
        f"| {_ms(f.median)} / {_ms(f.p95)} | {fmt.number(f.p95 / f.single_p95, 1)}× |"
        for count, f in rows
    ]
    return "\n".join(lines)
