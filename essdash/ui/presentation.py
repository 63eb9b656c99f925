"""Streamlit views of the presentation (the Présentation page): before it, the semester, the launch
button and the pack's downloads; during it, the meeting pack cut into full-width views that each fit a
1280×720 projector screen, with the buttons that move between them.

A pack section becomes one view, or several when it is too tall: its blocks (key figures, sentences,
charts, table rows) fill views in order, by estimated heights, and a long table goes on in the next
view, titled « … (suite) », never in a scrolled box. Tables are drawn as large wrapping HTML text
(:mod:`essdash.ui.slide_tables`), the map beside its sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.read import indicators, pack
from essdash.read.filters import Filters
from essdash.read.pack import model
from essdash.render import pack_charts, static_map
from essdash.ui import slide_tables
from essdash.ui.cache import chart as draw_chart
from essdash.ui.frame import place_caption, read

# Heights in px at 1280×720. A view's content (below its heading, above the navigation buttons) may
# fill VIEW_HEIGHT; the rest of the screen is the demo notice, the heading, the buttons and margins.
VIEW_HEIGHT = 420
GAP = 16  # between two blocks of a view
MIN_ROWS = 3  # a table page shows at least these rows, or the view ends before it
FIGURES_HEIGHT = 140  # a row of key-figure cards (labels on two lines at most)
FIGURES_PER_ROW = 3  # at 1280 px
SENTENCE_LINE = 36
SENTENCE_CHARS = 88  # characters per line of a sentence at 1280 px (about 100 fit: the words wrap)
SENTENCE_EXTRA = 8  # a sentence's margins
CHART_HEIGHT = 420  # a pack chart at projector size, with its title
MAP_HEIGHT = 390  # the choropleth's drawing, its title above it; its sentences beside it
MAP_SIDE_CHARS = 40  # characters per line of a sentence beside the map

VIEW_CSS = """
.pack-figures {display: grid; grid-template-columns: repeat(auto-fit, minmax(19rem, 1fr)); gap: 1rem 2rem;}
.pack-figure {border-left: 0.4rem solid #0072B2; padding: 0.2rem 0 0.2rem 1rem; min-width: 0;}
.pack-figure div {overflow-wrap: anywhere; white-space: normal;}
.pack-figure .pack-label {font-size: 1.35rem; line-height: 1.25;}
.pack-figure .pack-value {font-size: clamp(2.2rem, 3.4vw, 4.2rem); font-weight: 700; line-height: 1.15;}
.pack-figure .pack-trend {font-size: 1.2rem; line-height: 1.25; color: #444;}
.pack-counter {font-size: 2.4rem; font-weight: 700; line-height: 1.2; text-align: center; white-space: nowrap;}
.pack-side p, .pack-side li {font-size: 1.25rem !important; line-height: 1.35 !important;}
"""


@dataclass
class View:
    """One screen of the presentation: part (or all) of one pack section. ``beside`` puts its
    sentences beside its chart (the map) instead of above it."""

    title: str
    figures: list[tuple[str, str, str]] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    charts: list[tuple[str, model.Chart]] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    beside: bool = False


class _Views:
    """The views of one section being filled: the current one, and the height it has used."""

    def __init__(self, title: str):
        self.title = title
        self.views = [View(title)]
        self.used = 0

    def free(self) -> int:
        """The height left in the current view for one more block."""
        return VIEW_HEIGHT - self.used - (GAP if self.used else 0)

    def next_view(self) -> None:
        self.views.append(View(f"{self.title} (suite)"))
        self.used = 0

    def place(self, height: int) -> View:
        """The view that shows a block of ``height``: the current one if the block fits, else a new one."""
        if self.used and height > self.free():
            self.next_view()
        self.used += (GAP if self.used else 0) + height
        return self.views[-1]


def sentence_height(sentence: str, chars: int = SENTENCE_CHARS) -> int:
    """The estimated height of a sentence shown with ``chars`` characters a line."""
    return SENTENCE_LINE * -(-len(sentence) // chars) + SENTENCE_EXTRA


def _map_view(section: model.Section) -> View | None:
    """The one view of a map section: its choropleth, with its sentences beside it when they fit there."""
    maps = [(title, chart) for title, chart in section.charts if chart.kind == "choropleth"]
    beside = sum(sentence_height(s, MAP_SIDE_CHARS) + GAP for s in section.sentences) <= VIEW_HEIGHT
    if len(maps) != 1 or len(section.charts) != 1 or section.figures or section.tables or not beside:
        return None
    return View(section.title, sentences=list(section.sentences), charts=maps, beside=True)


def section_views(section: model.Section) -> list[View]:
    """The views of one section: its blocks in order, a new view whenever the next block does not fit;
    a table is cut between rows into pages of even length (at least MIN_ROWS each), its header repeated
    on each page. A map section is one view, the map beside its sentences."""
    single = _map_view(section)
    if single is not None:
        return [single]
    filler = _Views(section.title)
    if section.figures:
        rows = -(-len(section.figures) // FIGURES_PER_ROW)
        filler.place(rows * FIGURES_HEIGHT).figures = list(section.figures)
    for sentence in section.sentences:
        filler.place(sentence_height(sentence)).sentences.append(sentence)
    for title, chart in section.charts:
        filler.place(CHART_HEIGHT).charts.append((title, chart))
    for title, table in section.tables:
        sizes = slide_tables.heights(table, title)
        if table.empty:
            filler.place(sizes.title + slide_tables.LINE).tables.append((title, table))
            continue
        start = 0
        while start < len(table):
            fit = slide_tables.rows_within(sizes, start, filler.free())
            if filler.used and fit < min(MIN_ROWS, len(table) - start):
                filler.next_view()
                continue
            rows = slide_tables.even(sizes, start, max(fit, 1), VIEW_HEIGHT)
            view = filler.place(slide_tables.height(sizes, start, rows))
            view.tables.append((title if start == 0 else f"{title} (suite)", table.iloc[start : start + rows]))
            start += rows
            if start < len(table):
                filler.next_view()
    return filler.views


def views(meeting_pack: model.Pack) -> list[View]:
    """Every view after the title view, section by section."""
    return [view for section in meeting_pack.sections for view in section_views(section)]


def _figures_html(figures: list[tuple[str, str, str]]) -> str:
    esc = fmt.md_escape
    cards = "".join(
        f"<div class='pack-figure'><div class='pack-label'>{esc(label)}</div>"
        f"<div class='pack-value'>{esc(value)}</div>"
        f"<div class='pack-trend'>{esc(change) if change else '&nbsp;'}</div></div>"
        for label, value, change in figures
    )
    return f"<div class='pack-figures'>{cards}</div>"


def _scroll_to_top(slide: int) -> None:
    """Bring the page back to its top: a new view never opens at the previous view's scroll position.
    The slide number makes the element differ from one view to the next, so its script runs each time."""
    st.html(
        f"<script data-slide='{slide}'>"
        "for (const el of window.parent.document.querySelectorAll("
        '\'[data-testid="stMain"], [data-testid="stAppViewContainer"], section.main\')) el.scrollTop = 0;'
        "window.parent.scrollTo(0, 0);</script>",
        unsafe_allow_javascript=True,
    )


def _draw_chart(title: str, chart: model.Chart) -> None:
    """A pack chart under its title; the map sized to fit the view with its legend beside it."""
    if chart.kind == "choropleth":
        level, measure = chart.options["level"], chart.options["measure"]
        draw_chart(
            static_map.static_choropleth, chart.rows, level, measure, title=title, height=MAP_HEIGHT, projector=True
        )
        return
    st.markdown(f"**{fmt.md_escape(title)}**")
    draw_chart(pack_charts.draw, chart, projector=True)


def presentation_view(meeting_pack: model.Pack, slides: list[View], slide: int) -> None:
    """One full-width view of the presentation: 0 is the title, then ``slides[slide - 1]``."""
    esc = fmt.md_escape
    _scroll_to_top(slide)
    st.html(f"<style>{VIEW_CSS}{slide_tables.CSS}</style>")  # style only: it takes no room
    if slide == 0:
        st.title(meeting_pack.title)
        st.header(esc(meeting_pack.subtitle))
        st.markdown(f"{fmt.period_label(meeting_pack.period)} · {esc(meeting_pack.place)}")
        return
    view = slides[slide - 1]
    st.header(esc(view.title))
    if view.figures:
        st.markdown(_figures_html(view.figures), unsafe_allow_html=True)
    if view.beside:
        drawing, words = st.columns([3, 2], gap="large")
        with drawing:
            for title, chart in view.charts:
                _draw_chart(title, chart)
        with words:
            sentences = "".join(f"<li>{esc(sentence)}</li>" for sentence in view.sentences)
            st.markdown(f"<div class='pack-side'><ul>{sentences}</ul></div>", unsafe_allow_html=True)
        return
    for sentence in view.sentences:
        st.markdown(f"- {esc(sentence)}")
    for title, chart in view.charts:
        _draw_chart(title, chart)
    for title, table in view.tables:
        st.markdown(slide_tables.html(title, table), unsafe_allow_html=True)


PACK_FORMATS = (
    ("pdf", "Dossier de séance (PDF)", "application/pdf"),
    ("pptx", "Diaporama (PowerPoint)", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("json", "Données du pack (JSON)", "application/json"),
)


def pack_downloads(engine: Engine, period: str, territory: str | None, plan: str | None = None) -> None:
    """Download buttons of the meeting pack (on the fiches of ``plan``, else the plan in force): the PDF,
    the PowerPoint and the JSON that ``python -m essdash report`` writes; the pack is built and its file
    rendered only when asked for, so the page opens without them."""
    from essdash.render import report

    for column, (kind, label, mime) in zip(st.columns(len(PACK_FORMATS)), PACK_FORMATS):

        def data(kind: str = kind) -> bytes:
            return report.render(pack.build(engine, period, territory, plan), kind)

        column.download_button(
            label,
            data=data,
            file_name=report.filename_of(period, territory, kind),
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            key=f"download-{kind}",
        )


def preparation(engine: Engine, filters: Filters) -> None:
    """Before the presentation: the semester, the scope, the launch button and the pack's downloads."""
    semesters = read(indicators.reference_periods)
    period = st.selectbox(
        "Semestre", semesters[::-1], format_func=fmt.period_label, key="p_period", placeholder=fmt.CHOOSE
    )
    scope = place_caption(filters.with_(commune=None))
    st.caption(
        f"Périmètre : {scope}. Choisissez un territoire dans le menu pour le dossier d'un technicien, "
        "comparé à la moyenne métropolitaine."
    )
    if st.button("Lancer la présentation", type="primary", icon=":material/slideshow:"):
        st.session_state.update(presenting=True, slide=0, presented_period=period)
        st.rerun()
    pack_downloads(engine, period, filters.territory, filters.plan)


def slideshow(filters: Filters) -> None:
    """The presentation of the semester launched: the current view, then the buttons to the previous
    and next views and out of the presentation."""
    period = st.session_state["presented_period"]
    meeting_pack = read(pack.build, period, filters.territory, filters.plan)
    slides = views(meeting_pack)
    slide = min(st.session_state.get("slide", 0), len(slides))
    presentation_view(meeting_pack, slides, slide)
    back, position, forward, leave = st.columns([2, 2, 2, 3])
    if back.button("◀ Précédent", disabled=slide == 0, width="stretch"):
        st.session_state["slide"] = slide - 1
        st.rerun()
    position.markdown(f"<div class='pack-counter'>{slide + 1} / {len(slides) + 1}</div>", unsafe_allow_html=True)
    if forward.button("Suivant ▶", disabled=slide == len(slides), width="stretch", type="primary"):
        st.session_state["slide"] = slide + 1
        st.rerun()
    if leave.button("Quitter la présentation", width="stretch"):
        # The semester's selectbox was not on screen while presenting, so Streamlit forgot its value.
        st.session_state.update(presenting=False, slide=0, p_period=period)
        st.rerun()
