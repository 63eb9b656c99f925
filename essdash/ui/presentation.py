"""Streamlit views of the presentation (the Présentation page): one full-width view per section of the
meeting pack, and the pack's downloads."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from essdash.domain import fmt
from essdash.read import pack
from essdash.render import pack_charts
from essdash.ui.frame import read


def presentation_view(meeting_pack: pack.Pack, slide: int) -> None:
    """One full-width view of the presentation: 0 is the title, then one view per pack section."""
    esc = fmt.md_escape
    if slide == 0:
        st.title(meeting_pack.title)
        st.header(esc(meeting_pack.subtitle))
        st.markdown(f"{fmt.period_label(meeting_pack.period)} · {esc(meeting_pack.place)}")
        return
    section = meeting_pack.sections[slide - 1]
    st.header(esc(section.title))
    if section.figures:
        for column, (label, value, change) in zip(st.columns(len(section.figures)), section.figures):
            column.metric(label, value, delta=change or None, delta_color="off")
    for sentence in section.sentences:
        st.markdown(f"- {esc(sentence)}")
    for title, chart in section.charts:
        st.markdown(f"**{esc(title)}**")
        st.altair_chart(pack_charts.draw(chart), width="stretch")
    for title, table in section.tables:
        st.markdown(f"**{esc(title)}**")
        st.dataframe(table, hide_index=True, width="stretch")


PACK_FORMATS = (
    ("pdf", "Dossier de séance (PDF)", "application/pdf"),
    ("pptx", "Diaporama (PowerPoint)", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)


def pack_downloads(engine: Engine, period: str, territory: str | None) -> None:
    """Download buttons of the meeting pack; each file is rendered only when asked for."""
    from essdash.render import report

    meeting_pack = read(pack.build, period, territory)
    for column, (kind, label, mime) in zip(st.columns(len(PACK_FORMATS)), PACK_FORMATS):
        column.download_button(
            label,
            data=lambda kind=kind: report.render(meeting_pack, kind),
            file_name=report.filename(meeting_pack, kind),
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            key=f"download-{kind}",
        )
