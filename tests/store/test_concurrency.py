"""Many writers at once on the store under test (SQLite file or PostgreSQL server).

``WORKERS`` processes start together on a copy of the demo base and, for ``SECONDS``, take turns
at four writes on the same few projects and fiches: editing a project (one more planned job),
moving a fiche's progress on by one point, recording an adjourned opinion of the committee, and
importing a funding file. A write that finds its row changed meanwhile is refused (optimistic
locking) and tried again on fresh data; one that waits too long for the lock is refused in French;
anything else that escapes (a serialization failure, a deadlock) fails the test. Afterwards what
the workers say they wrote must be exactly what the base holds: no update lost, steps written =
steps read, money written = money read.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections import Counter

from sqlalchemy import func, select

from essdash.domain import models as m
from essdash.domain.errors import BusyError, ConflictError
from essdash.domain.vocabulary import MeetingBody
from essdash.read import queries
from essdash.read.filters import Filters
from essdash.store.db import make_engine
from essdash.write import committee, imports, projects
from essdash.write.actor import Actor
from essdash.write.plans import sheets as plan_sheets
from tests.fixtures.samples import FUNDINGS, csv_file

WORKERS = 8
SECONDS = 8.0
GRACE = 60.0  # a worker starved by a loaded machine goes on until it has done each write once, this long at most
HOT_PROJECTS = 3
HOT_SHEETS = 2


def _project(engine, pid: int) -> dict:
    detail = queries.project_detail(engine, pid)
    return {k: detail[k] for k in ("id", "version", "status", *projects.PROJECT_FIELDS) if k in detail}


def _sheet(engine, sheet_id: int) -> dict:
    with engine.connect() as conn:
        row = conn.execute(
            select(m.ActionSheet.id, m.ActionSheet.version, m.ActionSheet.status, m.ActionSheet.progress).where(
                m.ActionSheet.id == sheet_id
            )
        ).one()
    return dict(row._mapping)


def _edit(engine, actor, pid: int) -> int:
    loaded = _project(engine, pid)
    projects.update_project(engine, actor, pid, loaded, {"jobs_created": loaded["jobs_created"] + 1})
    return 1


def _progress(engine, actor, sheet_id: int) -> int:
    loaded = _sheet(engine, sheet_id)
    plan_sheets.update_sheet(
        engine,
        actor,
        sheet_id,
        loaded,
        status=loaded["status"],
        progress=(loaded["progress"] + 1) % 101,
        comment="Point d'avancement.",
    )
    return 1


def _opinion(engine, actor, pid: int, meeting: int) -> int:
    item = {"project": _project(engine, pid), "opinion": "ajourne", "comment": "Dossier à compléter."}
    return committee.record_opinions(engine, actor, meeting, [item])


def _import(engine, actor, target: dict, worker: int, n: int) -> float:
    amount = float(1000 + 10 * worker + n)
    row = [
        target["title"],
        target["carrier"],
        "",
        f"Fonds {worker}-{n}",
        "Région",
        "Subvention",
        str(int(amount)),
        "2013",
    ]
    plan = imports.prepare(engine, csv_file([FUNDINGS[0], row]), f"financements-{worker}-{n}.csv", "fundings")
    assert plan.ok, plan.report()
    imports.apply(engine, plan, actor)
    return amount


def _work(url: str, worker: int, hot: list[int], sheets: list[int], meeting: int, targets: list[dict], gates, out):
    """One writer: the four writes in turn until the time is up; what it wrote, and what escaped."""
    engine = make_engine(url)
    actor = Actor(f"Agent {worker}", "mission ESS")
    rng = random.Random(worker)
    done = {"jobs": Counter(), "progress": Counter(), "opinions": Counter(), "money": 0.0, "imports": 0}
    refused = Counter()
    errors: list[str] = []
    ready, start = gates
    _project(engine, hot[0])  # connected and loaded: ready
    ready.release()
    start.wait()
    deadline, turn = time.monotonic() + SECONDS, worker
    succeeded: set[int] = set()  # which of the four writes this worker has done at least once
    while time.monotonic() < deadline or (len(succeeded) < 4 and time.monotonic() < deadline + GRACE):
        turn += 1
        try:
            if turn % 4 == 0:
                pid = rng.choice(hot)
                done["jobs"][pid] += _edit(engine, actor, pid)
            elif turn % 4 == 1:
                sheet = rng.choice(sheets)
                done["progress"][sheet] += _progress(engine, actor, sheet)
            elif turn % 4 == 2:
                pid = rng.choice(hot)
                done["opinions"][pid] += _opinion(engine, actor, pid, meeting)
            else:
                done["money"] += _import(engine, actor, rng.choice(targets), worker, turn)
                done["imports"] += 1
            succeeded.add(turn % 4)
        except ConflictError:
            refused["conflit"] += 1
        except BusyError:
            refused["occupée"] += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    engine.dispose()
    out.put((done, refused, errors))


def _state(engine, hot: list[int], sheets: list[int]) -> dict:
    with engine.connect() as conn:
        return {
            "jobs": dict(conn.execute(select(m.Project.id, m.Project.jobs_created).where(m.Project.id.in_(hot))).all()),
            "progress": dict(
                conn.execute(select(m.ActionSheet.id, m.ActionSheet.progress).where(m.ActionSheet.id.in_(sheets))).all()
            ),
            "history": dict(
                conn.execute(
                    select(m.ActionSheetHistory.sheet_id, func.count())
                    .where(m.ActionSheetHistory.field == "progress")
                    .group_by(m.ActionSheetHistory.sheet_id)
                ).all()
            ),
            "opinions": dict(
                conn.execute(select(m.Opinion.project_id, func.count()).group_by(m.Opinion.project_id)).all()
            ),
            "events": conn.execute(select(func.count()).select_from(m.ProjectEvent)).scalar_one(),
            "money": conn.execute(select(func.coalesce(func.sum(m.Funding.amount), 0.0))).scalar_one(),
            "imports": conn.execute(select(func.count()).select_from(m.ImportBatch)).scalar_one(),
        }


def test_eight_writers_at_once_lose_nothing_and_counts_reconcile(demo_copy):
    engine = make_engine(demo_copy)
    awaiting = queries.project_register(engine, Filters())
    with engine.connect() as conn:
        meeting = (
            conn.execute(
                select(m.Meeting.id)
                .where(m.Meeting.body == MeetingBody.COMMITTEE.value)
                .order_by(m.Meeting.date.desc())
            )
            .scalars()
            .first()
        )
        hot = conn.execute(select(m.Project.id).where(m.Project.status == "valide").order_by(m.Project.id)).scalars()
        hot = hot.all()[:HOT_PROJECTS]
        sheets = conn.execute(select(m.ActionSheet.id).order_by(m.ActionSheet.id)).scalars().all()[:HOT_SHEETS]
    assert len(hot) == HOT_PROJECTS and meeting is not None
    targets = awaiting[awaiting["id"].isin(hot)][["title", "carrier"]].to_dict("records")
    before = _state(engine, hot, sheets)

    context = multiprocessing.get_context("spawn")
    ready, start, out = context.Semaphore(0), context.Event(), context.Queue()
    workers = [
        context.Process(target=_work, args=(demo_copy, w, hot, sheets, meeting, targets, (ready, start), out))
        for w in range(WORKERS)
    ]
    for process in workers:
        process.start()
    for _ in workers:  # every writer started, then all at once
        assert ready.acquire(timeout=300)
    start.set()
    results = [out.get(timeout=SECONDS + 300) for _ in workers]
    for process in workers:
        process.join(60)
    assert [p.exitcode for p in workers] == [0] * WORKERS

    errors = [e for _, _, found in results for e in found]
    assert errors == []
    jobs, progress, opinions = Counter(), Counter(), Counter()
    money, imported = 0.0, 0
    for done, _, _ in results:
        jobs.update(done["jobs"])
        progress.update(done["progress"])
        opinions.update(done["opinions"])
        money += done["money"]
        imported += done["imports"]
    refused = sum((found for _, found, _ in results), Counter())
    print(  # shown with -s: what the writers did
        f"{engine.dialect.name}: {sum(jobs.values())} edits, {sum(progress.values())} fiche steps, "
        f"{sum(opinions.values())} opinions, {imported} imports; refused: {dict(refused)}"
    )
    assert min(sum(jobs.values()), sum(progress.values()), sum(opinions.values()), imported) > 0

    after = _state(engine, hot, sheets)
    engine.dispose()
    assert after["jobs"] == {p: before["jobs"][p] + jobs[p] for p in hot}  # no lost update
    assert after["progress"] == {s: (before["progress"][s] + progress[s]) % 101 for s in sheets}
    assert {s: after["history"].get(s, 0) - before["history"].get(s, 0) for s in sheets} == {
        s: progress[s] for s in sheets
    }
    assert {p: after["opinions"].get(p, 0) - before["opinions"].get(p, 0) for p in hot} == {p: opinions[p] for p in hot}
    # steps written = steps read: an edit and an opinion each add one step to the project's history
    assert after["events"] - before["events"] == sum(jobs.values()) + sum(opinions.values())
    assert after["money"] - before["money"] == money  # money written = money read (whole euros: exact)
    assert after["imports"] - before["imports"] == imported
