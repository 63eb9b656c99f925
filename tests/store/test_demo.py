"""The demo dataset: deterministic, large and varied enough, uneven on purpose."""

from datetime import date

import pytest
from sqlalchemy import func, select

from essdash.domain import models as m
from essdash.domain import periods
from essdash.domain.vocabulary import MeetingBody
from essdash.read import history
from essdash.store.db import init_db
from tests.fixtures.samples import dump


def _dump(url: str) -> list[str]:
    """Every row of every table but the meta table (which records the creation time)."""
    return dump(url, without=("metaentry",))


def _scalar(engine, stmt):
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def test_same_seed_same_database_other_seed_other_data(fresh_url):
    urls = [fresh_url(name) for name in ("a", "b", "c")]
    init_db(urls[0], seed=7).dispose()
    init_db(urls[1], seed=7).dispose()
    init_db(urls[2], seed=8).dispose()
    first, second, other = (_dump(u) for u in urls)
    assert len(first) > 1000
    assert first == second
    assert first != other


def test_demo_size_and_variety(demo_engine):
    e = demo_engine
    assert _scalar(e, select(func.count()).select_from(m.Project)) >= 150
    territories = select(func.count(func.distinct(m.Commune.territory_code))).join(
        m.Project, m.Project.commune_code == m.Commune.insee_code
    )
    assert _scalar(e, territories) == 8
    assert _scalar(e, select(func.count(func.distinct(m.Project.commune_code)))) >= 40
    legal_forms = select(func.count(func.distinct(m.Organisation.legal_form)))
    assert _scalar(e, legal_forms) >= 6
    assert _scalar(e, select(func.count(func.distinct(m.Funding.funder_id)))) >= 5
    assert _scalar(e, select(func.count()).select_from(m.Opinion)) > 50
    assert _scalar(e, select(func.count(func.distinct(m.Project.status)))) >= 6


def test_some_communes_get_nothing_and_late_members_none(demo_engine):
    with demo_engine.connect() as conn:
        served = {r[0] for r in conn.execute(select(m.Project.commune_code))}
        communes = conn.execute(select(m.Commune.insee_code, m.Commune.member_since)).all()
    members = {code for code, since in communes if since <= 2014}
    assert len(members - served) >= 10
    assert not served & {code for code, since in communes if since > 2014}


def test_meetings_of_every_body_every_semester(demo_engine):
    with demo_engine.connect() as conn:
        rows = conn.execute(select(m.Meeting.body, m.Meeting.date)).all()
    semesters = periods.span("2011-S1", "2014-S2")
    for body in (
        MeetingBody.COMMITTEE,
        MeetingBody.TECHNICIANS,
        MeetingBody.FORUM,
    ):
        held = {periods.of_date(day) for b, day in rows if b == body.value}
        assert held == set(semesters), body
    assert {day.year for b, day in rows if b == MeetingBody.SCIENTIFIC_COUNCIL.value} == {
        2011,
        2012,
        2013,
        2014,
    }


def test_indicator_values_per_semester_and_territory(demo_engine):
    with demo_engine.connect() as conn:
        entered = conn.execute(select(m.Indicator.code).where(m.Indicator.kind == "entered")).scalars().all()
        rows = conn.execute(
            select(
                m.Measurement.indicator_code, m.Measurement.period, m.Measurement.territory_code, m.Measurement.value
            )
        ).all()
        bounds = dict(conn.execute(select(m.Indicator.code, m.Indicator.max_value)).all())
    assert entered
    assert len(rows) == len(entered) * 8 * 8
    assert {(r[0], r[1], r[2]) for r in rows} == {
        (code, p, t)
        for code in entered
        for p in periods.span("2011-S1", "2014-S2")
        for t in ("lillois", "roubaisien", "tourquennois", "est", "couronne-nord", "couronne-sud", "lys", "weppes")
    }
    assert all(bounds[code] is None or value <= bounds[code] for code, _, _, value in rows)


def test_every_opinion_matches_a_committee_step(demo_engine):
    with demo_engine.connect() as conn:
        bodies = (
            conn.execute(select(m.Meeting.body).join(m.Opinion, m.Opinion.meeting_id == m.Meeting.id)).scalars().all()
        )
    assert set(bodies) == {MeetingBody.COMMITTEE.value}


@pytest.mark.parametrize("scale", [3])
def test_scale_multiplies_projects_on_the_same_geography(fresh_url, scale):
    engine = init_db(fresh_url("scaled"), scale=scale)
    assert _scalar(engine, select(func.count()).select_from(m.Project)) == 180 * scale
    assert _scalar(engine, select(func.count()).select_from(m.Commune)) == 95
    engine.dispose()


def _section(states: list[tuple[str, int]]) -> str:
    """The agreement expected of a section with its sub-fiches, stated independently of the demo code."""
    active = {s for s, _ in states} - {"abandonnee"}
    if not active:
        return "abandonnee"
    for alone in ("realisee", "a_venir"):
        if active == {alone}:
            return alone
    if "en_cours" in active or active == {"realisee", "a_venir"}:
        return "en_cours"
    return "bloquee" if "bloquee" in active else "en_pause"


@pytest.mark.parametrize("day", [date(2011, 12, 31), date(2012, 12, 31), date(2013, 12, 31), date(2014, 12, 31)])
def test_demo_sections_agree_with_their_sub_fiches_on_every_semester_end(demo_engine, day):
    with demo_engine.connect() as conn:
        parent_of = dict(conn.execute(select(m.ActionSheet.id, m.ActionSheet.parent_id)).all())
    states = history.sheet_states_on(demo_engine, day).set_index("sheet_id")
    sections = {p for p in parent_of.values() if p}
    assert sections
    for section in sections:
        kids = [k for k, p in parent_of.items() if p == section]
        expected = _section([(states.loc[k, "status"], states.loc[k, "progress"]) for k in kids])
        assert states.loc[section, "status"] == expected, (day, states.loc[section, "code"])


def test_demo_fiches_without_projects_are_the_only_ones_to_come_or_abandoned(demo_engine):
    with demo_engine.connect() as conn:
        served = {r[0] for r in conn.execute(select(m.ProjectSheet.sheet_id).distinct())}
        idle = conn.execute(
            select(m.ActionSheet.id, m.ActionSheet.code).where(m.ActionSheet.status.in_(("a_venir", "abandonnee")))
        ).all()
        declared = {
            r[0]
            for r in conn.execute(select(m.ActionSheetHistory.sheet_id).where(m.ActionSheetHistory.field == "progress"))
        }
        started = {r[0] for r in conn.execute(select(m.ActionSheet.id).where(m.ActionSheet.status != "a_venir"))}
    assert idle and not {sid for sid, _ in idle} & served
    assert started <= declared  # every fiche under way has a dated history of its declared progress


def test_demo_counts_of_jobs_and_people_are_whole_numbers(demo_engine):
    with demo_engine.connect() as conn:
        rows = conn.execute(
            select(m.Indicator.unit, m.Measurement.value).join(
                m.Indicator, m.Indicator.code == m.Measurement.indicator_code
            )
        ).all()
    counts = [value for unit, value in rows if unit in ("emplois", "personnes")]
    assert counts and all(value == int(value) for value in counts)
