"""The meeting pack is true of its date and its scope: on the demo, for several past semesters, for
the metropolis and one territory, its statuses, counts, money, awaiting proposals and fiches equal a
plain-Python replay of the dated rows read in this test; the « since the last committee » figures of
the territories add up to the metropolis's; one label never carries two definitions."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from essdash.domain import models as m
from essdash.read import pack

CASES = [(p, t) for p in ("2012-S1", "2013-S2", "2014-S1") for t in (None, "roubaisien")]
SEMESTER_END = {"2012-S1": date(2012, 6, 30), "2013-S2": date(2013, 12, 31), "2014-S1": date(2014, 6, 30)}
STATUS_LABELS = {
    "propose": "Proposé",
    "renvoye": "Renvoyé au porteur",
    "valide": "Validé techniquement",
    "retenu": "Avis favorable du comité",
    "refuse": "Avis défavorable du comité",
    "en_cours": "En cours",
    "realise": "Réalisé",
    "abandonne": "Abandonné",
}


@pytest.fixture(scope="module")
def raw(demo_engine):
    """The demo's rows, as plain tuples."""
    with demo_engine.connect() as conn:
        return {
            "projects": conn.execute(
                select(
                    m.Project.id,
                    m.Project.proposed_on,
                    m.Project.status,
                    m.Project.commune_code,
                    m.Project.jobs_created,
                )
            ).all(),
            "events": conn.execute(
                select(m.ProjectEvent.project_id, m.ProjectEvent.date, m.ProjectEvent.id, m.ProjectEvent.to_status)
            ).all(),
            "fundings": conn.execute(select(m.Funding.project_id, m.Funding.year, m.Funding.amount)).all(),
            "extra": conn.execute(select(m.ProjectCommune.project_id, m.ProjectCommune.commune_code)).all(),
            "communes": dict(conn.execute(select(m.Commune.insee_code, m.Commune.territory_code)).all()),
            "territories": [r[0] for r in conn.execute(select(m.Territory.code)).all()],
            "sheets": conn.execute(
                select(m.ActionSheet.id, m.ActionSheet.code, m.ActionSheet.status, m.ActionSheet.parent_id)
            ).all(),
            "sheet_changes": conn.execute(
                select(
                    m.ActionSheetHistory.sheet_id,
                    m.ActionSheetHistory.changed_at,
                    m.ActionSheetHistory.id,
                    m.ActionSheetHistory.field,
                    m.ActionSheetHistory.old_value,
                    m.ActionSheetHistory.new_value,
                )
            ).all(),
            "links": conn.execute(select(m.ProjectSheet.project_id, m.ProjectSheet.sheet_id)).all(),
            "as_of": date.fromisoformat(
                conn.execute(select(m.MetaEntry.value).where(m.MetaEntry.key == "as_of")).scalar_one()
            ),
        }


def _territories_of(raw, pid: int, commune: str) -> set[str]:
    return {raw["communes"][commune]} | {raw["communes"][c] for p, c in raw["extra"] if p == pid}


def _steps_on(raw, day: date, territory: str | None) -> dict[int, str]:
    """Each project proposed from 2011 to ``day`` (in ``territory``) → its step that day."""
    steps = {}
    for pid, proposed, status, commune, _jobs in raw["projects"]:
        if not date(2011, 1, 1) <= proposed <= day:
            continue
        if territory and territory not in _territories_of(raw, pid, commune):
            continue
        own = sorted((d, i, s) for p, d, i, s in raw["events"] if p == pid and d <= day)
        steps[pid] = own[-1][2] if own else status
    return steps


def _sheet_states_on(raw, day: date) -> dict[int, tuple[str, str]]:
    """Each fiche → (status, declared progress) on ``day``, replayed from its dated changes."""
    end = datetime.combine(day, time.max)
    states = {}
    for sid, _code, status, _parent in raw["sheets"]:
        values = {}
        for name in ("status", "progress"):
            own = sorted((at, i, old, new) for s, at, i, f, old, new in raw["sheet_changes"] if s == sid and f == name)
            before = [new for at, _i, _old, new in own if at <= end]
            after = [old for at, _i, old, _new in own if at > end]
            values[name] = before[-1] if before else (after[0] if after else None)
        states[sid] = (values["status"] or status, values["progress"])
    return states


@pytest.fixture(scope="module")
def packs(demo_engine):
    return {case: pack.build(demo_engine, *case) for case in CASES}


def _section(built, title):
    return next(s for s in built.sections if s.title == title)


@pytest.mark.parametrize("period, territory", CASES)
def test_statuses_counts_and_money_are_those_of_the_semester_end(packs, raw, period, territory):
    built = packs[(period, territory)]
    day = min(SEMESTER_END[period], raw["as_of"])
    assert built.day == day and f"situation au {day:%d/%m/%Y}" in built.subtitle
    steps = _steps_on(raw, day, territory)
    assert steps
    key = _section(built, "Chiffres clés")
    chart = dict(key.charts)["Projets par étape"].rows
    assert dict(zip(chart["status"], chart["projects"])) == {
        s: Counter(steps.values()).get(s, 0) for s in chart["status"]
    }
    money = sum(a for p, y, a in raw["fundings"] if p in steps and y <= day.year)
    jobs = sum(j or 0 for pid, _d, _s, _c, j in raw["projects"] if pid in steps)
    assert key.values["Projets proposés depuis 2011"] == len(steps)
    assert key.values["Montant engagé"] == pytest.approx(money)
    assert key.values[pack.JOBS_PLANNED] == jobs
    awaiting = [
        t for title, t in _section(built, "Propositions et avis du comité").tables if title == "En attente d'avis"
    ]
    waiting = {pid for pid, step in steps.items() if step == "valide"}
    assert (set(awaiting[0]["N°"]) if awaiting else set()) == waiting
    assert Counter(steps.values()).get("valide", 0) == len(waiting)


@pytest.mark.parametrize("period, territory", CASES)
def test_fiches_show_their_status_and_declared_progress_of_that_day(packs, raw, period, territory):
    built = packs[(period, territory)]
    day = built.day
    states = _sheet_states_on(raw, day)
    table = dict(_section(built, "Fiches du plan").tables)["Fiches par statut"]
    codes = {code: sid for sid, code, _s, _p in raw["sheets"]}
    expected_codes = set(codes)
    if territory:
        projects = set(_steps_on(raw, day, territory))
        served = {sid for pid, sid in raw["links"] if pid in projects}
        parents = {parent for sid, _c, _s, parent in raw["sheets"] if sid in served and parent}
        expected_codes = {code for code, sid in codes.items() if sid in served | parents}
    assert set(table["Fiche"]) == expected_codes
    labels = {"a_venir": "À venir", "en_cours": "En cours", "realisee": "Réalisée", "bloquee": "Bloquée",
              "en_pause": "En pause", "abandonnee": "Abandonnée"}  # fmt: skip
    for code, status, progress in zip(table["Fiche"], table["Statut"], table["Avancement déclaré"]):
        state, declared = states[codes[code]]
        assert status == labels.get(state, status) and state in labels, code
        if declared is not None:
            assert progress == f"{round(float(declared))} %", code
    assert "–" not in set(table["Avancement déclaré"])


def test_the_2013_s2_pack_agrees_with_itself_on_validated_proposals(packs):
    built = packs[("2013-S2", None)]
    chart = dict(_section(built, "Chiffres clés").charts)["Projets par étape"].rows
    validated = int(chart.loc[chart["status"] == "valide", "projects"].iloc[0])
    tables = dict(_section(built, "Propositions et avis du comité").tables)
    assert len(tables.get("En attente d'avis", [])) == validated


@pytest.fixture(scope="module")
def since_by_territory(demo_engine, raw):
    sections = {}
    for territory in [None, *raw["territories"]]:
        built = pack.build(demo_engine, "2013-S2", territory)
        sections[territory] = _section(built, "Depuis le dernier comité")
    return sections


def test_since_last_committee_territories_add_up_to_the_metropolis(since_by_territory, raw):
    """A project in several territories counts in each: the territories' sum is the metropolis's
    figure plus those extra counts, worked out here from the projects' communes."""
    start, end = date(2013, 6, 18), date(2013, 12, 16)
    spread = {pid: len(_territories_of(raw, pid, commune)) for pid, _d, _s, commune, _j in raw["projects"]}
    new = [pid for pid, proposed, _s, _c, _j in raw["projects"] if start < proposed <= end]
    retained = {p for p, d, _i, s in raw["events"] if s == "retenu" and start < d <= end}
    money = {p: sum(a for q, _y, a in raw["fundings"] if q == p) for p in retained}
    metro = since_by_territory[None].values
    assert metro["Nouveaux projets (toute la métropole)"] == len(new) > 0
    assert metro["Financements des projets retenus (toute la métropole)"] == pytest.approx(sum(money.values()))
    for name, expected in (
        ("Nouveaux projets", sum(spread[p] for p in new)),
        ("Financements des projets retenus", sum(money[p] * spread[p] for p in money)),
    ):
        total = sum(
            value
            for territory, section in since_by_territory.items()
            if territory
            for label, value in section.values.items()
            if label.startswith(name)
        )
        assert total == pytest.approx(expected), name
    for name in ("Étapes franchies", "Avis rendus"):
        metro_value = next(v for k, v in metro.items() if k.startswith(name))
        parts = [next(v for k, v in s.values.items() if k.startswith(name)) for t, s in since_by_territory.items() if t]
        assert max(parts) <= metro_value <= sum(parts), name
    for territory, section in since_by_territory.items():
        if territory:
            assert all("toute la métropole" not in label for label, _v, _c in section.figures)


def test_one_label_one_number(packs):
    """Within a pack, a figure's label gives the same number wherever it appears."""
    for built in packs.values():
        seen: dict[str, str] = {}
        for section in built.sections:
            for label, value, _change in section.figures:
                assert seen.setdefault(label, value) == value, label
        titles = [t for s in built.sections for t, _c in s.charts]
        assert "Projets pour 10 000 habitants" not in titles  # the indicator says it counts engaged projects
        assert pack.PROPOSED_PER_10K in " ".join(titles)


def test_indicator_sentences_are_whole_counts_and_rates_with_their_unit(packs):
    built = packs[("2014-S1", "roubaisien")]
    sentences = _section(built, "Indicateurs et cibles").sentences
    jobs = [s for s in sentences if s.startswith("Emplois créés — ")]
    assert [s.split(" — ")[1].split(" :")[0] for s in jobs] == ["Territoire Roubaisien", "Métropole"]
    for sentence in jobs:
        figure = sentence.split(" : ")[1].split(" emplois")[0]
        assert "," not in figure, sentence
    cdi = next(s for s in sentences if s.startswith("Part des emplois en CDI — Métropole"))
    assert cdi.count("\u00a0%") >= 1


def test_theil_split_is_left_out_for_one_territory(packs):
    metro = _section(packs[("2013-S2", None)], "Équité territoriale").sentences
    alone = _section(packs[("2013-S2", "roubaisien")], "Équité territoriale").sentences
    assert any("entre territoires" in s for s in metro)
    assert not any("entre territoires" in s for s in alone)
