"""Meeting pack exports: the :class:`essdash.pack.Pack` of a semester as a PDF report (reportlab,
A4 portrait) and as a PowerPoint deck (python-pptx, 16:9), with the same content, offline.

Charts are the pack's altair specs rendered to PNG by vl-convert (no network). Every piece of
text is data, never markup: PDF paragraphs are XML-escaped before reportlab parses them, slides
get plain runs. Nothing is cached between calls.
"""

from __future__ import annotations

import io
import math
import re
import struct
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import reportlab
import vl_convert
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (CondPageBreak, Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer,
                                Table, TableStyle)

from essdash import fmt
from essdash.pack import Pack, Section

DEMO_NOTICE = "Données de démonstration fictives"
FORMATS = {"pdf": "application/pdf",
           "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
CHART_WIDTH = 420          # vega-lite width (px) given to charts that set none, so they fill a page
CHART_SCALE = 2
PDF_MAX_ROWS = 60
PDF_MAX_CELL = 400
SLIDE_ROWS = 12
SLIDE_MAX_ROWS = 48
SLIDE_MAX_CELL = 90
TABLE_PT = 12
FIGURE_PT = 16
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_NUMERIC = re.compile(r"^[-+]?[\d\u202f\u00a0 ]+(,\d+)?(\s?[%€])?$")
BLUE, GREY, RED = "#1F4E79", "#595959", "#B00020"


# ---- shared: text of cells, chart images ---------------------------------------------------------

def _clean(text) -> str:
    """Control characters (invalid in XML and in PDF text) become spaces."""
    return _CONTROL.sub(" ", str(text))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _cell(value, column: str = "") -> str:
    """A table value as French text: numbers grouped, dates spelled out, missing values blank."""
    if value is None or (isinstance(value, (float, np.floating)) and math.isnan(value)) or value is pd.NA \
            or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, (int, np.integer)):
        return str(int(value)) if column.startswith("N°") else fmt.number(int(value))
    if isinstance(value, (float, np.floating)):
        return fmt.number(float(value), 0 if float(value).is_integer() else 1)
    if isinstance(value, (date, datetime)):
        return fmt.day(value)
    return _clean(value)


def _rows(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    header = [_clean(c) for c in frame.columns]
    return header, [[_cell(v, header[i]) for i, v in enumerate(row)] for row in frame.itertuples(index=False)]


def _numeric_columns(rows: list[list[str]], ncols: int) -> list[bool]:
    return [bool(rows) and all(not r[i] or _NUMERIC.match(r[i]) for r in rows) for i in range(ncols)]


def _chart_png(chart) -> bytes:
    """The chart as a PNG (scale 2), widened to ``CHART_WIDTH`` when its spec sets no width."""
    spec = chart.to_dict()
    if "width" not in spec and not any(k in spec for k in ("hconcat", "vconcat", "concat", "facet", "repeat")):
        spec["width"] = CHART_WIDTH
    return vl_convert.vegalite_to_png(spec, scale=CHART_SCALE)


def _png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def _figure_header(figures) -> tuple[list[str], int]:
    """Indicateur / Valeur / Évolution, without the last column when no figure has a change; a
    territory's comparison with the metropolis (« métropole : … ») is headed « Comparaison »."""
    changes = [change for _, _, change in figures if change]
    if not changes:
        return ["Indicateur", "Valeur"], 2
    third = "Comparaison" if all(c.startswith("métropole") for c in changes) else "Évolution"
    return ["Indicateur", "Valeur", third], 3


def _more(count: int) -> str:
    return f"… et {fmt.plural(count, 'autre ligne', 'autres lignes')}."


def _when(pack: Pack) -> str:
    return f"Séance du comité : {fmt.day(pack.meeting['date'])}" if pack.meeting else \
        "Pas de séance du comité ce semestre"


def filename(pack: Pack, fmt_name: str) -> str:
    """``pack-comite-2013-S2.pdf``, ``pack-comite-2014-S2-roubaisien.pptx``."""
    place = "-" + re.sub(r"[^a-z0-9-]+", "-", pack.territory.lower()).strip("-") if pack.territory else ""
    return f"pack-comite-{pack.period}{place}.{fmt_name}"


def render(pack: Pack, fmt_name: str) -> bytes:
    if fmt_name == "pdf":
        return to_pdf(pack)
    if fmt_name == "pptx":
        return to_pptx(pack)
    raise ValueError(f"Format « {fmt_name} » inconnu : choisissez pdf ou pptx.")


# ---- PDF -------------------------------------------------------------------------------------------

_FONT_FILES = [(f"{folder}/DejaVuSans.ttf", f"{folder}/DejaVuSans-Bold.ttf")  # Debian's fonts-dejavu-core, Fedora's
               for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")]
# Substitutes for characters a fallback font lacks (reportlab's bundled Vera has no U+202F).
_SUBSTITUTES = {"\u202f": "\u00a0", "\u2009": " ", "\u2026": "...", "\u2013": "-", "\u2014": "-", "\u2212": "-",
                "\u00ab": '"', "\u00bb": '"', "\u2019": "'", "\u0153": "oe", "\u20ac": "EUR"}


@dataclass
class _Fonts:
    regular: str
    bold: str
    missing: dict

    def plain(self, value) -> str:
        """Cleaned, with substitutes where the font lacks a glyph: for the canvas."""
        text = _clean(value)
        for char, substitute in self.missing.items():
            text = text.replace(char, substitute)
        return text

    def text(self, value) -> str:
        """The same, XML-escaped for a Paragraph: user text is never markup."""
        return escape(self.plain(value)).replace("\n", "<br/>")


def _fonts() -> _Fonts:
    """DejaVu Sans from the system when present (it has U+202F), else reportlab's own Vera."""
    vera = Path(reportlab.__file__).parent / "fonts"
    candidates = [(r, b) for r, b in _FONT_FILES if Path(r).is_file() and Path(b).is_file()]
    regular, bold = candidates[0] if candidates else (str(vera / "Vera.ttf"), str(vera / "VeraBd.ttf"))
    names = ("Essdash-" + Path(regular).stem, "Essdash-" + Path(bold).stem)
    for name, path in zip(names, (regular, bold)):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path))
    glyphs = pdfmetrics.getFont(names[0]).face.charToGlyph
    missing = {c: s for c, s in _SUBSTITUTES.items() if ord(c) not in glyphs}
    if "\u202f" in missing and 0xA0 not in glyphs:
        missing["\u202f"] = missing["\u00a0"] = " "
    return _Fonts(names[0], names[1], missing)


def _styles(fonts: _Fonts) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=fonts.regular, fontSize=10, leading=13.5, spaceAfter=5)
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontName=fonts.bold, fontSize=22, leading=28, textColor=BLUE,
                                spaceAfter=14),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=13, leading=18, spaceAfter=10),
        "demo": ParagraphStyle("demo", base, fontName=fonts.bold, fontSize=12, leading=16, textColor=RED,
                               borderColor=RED, borderWidth=1, borderPadding=6, spaceBefore=16, spaceAfter=16),
        "h1": ParagraphStyle("h1", base, fontName=fonts.bold, fontSize=16, leading=20, textColor=BLUE,
                             spaceAfter=10, keepWithNext=1),
        "h2": ParagraphStyle("h2", base, fontName=fonts.bold, fontSize=11.5, leading=15, spaceBefore=10,
                             spaceAfter=5),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "num": ParagraphStyle("num", base, fontSize=8.5, leading=10.5, spaceAfter=0, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", base, fontName=fonts.bold, fontSize=8.5, leading=10.5, spaceAfter=0,
                               textColor=colors.white),
        "note": ParagraphStyle("note", base, fontSize=8.5, leading=11, textColor=colors.HexColor(GREY)),
        "toc": ParagraphStyle("toc", base, leftIndent=12, spaceAfter=2),
        "centre": ParagraphStyle("centre", base, alignment=TA_CENTER, textColor=colors.HexColor(GREY)),
    }


class _PackDoc(SimpleDocTemplate):
    """Adds a PDF outline entry for every section heading."""

    def afterFlowable(self, flowable):
        if isinstance(flowable, Paragraph) and flowable.style.name == "h1":
            key = f"section-{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=0)


def _canvas_maker(fonts: _Fonts, footer: str, demo: bool):
    """A canvas that writes « page n / total », the footer and the demo notice on every page."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int):
            width, _ = A4
            self.saveState()
            self.setStrokeColor(colors.HexColor("#BFBFBF"))
            self.line(2 * cm, 1.55 * cm, width - 2 * cm, 1.55 * cm)
            self.setFont(fonts.regular, 8)
            self.setFillColor(colors.HexColor(GREY))
            self.drawString(2 * cm, 1.1 * cm, footer)
            self.drawRightString(width - 2 * cm, 1.1 * cm, f"page {number} / {total}")
            if demo and number > 1:
                self.setFillColor(colors.HexColor(RED))
                self.drawRightString(width - 2 * cm, A4[1] - 1.2 * cm, fonts.plain(DEMO_NOTICE))
            self.restoreState()

    return NumberedCanvas


def _pdf_table(header: list[str], rows: list[list[str]], widths: list[float], styles, fonts: _Fonts) -> Table:
    numeric = _numeric_columns(rows, len(header))
    data = [[Paragraph(fonts.text(h), styles["head"]) for h in header]]
    data += [[Paragraph(fonts.text(_cut(v, PDF_MAX_CELL)), styles["num" if numeric[i] else "cell"])
              for i, v in enumerate(row)] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(BLUE)),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#EEF3F8")]),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BFBFBF")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _widths(natural: list[float], minimum: list[float], total: float) -> list[float]:
    """Share ``total`` in proportion to ``natural``, but give each column at least its ``minimum``."""
    if sum(minimum) >= total:
        return [total * m / sum(minimum) for m in minimum]
    fixed: set[int] = set()
    while True:
        free = [i for i in range(len(natural)) if i not in fixed]
        room = total - sum(minimum[i] for i in fixed)
        shares = {i: room * natural[i] / sum(natural[j] for j in free) for i in free}
        under = [i for i in free if shares[i] < minimum[i]]
        if not under:
            return [minimum[i] if i in fixed else shares[i] for i in range(len(natural))]
        fixed.update(under)


def _natural(header: list[str], rows: list[list[str]], cap: int) -> list[float]:
    return [min(max([len(header[i])] + [len(r[i]) for r in rows]), cap) + 3 for i in range(len(header))]


def _pdf_widths(header: list[str], rows: list[list[str]], total: float, fonts: _Fonts) -> list[float]:
    """Column widths from the text lengths; no header word and no number is ever broken."""
    numeric = _numeric_columns(rows, len(header))
    minimum = []
    for i, name in enumerate(header):
        need = max(pdfmetrics.stringWidth(w, fonts.bold, 8.5) for w in fonts.plain(name).split() or [""])
        words = [fonts.plain(r[i]) for r in rows] if numeric[i] else \
            {w for r in rows for w in fonts.plain(r[i]).split()}  # long words are cut only past a quarter page
        cells = max([pdfmetrics.stringWidth(w, fonts.regular, 8.5) for w in words] or [0])
        minimum.append(max(need, cells if numeric[i] else min(cells, total / 4)) + 14)  # paddings 6 + 6
    return _widths(_natural(header, rows, 45), minimum, total)


def _pdf_section(section: Section, styles, fonts: _Fonts, frame_width: float, frame_height: float) -> list:
    story = [Paragraph(fonts.text(section.title), styles["h1"])]
    story += [Paragraph(fonts.text(s), styles["body"]) for s in section.sentences]
    if section.figures:
        header, ncols = _figure_header(section.figures)
        rows = [[_cell(v) for v in figure[:ncols]] for figure in section.figures]
        widths = [0.42, 0.2, 0.38] if ncols == 3 else [0.6, 0.4]
        table = _pdf_table(header, rows, [frame_width * w for w in widths], styles, fonts)
        story += [Spacer(1, 4), table, Spacer(1, 6)]
    for title, frame in section.tables:
        story += [CondPageBreak(4 * cm), Paragraph(fonts.text(title), styles["h2"])]
        header, rows = _rows(frame)
        if not rows:
            story.append(Paragraph("Aucune ligne.", styles["note"]))
            continue
        shown = rows[:PDF_MAX_ROWS]
        story.append(_pdf_table(header, shown, _pdf_widths(header, shown, frame_width, fonts), styles, fonts))
        if len(rows) > len(shown):
            story.append(Paragraph(fonts.text(_more(len(rows) - len(shown))), styles["note"]))
    for title, chart in section.charts:
        try:
            png = _chart_png(chart)
        except Exception as exc:  # a chart that cannot be drawn must not lose the whole pack
            story += [Paragraph(fonts.text(title), styles["h2"]),
                      Paragraph(fonts.text(f"Graphique indisponible ({exc})."), styles["note"])]
            continue
        px_width, px_height = _png_size(png)
        width = frame_width
        height = width * px_height / px_width
        if height > frame_height * 0.44:
            height = frame_height * 0.44
            width = height * px_width / px_height
        story.append(KeepTogether([Paragraph(fonts.text(title), styles["h2"]),
                                   Image(io.BytesIO(png), width=width, height=height)]))
    story.append(PageBreak())
    return story


def to_pdf(pack: Pack) -> bytes:
    """The pack as an A4 PDF: a title page, then one part per section, numbered pages."""
    fonts = _fonts()
    styles = _styles(fonts)
    buffer = io.BytesIO()
    semester = fmt.period_label(pack.period)
    doc = _PackDoc(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm,
                   bottomMargin=2.2 * cm, title=f"{pack.title} — {semester}", author="essdash",
                   subject=pack.subtitle, lang="fr-FR")
    story = [Spacer(1, 3 * cm), Paragraph(fonts.text(pack.title), styles["title"]),
             Paragraph(fonts.text(pack.subtitle), styles["subtitle"]),
             Paragraph(fonts.text(f"Semestre : {semester}"), styles["body"]),
             Paragraph(fonts.text(_when(pack)), styles["body"]),
             Paragraph(fonts.text(f"Périmètre : {pack.place}"), styles["body"])]
    if pack.demo:
        notice = DEMO_NOTICE + " : aucun chiffre de ce document ne décrit des projets réels."
        story.append(Paragraph(fonts.text(notice), styles["demo"]))
    story += [Spacer(1, 1 * cm), Paragraph("Sommaire", styles["h2"])]
    story += [Paragraph(fonts.text(s.title), styles["toc"]) for s in pack.sections]
    story += [Spacer(1, 2 * cm), Paragraph(fonts.text(f"Document édité le {fmt.day(date.today())} par essdash."),
                                           styles["centre"]), PageBreak()]
    for section in pack.sections:
        story += _pdf_section(section, styles, fonts, doc.width, doc.height)
    if isinstance(story[-1], PageBreak):
        story.pop()
    footer = f"{pack.title} — {semester}" + (f" — {pack.place}" if pack.territory else "")
    doc.build(story, canvasmaker=_canvas_maker(fonts, fonts.plain(footer), pack.demo))
    return buffer.getvalue()


# ---- PowerPoint -----------------------------------------------------------------------------------

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BODY_TOP = Inches(1.25)
BODY_BOTTOM = SLIDE_H - Inches(0.55)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


def _text_box(slide, left, top, width, height, paragraphs: list[str], *, size: float = 16, bold: bool = False,
              colour: str = "#000000", bullets: bool = False):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    for i, text in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = ("• " if bullets else "") + _clean(text)
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, _rgb(colour)
        paragraph.space_after = Pt(size * 0.5)
    return box


def _slide(prs, deck: dict, title: str):
    """A « Title Only » slide with the title laid out for 16:9, and the deck's footer."""
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = MARGIN, Inches(0.3), SLIDE_W - 2 * MARGIN, Inches(0.85)
    shape.text_frame.text = _clean(title)
    paragraph = shape.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    for run in paragraph.runs:
        run.font.size, run.font.bold, run.font.color.rgb = Pt(30), True, _rgb(BLUE)
    deck["count"] += 1
    footer = f"{deck['footer']}  ·  {deck['count']}"
    _text_box(slide, MARGIN, SLIDE_H - Inches(0.45), SLIDE_W - 2 * MARGIN, Inches(0.35), [footer], size=10, colour=GREY)
    if deck["demo"]:
        _text_box(slide, SLIDE_W - Inches(4.3), Inches(0.05), Inches(3.8), Inches(0.3), [DEMO_NOTICE], size=10,
                  colour=RED)
    return slide


def _lines(texts: list[str], size: float, width_in: float) -> float:
    """Estimated height (inches) of wrapped paragraphs at a font size."""
    per_line = max(20, int(width_in * 72 / (size * 0.5)))
    lines = sum(max(1, math.ceil(len(t) / per_line)) for t in texts)
    return lines * size * 1.2 / 72 + len(texts) * size * 0.5 / 72


def _pptx_widths(header: list[str], rows: list[list[str]], weights=None, size: float = TABLE_PT) -> list[int]:
    numeric = _numeric_columns(rows, len(header))
    char, pad = Pt(size * 0.6), Inches(0.25)
    minimum = [max(len(w) for w in (name.split() or [""])) * char + pad for name in header]
    minimum = [max([m] + [len(r[i]) * char + pad for r in rows]) if numeric[i] else m for i, m in enumerate(minimum)]
    return [int(w) for w in _widths(weights or _natural(header, rows, 60), minimum, SLIDE_W - 2 * MARGIN)]


def _row_height(values: list[str], widths: list[int], size: float = TABLE_PT) -> int:
    """Estimated height of a table row whose cells wrap within their columns."""
    lines = max(max(1, math.ceil(len(v) * Pt(size * 0.55) / max(w - Inches(0.2), Pt(size))))
                for v, w in zip(values, widths))
    return int(Pt(size * 1.2) * lines + Inches(0.1))


def _chunks(rows: list[list[str]], widths: list[int], room: int) -> list[list[list[str]]]:
    """Rows split into slides: as many as fit in ``room``, at most ``SLIDE_ROWS``."""
    chunks, current, used = [], [], 0
    for row in rows:
        height = _row_height(row, widths)
        if current and (used + height > room or len(current) == SLIDE_ROWS):
            chunks.append(current)
            current, used = [], 0
        current.append(row)
        used += height
    return chunks + [current] if current else chunks or [[]]


def _slide_table(slide, header: list[str], rows: list[list[str]], top, widths: list[int], size: float = TABLE_PT):
    numeric = _numeric_columns(rows, len(header))
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
        top = BODY_TOP
        if section.sentences:
            size = 18 if _lines(section.sentences, 18, width_in) < 2.5 else 15
            height = Inches(_lines(section.sentences, size, width_in) + 0.2)
            _text_box(slide, MARGIN, top, SLIDE_W - 2 * MARGIN, height, section.sentences, size=size, bullets=True)
            top += height + Inches(0.15)
        if section.figures:
            header, ncols = _figure_header(section.figures)
            rows = [[_cut(_cell(v), SLIDE_MAX_CELL) for v in figure[:ncols]] for figure in section.figures]
            widths = _pptx_widths(header, rows, [45, 22, 33] if ncols == 3 else [60, 40], FIGURE_PT)
            if top + sum(_row_height(r, widths, FIGURE_PT) for r in [header] + rows) > BODY_BOTTOM:
                slide, top = _slide(prs, deck, section.title), BODY_TOP
            _slide_table(slide, header, rows, top, widths, FIGURE_PT)
    for title, frame in section.tables:
        header, rows = _rows(frame)
        shown = [[_cut(v, SLIDE_MAX_CELL) for v in row] for row in rows[:SLIDE_MAX_ROWS]]
        header = [_cut(h, SLIDE_MAX_CELL) for h in header]
        widths = _pptx_widths(header, shown)
        top = BODY_TOP + Inches(0.45)
        room = BODY_BOTTOM - Inches(0.4) - top - _row_height(header, widths)  # keeps room for « … et N autres »
        chunks = _chunks(shown, widths, room)
        for n, chunk in enumerate(chunks):
            slide = _slide(prs, deck, section.title if n == 0 else f"{section.title} (suite)")
            _text_box(slide, MARGIN, BODY_TOP - Inches(0.1), SLIDE_W - 2 * MARGIN, Inches(0.45),
                      [title + (" (suite)" if n else "")], size=16, bold=True, colour=GREY)
            if not chunk:
                _text_box(slide, MARGIN, top, SLIDE_W - 2 * MARGIN, Inches(0.5), ["Aucune ligne."])
                continue
            _slide_table(slide, header, chunk, top, widths)
            if n == len(chunks) - 1 and len(rows) > len(shown):
                _text_box(slide, MARGIN, BODY_BOTTOM - Inches(0.4), SLIDE_W - 2 * MARGIN, Inches(0.4),
                          [_more(len(rows) - len(shown))], size=12, colour=GREY)
    for title, chart in section.charts:
        slide = _slide(prs, deck, section.title)
        _text_box(slide, MARGIN, BODY_TOP - Inches(0.1), SLIDE_W - 2 * MARGIN, Inches(0.45), [title], size=16,
                  bold=True, colour=GREY)
        try:
            png = _chart_png(chart)
        except Exception as exc:  # a chart that cannot be drawn must not lose the whole deck
            _text_box(slide, MARGIN, BODY_TOP + Inches(0.5), SLIDE_W - 2 * MARGIN, Inches(0.5),
                      [f"Graphique indisponible ({exc})."], size=14, colour=GREY)
            continue
        px_width, px_height = _png_size(png)
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
    first.shapes.title.text_frame.text = _clean(pack.title)
    for run in first.shapes.title.text_frame.paragraphs[0].runs:
        run.font.size, run.font.bold, run.font.color.rgb = Pt(36), True, _rgb(BLUE)
    subtitle = first.placeholders[1]
    subtitle.left, subtitle.top = MARGIN, Inches(3.4)
    subtitle.width, subtitle.height = SLIDE_W - 2 * MARGIN, Inches(2.4)
    frame = subtitle.text_frame
    lines = [pack.subtitle, f"Semestre : {semester}", _when(pack), f"Périmètre : {pack.place}"]
    if pack.demo:
        lines.append(DEMO_NOTICE)
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = _clean(line)
        run.font.size = Pt(20 if i == 0 else 16)
        if line == DEMO_NOTICE:
            run.font.bold, run.font.color.rgb = True, _rgb(RED)
    deck = {"count": 1, "demo": pack.demo,
            "footer": f"{pack.title} — {semester}" + (f" — {pack.place}" if pack.territory else "")}
    for section in pack.sections:
        _pptx_section(prs, deck, section)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
