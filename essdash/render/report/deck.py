"""The meeting pack as a PowerPoint deck (python-pptx, 16:9): a title slide, then the slides of
each section (titled exactly as the section), with native tables and chart pictures."""

from __future__ import annotations

import io
import math

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from essdash.domain import fmt
from essdash.read.pack.model import Pack, Section
from essdash.render.report.common import (
    BLUE,
    DEMO_NOTICE,
    FIGURE_PT,
    GREY,
    RED,
    SLIDE_MAX_CELL,
    SLIDE_MAX_ROWS,
    SLIDE_ROWS,
    TABLE_PT,
    cell_text,
    chart_png,
    clean_text,
    column_widths,
    cut_text,
    figure_header,
    more_rows_note,
    natural_widths,
    numeric_columns,
    png_size,
    situation_of,
    table_rows,
)

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BODY_TOP = Inches(1.25)
BODY_BOTTOM = SLIDE_H - Inches(0.55)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


def _text_box(
    slide,
    left,
    top,
    width,
    height,
    paragraphs: list[str],
    *,
    size: float = 16,
    bold: bool = False,
    colour: str = "#000000",
    bullets: bool = False,
):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    for i, text in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = ("• " if bullets else "") + clean_text(text)
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, _rgb(colour)
        paragraph.space_after = Pt(size * 0.5)
    return box


def _slide(prs, deck: dict, title: str):
    """A « Title Only » slide with the title laid out for 16:9, and the deck's footer."""
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = MARGIN, Inches(0.3), SLIDE_W - 2 * MARGIN, Inches(0.85)
    shape.text_frame.text = clean_text(title)
    paragraph = shape.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    for run in paragraph.runs:
        run.font.size, run.font.bold, run.font.color.rgb = Pt(30), True, _rgb(BLUE)
    deck["count"] += 1
    footer = f"{deck['footer']}  ·  {deck['count']}"
    _text_box(slide, MARGIN, SLIDE_H - Inches(0.45), SLIDE_W - 2 * MARGIN, Inches(0.35), [footer], size=10, colour=GREY)
    if deck["demo"]:
        _text_box(
            slide, SLIDE_W - Inches(4.3), Inches(0.05), Inches(3.8), Inches(0.3), [DEMO_NOTICE], size=10, colour=RED
        )
    return slide


def _lines(texts: list[str], size: float, width_in: float) -> float:
    """Estimated height (inches) of wrapped paragraphs at a font size."""
    per_line = max(20, int(width_in * 72 / (size * 0.5)))
    lines = sum(max(1, math.ceil(len(t) / per_line)) for t in texts)
    return lines * size * 1.2 / 72 + len(texts) * size * 0.5 / 72


def _pptx_widths(header: list[str], rows: list[list[str]], weights=None, size: float = TABLE_PT) -> list[int]:
    numeric = numeric_columns(rows, len(header))
    char, pad = Pt(size * 0.6), Inches(0.25)
    minimum: list[float] = [max(len(w) for w in (name.split() or [""])) * char + pad for name in header]
    minimum = [max([m] + [len(r[i]) * char + pad for r in rows]) if numeric[i] else m for i, m in enumerate(minimum)]
    return [int(w) for w in column_widths(weights or natural_widths(header, rows, 60), minimum, SLIDE_W - 2 * MARGIN)]


def _row_height(values: list[str], widths: list[int], size: float = TABLE_PT) -> int:
    """Estimated height of a table row whose cells wrap within their columns."""
    lines = max(
        max(1, math.ceil(len(v) * Pt(size * 0.55) / max(w - Inches(0.2), Pt(size)))) for v, w in zip(values, widths)
    )
    return int(Pt(size * 1.2) * lines + Inches(0.1))


def _chunks(rows: list[list[str]], widths: list[int], room: int) -> list[list[list[str]]]:
    """Rows split into slides: as many as fit in ``room``, at most ``SLIDE_ROWS``."""
    chunks: list[list[list[str]]] = []
    current: list[list[str]] = []
    used = 0
    for row in rows:
        height = _row_height(row, widths)
        if current and (used + height > room or len(current) == SLIDE_ROWS):
            chunks.append(current)
            current, used = [], 0
        current.append(row)
        used += height
    return chunks + [current] if current else chunks or [[]]


def _slide_table(slide, header: list[str], rows: list[list[str]], top, widths: list[int], size: float = TABLE_PT):
    numeric = numeric_columns(rows, len(header))
    heights = [_row_height(r, widths, size) for r in [header] + rows]
    shape = slide.shapes.add_table(len(rows) + 1, len(header), MARGIN, top, SLIDE_W - 2 * MARGIN, sum(heights))
    table = shape.table
    for i, width in enumerate(widths):
        table.columns[i].width = Emu(width)
    for r, values in enumerate([header] + rows):
        table.rows[r].height = Emu(heights[r])
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = value
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            paragraph = cell.text_frame.paragraphs[0]
            if r and numeric[c]:
                paragraph.alignment = PP_ALIGN.RIGHT
            for run in paragraph.runs:
                run.font.size = Pt(size)
                run.font.bold = r == 0
    return shape


def _pptx_section(prs, deck: dict, section: Section) -> None:
    width_in = (SLIDE_W - 2 * MARGIN) / 914400
    if section.sentences or section.figures or not (section.tables or section.charts):
        slide = _slide(prs, deck, section.title)
        top: int = BODY_TOP
        if section.sentences:
            size = 18 if _lines(section.sentences, 18, width_in) < 2.5 else 15
            height: int = Inches(_lines(section.sentences, size, width_in) + 0.2)
            _text_box(slide, MARGIN, top, SLIDE_W - 2 * MARGIN, height, section.sentences, size=size, bullets=True)
            top += height + Inches(0.15)
        if section.figures:
            header, ncols = figure_header(section.figures)
            rows = [[cut_text(cell_text(v), SLIDE_MAX_CELL) for v in figure[:ncols]] for figure in section.figures]
            widths = _pptx_widths(header, rows, [45, 22, 33] if ncols == 3 else [60, 40], FIGURE_PT)
            if top + sum(_row_height(r, widths, FIGURE_PT) for r in [header] + rows) > BODY_BOTTOM:
                slide, top = _slide(prs, deck, section.title), BODY_TOP
            _slide_table(slide, header, rows, top, widths, FIGURE_PT)
    for title, frame in section.tables:
        header, rows = table_rows(frame)
        shown = [[cut_text(v, SLIDE_MAX_CELL) for v in row] for row in rows[:SLIDE_MAX_ROWS]]
        header = [cut_text(h, SLIDE_MAX_CELL) for h in header]
        widths = _pptx_widths(header, shown)
        top = BODY_TOP + Inches(0.45)
        room = BODY_BOTTOM - Inches(0.4) - top - _row_height(header, widths)  # keeps room for « … et N autres »
        chunks = _chunks(shown, widths, room)
        for n, chunk in enumerate(chunks):
            slide = _slide(prs, deck, section.title if n == 0 else f"{section.title} (suite)")
            _text_box(
                slide,
                MARGIN,
                BODY_TOP - Inches(0.1),
                SLIDE_W - 2 * MARGIN,
                Inches(0.45),
                [title + (" (suite)" if n else "")],
                size=16,
                bold=True,
                colour=GREY,
            )
            if not chunk:
                _text_box(slide, MARGIN, top, SLIDE_W - 2 * MARGIN, Inches(0.5), ["Aucune ligne."])
                continue
            _slide_table(slide, header, chunk, top, widths)
            if n == len(chunks) - 1 and len(rows) > len(shown):
                _text_box(
                    slide,
                    MARGIN,
                    BODY_BOTTOM - Inches(0.4),
                    SLIDE_W - 2 * MARGIN,
                    Inches(0.4),
                    [more_rows_note(len(rows) - len(shown))],
                    size=12,
                    colour=GREY,
                )
    for title, chart in section.charts:
        slide = _slide(prs, deck, section.title)
        _text_box(
            slide,
            MARGIN,
            BODY_TOP - Inches(0.1),
            SLIDE_W - 2 * MARGIN,
            Inches(0.45),
            [title],
            size=16,
            bold=True,
            colour=GREY,
        )
        try:
            png = chart_png(chart)
        except Exception as exc:  # a chart that cannot be drawn must not lose the whole deck
            _text_box(
                slide,
                MARGIN,
                BODY_TOP + Inches(0.5),
                SLIDE_W - 2 * MARGIN,
                Inches(0.5),
                [f"Graphique indisponible ({exc})."],
                size=14,
                colour=GREY,
            )
            continue
        px_width, px_height = png_size(png)
        box_top = BODY_TOP + Inches(0.45)
        box_w, box_h = SLIDE_W - 2 * MARGIN, BODY_BOTTOM - box_top
        scale = min(box_w / px_width, box_h / px_height)
        width, height = int(px_width * scale), int(px_height * scale)
        slide.shapes.add_picture(io.BytesIO(png), int((SLIDE_W - width) / 2), box_top, width, height)


def to_pptx(pack: Pack) -> bytes:
    """The pack as a 16:9 deck: a title slide, then each section's slides titled with the section."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    semester = fmt.period_label(pack.period)
    prs.core_properties.title = f"{pack.title} — {semester}"
    prs.core_properties.author = "essdash"
    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.left, first.shapes.title.top = MARGIN, Inches(1.6)
    first.shapes.title.width, first.shapes.title.height = SLIDE_W - 2 * MARGIN, Inches(1.6)
    first.shapes.title.text_frame.text = clean_text(pack.title)
    for run in first.shapes.title.text_frame.paragraphs[0].runs:
        run.font.size, run.font.bold, run.font.color.rgb = Pt(36), True, _rgb(BLUE)
    subtitle = first.placeholders[1]
    subtitle.left, subtitle.top = MARGIN, Inches(3.4)
    subtitle.width, subtitle.height = SLIDE_W - 2 * MARGIN, Inches(2.4)
    frame = subtitle.text_frame
    lines = [pack.subtitle, f"Semestre : {semester}", situation_of(pack), f"Périmètre : {pack.place}"]
    if pack.demo:
        lines.append(DEMO_NOTICE)
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = clean_text(line)
        run.font.size = Pt(20 if i == 0 else 16)
        if line == DEMO_NOTICE:
            run.font.bold, run.font.color.rgb = True, _rgb(RED)
    deck = {
        "count": 1,
        "demo": pack.demo,
        "footer": f"{pack.title} — {semester}" + (f" — {pack.place}" if pack.territory else ""),
    }
    for section in pack.sections:
        _pptx_section(prs, deck, section)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
