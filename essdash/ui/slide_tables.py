"""Tables of the presentation as large, wrapping HTML text (not Streamlit's data grid, whose small type
and cut cells a projector cannot show), and the estimated height of each of their rows at 1280×720, by
which the presentation cuts a long table into pages that fit the screen.

The columns get fixed widths (``table-layout: fixed``), shared out by the length of their longest text,
so the estimate wraps each cell the way the browser does; every text is escaped by
:func:`essdash.domain.fmt.md_escape`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pandas as pd

from essdash.domain import fmt

NONE = "aucune"  # what an empty table shows
TABLE_WIDTH = 1184  # px: the view's width at 1280 px, less its side margins
FONT_PX = 19.2  # 1.2rem
CHAR_PX = 8.6  # an average character of the font at FONT_PX (about 7.8 px), with a margin for bold headers
LINE = 26  # px a line of a cell (FONT_PX × 1.3, rounded up)
CELL_PADDING = 16  # px of a cell's left and right padding together
ROW_EXTRA = 9  # px of a row's top and bottom padding and its border
TITLE_HEIGHT = 44  # px of a table's title and its margin
TITLE_CHARS = 80  # characters a line of a table's title
WIDEST = 40  # a column's share of the width counts at most this many characters
NARROWEST = 5

CSS = """
.pack-table-title {font-size: 1.35rem; font-weight: 700; line-height: 1.3; margin: 0 0 0.3rem 0;}
.pack-table {width: 100%; table-layout: fixed; border-collapse: collapse; font-size: 1.2rem; line-height: 1.3;}
.pack-table th, .pack-table td {padding: 0.2rem 0.5rem; border: none; border-bottom: 1px solid #ccc;
  text-align: left; vertical-align: top; white-space: normal; overflow-wrap: anywhere; overflow: visible;}
.pack-table th {font-weight: 700; border-bottom: 2px solid #555;}
.pack-table td.pack-number {text-align: right;}
.pack-none {font-size: 1.3rem; font-style: italic;}
"""


@dataclass(frozen=True)
class Heights:
    """Estimated heights in px of a table's parts at 1280×720: its title, its header row, each row."""

    title: int
    header: int
    rows: tuple[int, ...]


def _texts(table: pd.DataFrame) -> list[list[str]]:
    return [[fmt.cell(value) for value in row] for row in table.itertuples(index=False, name=None)]


def widths(table: pd.DataFrame) -> list[float]:
    """Each column's share of the table's width, by the length of its longest text (a cell, or a word of
    its header: a long header wraps over a column of short numbers)."""
    texts = _texts(table)
    weights = [
        min(WIDEST, max(NARROWEST, *(len(word) for word in str(header).split()), *(len(row[i]) for row in texts)))
        for i, header in enumerate(table.columns)
    ]
    return [weight / sum(weights) for weight in weights]


def _lines(text: str, share: float) -> int:
    chars = max(1, int((TABLE_WIDTH * share - CELL_PADDING) // CHAR_PX))
    return max(1, len(textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=False)))


def heights(table: pd.DataFrame, title: str = "") -> Heights:
    """The estimated heights of ``table`` drawn by :func:`html`: a row is as tall as its cell of most lines."""
    shares = widths(table)
    header = max((_lines(str(h), s) for h, s in zip(table.columns, shares, strict=True)), default=1)
    rows = tuple(
        LINE * max(_lines(text, s) for text, s in zip(row, shares, strict=True)) + ROW_EXTRA for row in _texts(table)
    )
    title_lines = max(1, -(-len(title) // TITLE_CHARS))
    return Heights(TITLE_HEIGHT + LINE * (title_lines - 1), LINE * header + ROW_EXTRA, rows)


def height(sizes: Heights, start: int, count: int) -> int:
    """The height of a page of ``count`` rows from ``start``, with its title and header."""
    return sizes.title + sizes.header + sum(sizes.rows[start : start + count])


def rows_within(sizes: Heights, start: int, free: int) -> int:
    """How many rows from ``start`` a page of at most ``free`` px holds."""
    count = 0
    while start + count < len(sizes.rows) and height(sizes, start, count + 1) <= free:
        count += 1
    return count


def even(sizes: Heights, start: int, fit: int, full: int) -> int:
    """The rows of this page: all the rest if they fit (``fit`` rows do), else an even share of the
    rest among the pages it needs (each later page holding up to ``full`` px), so no page is left
    with a row or two."""
    rest = len(sizes.rows) - start
    if fit >= rest:
        return rest
    pages, done = 1, start + fit
    while done < len(sizes.rows):
        done += max(1, rows_within(sizes, done, full))
        pages += 1
    return max(1, min(fit, -(-rest // pages)))


def html(title: str, table: pd.DataFrame) -> str:
    """The table under its title, every text escaped; « aucune » when it has no row."""
    esc = fmt.md_escape
    head = f"<div class='pack-table-title'>{esc(title)}</div>"
    if table.empty:
        return f"{head}<div class='pack-none'>{NONE}</div>"
    cols = "".join(f"<col style='width:{share * 100:.2f}%'>" for share in widths(table))
    header = "".join(f"<th>{esc(column)}</th>" for column in table.columns)
    numeric = [pd.api.types.is_numeric_dtype(dtype) for dtype in table.dtypes]
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='pack-number'>{esc(text)}</td>" if right else f"<td>{esc(text)}</td>"
            for text, right in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in _texts(table)
    )
    return (
        f"{head}<table class='pack-table'><colgroup>{cols}</colgroup>"
        f"<thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
    )
