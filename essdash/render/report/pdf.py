"""The meeting pack as a PDF report (reportlab, A4 portrait): title page, one part per section,
bookmarks, page numbers; paragraphs are XML-escaped before reportlab parses them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from essdash.domain import fmt
from essdash.read.pack.model import Pack, Section
from essdash.render.report.common import (
    BLUE,
    DEMO_NOTICE,
    GREY,
    PDF_MAX_CELL,
    PDF_MAX_ROWS,
    RED,
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

# ---- PDF -------------------------------------------------------------------------------------------

_FONT_FILES = [
    (f"{folder}/DejaVuSans.ttf", f"{folder}/DejaVuSans-Bold.ttf")  # Debian's fonts-dejavu-core, Fedora's
    for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
]
# Substitutes for characters a fallback font lacks (reportlab's bundled Vera has no U+202F).
_SUBSTITUTES = {
    "\u202f": "\u00a0",
    "\u2009": " ",
    "\u2026": "...",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2019": "'",
    "\u0153": "oe",
    "\u20ac": "EUR",
}


@dataclass
class _Fonts:
    regular: str
    bold: str
    missing: dict

    def plain(self, value) -> str:
        """Cleaned, with substitutes where the font lacks a glyph: for the canvas."""
        text = clean_text(value)
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
        "title": ParagraphStyle(
            "title", base, fontName=fonts.bold, fontSize=22, leading=28, textColor=BLUE, spaceAfter=14
        ),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=13, leading=18, spaceAfter=10),
        "demo": ParagraphStyle(
            "demo",
            base,
            fontName=fonts.bold,
            fontSize=12,
            leading=16,
            textColor=RED,
            borderColor=RED,
            borderWidth=1,
            borderPadding=6,
            spaceBefore=16,
            spaceAfter=16,
        ),
        "h1": ParagraphStyle(
            "h1", base, fontName=fonts.bold, fontSize=16, leading=20, textColor=BLUE, spaceAfter=10, keepWithNext=1
        ),
        "h2": ParagraphStyle("h2", base, fontName=fonts.bold, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=5),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "num": ParagraphStyle("num", base, fontSize=8.5, leading=10.5, spaceAfter=0, alignment=TA_RIGHT),
        "head": ParagraphStyle(
            "head", base, fontName=fonts.bold, fontSize=8.5, leading=10.5, spaceAfter=0, textColor=colors.white
        ),
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
    numeric = numeric_columns(rows, len(header))
    data = [[Paragraph(fonts.text(h), styles["head"]) for h in header]]
    data += [
        [
            Paragraph(fonts.text(cut_text(v, PDF_MAX_CELL)), styles["num" if numeric[i] else "cell"])
            for i, v in enumerate(row)
        ]
        for row in rows
    ]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(BLUE)),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#EEF3F8")]),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BFBFBF")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _pdf_widths(header: list[str], rows: list[list[str]], total: float, fonts: _Fonts) -> list[float]:
    """Column widths from the text lengths; no header word and no number is ever broken."""
    numeric = numeric_columns(rows, len(header))
    minimum = []
    for i, name in enumerate(header):
        need = max(pdfmetrics.stringWidth(w, fonts.bold, 8.5) for w in fonts.plain(name).split() or [""])
        words = (
            [fonts.plain(r[i]) for r in rows] if numeric[i] else {w for r in rows for w in fonts.plain(r[i]).split()}
        )  # long words are cut only past a quarter page
        cells = max([pdfmetrics.stringWidth(w, fonts.regular, 8.5) for w in words] or [0])
        minimum.append(max(need, cells if numeric[i] else min(cells, total / 4)) + 14)  # paddings 6 + 6
    return column_widths(natural_widths(header, rows, 45), minimum, total)


def _pdf_section(section: Section, styles, fonts: _Fonts, frame_width: float, frame_height: float) -> list:
    story = [Paragraph(fonts.text(section.title), styles["h1"])]
    story += [Paragraph(fonts.text(s), styles["body"]) for s in section.sentences]
    if section.figures:
        header, ncols = figure_header(section.figures)
        rows = [[cell_text(v) for v in figure[:ncols]] for figure in section.figures]
        widths = [0.42, 0.2, 0.38] if ncols == 3 else [0.6, 0.4]
        table = _pdf_table(header, rows, [frame_width * w for w in widths], styles, fonts)
        story += [Spacer(1, 4), table, Spacer(1, 6)]
    for title, frame in section.tables:
        story += [CondPageBreak(4 * cm), Paragraph(fonts.text(title), styles["h2"])]
        header, rows = table_rows(frame)
        if not rows:
            story.append(Paragraph("Aucune ligne.", styles["note"]))
            continue
        shown = rows[:PDF_MAX_ROWS]
        story.append(_pdf_table(header, shown, _pdf_widths(header, shown, frame_width, fonts), styles, fonts))
        if len(rows) > len(shown):
            story.append(Paragraph(fonts.text(more_rows_note(len(rows) - len(shown))), styles["note"]))
    for title, chart in section.charts:
        try:
            png = chart_png(chart)
        except Exception as exc:  # a chart that cannot be drawn must not lose the whole pack
            story += [
                Paragraph(fonts.text(title), styles["h2"]),
                Paragraph(fonts.text(f"Graphique indisponible ({exc})."), styles["note"]),
            ]
            continue
        px_width, px_height = png_size(png)
        width = frame_width
        height = width * px_height / px_width
        if height > frame_height * 0.44:
            height = frame_height * 0.44
            width = height * px_width / px_height
        story.append(
            KeepTogether(
                [Paragraph(fonts.text(title), styles["h2"]), Image(io.BytesIO(png), width=width, height=height)]
            )
        )
    story.append(PageBreak())
    return story


def to_pdf(pack: Pack) -> bytes:
    """The pack as an A4 PDF: a title page, then one part per section, numbered pages."""
    fonts = _fonts()
    styles = _styles(fonts)
    buffer = io.BytesIO()
    semester = fmt.period_label(pack.period)
    doc = _PackDoc(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2.2 * cm,
        title=f"{pack.title} — {semester}",
        author="essdash",
        subject=pack.subtitle,
        lang="fr-FR",
    )
    story = [
        Spacer(1, 3 * cm),
        Paragraph(fonts.text(pack.title), styles["title"]),
        Paragraph(fonts.text(pack.subtitle), styles["subtitle"]),
        Paragraph(fonts.text(f"Semestre : {semester}"), styles["body"]),
        Paragraph(fonts.text(situation_of(pack)), styles["body"]),
        Paragraph(fonts.text(f"Périmètre : {pack.place}"), styles["body"]),
    ]
    if pack.demo:
        notice = DEMO_NOTICE + " : aucun chiffre de ce document ne décrit des projets réels."
        story.append(Paragraph(fonts.text(notice), styles["demo"]))
    story += [Spacer(1, 1 * cm), Paragraph("Sommaire", styles["h2"])]
    story += [Paragraph(fonts.text(s.title), styles["toc"]) for s in pack.sections]
    story += [
        Spacer(1, 2 * cm),
        Paragraph(fonts.text(f"Document édité le {fmt.day(date.today())} par essdash."), styles["centre"]),
        PageBreak(),
    ]
    for section in pack.sections:
        story += _pdf_section(section, styles, fonts, doc.width, doc.height)
    if isinstance(story[-1], PageBreak):
        story.pop()
    footer = f"{pack.title} — {semester}" + (f" — {pack.place}" if pack.territory else "")
    doc.build(story, canvasmaker=_canvas_maker(fonts, fonts.plain(footer), pack.demo))
    return buffer.getvalue()


# ---- PowerPoint -----------------------------------------------------------------------------------
