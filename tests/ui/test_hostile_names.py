"""Names from the base that carry Markdown reach every page as text, never as links, images, colours,
icons or LaTeX.

Every territory, commune, organisation and project is renamed by SQL with the same active Markdown;
every page, each of its tabs and folded forms, is opened through ``app.py``, and every element whose
text Streamlit renders as Markdown (bodies, captions, headers, alerts, metric labels and values,
widget labels and help, radio and slider options, tab and expander labels) is read from what the
page sent.
"""

from __future__ import annotations

import pytest
from google.protobuf.json_format import MessageToDict
from sqlalchemy import text

from essdash.ui.navigation import PAGES, PUBLIC_PAGES
from tests.ui.conftest import TAB_KEYS, UNFOLDED

HOSTILE = "[lien](https://exemple.invalid) ![img](https://exemple.invalid/x.png) :red[rouge] :material/bolt: $x^2$"
# What must never reach Markdown as it is: each would draw a link, an image, a colour, an icon or LaTeX.
ACTIVE = ("](https://exemple.invalid", "![img]", ":red[", ":material/bolt:", "$x^2$")
# How md_escape writes the name's opening, worked out by hand: « [ » is &#91;, « ] » &#93;, « ( » &#40;.
ESCAPED = "&#91;lien&#93;&#40;https"
# Element fields that Streamlit shows as plain text or data, not Markdown: a select box's options, a
# dataframe's cells, a chart's specification, the map component's arguments, ``st.text``'s preformatted
# text (the e-mail's preview on Comité) (by message type).
PLAIN = {
    "Text": None,
    "Selectbox": {"options", "default", "rawValue", "setValue", "placeholder"},
    "MultiSelect": {"options", "default", "rawValues", "setValue", "placeholder"},
    "Dataframe": None,
    "VegaLiteChart": None,
    "ComponentInstance": None,
    "TextInput": {"default", "value", "placeholder"},
    "TextArea": {"default", "value", "placeholder"},
}


def _plant(engine) -> int:
    """Give every territory, commune, organisation and project a hostile name (kept distinct by its
    key, the Roubaisien territory's being the bare hostile text); the id of a Roubaix project in progress."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE territory SET name = code || ' ' || :n"), {"n": HOSTILE})
        conn.execute(text("UPDATE territory SET name = :n WHERE code = 'roubaisien'"), {"n": HOSTILE})
        conn.execute(text("UPDATE commune SET name = 'Commune ' || insee_code || ' ' || :n"), {"n": HOSTILE})
        conn.execute(text("UPDATE organisation SET name = 'Structure ' || id || ' ' || :n"), {"n": HOSTILE})
        conn.execute(text("UPDATE project SET title = 'Projet ' || id || ' ' || :n"), {"n": HOSTILE})
        return conn.execute(
            text("SELECT MIN(id) FROM project WHERE commune_code = '59512' AND status NOT IN ('realise', 'abandonne')")
        ).scalar_one()


def _markdown_texts(node, path: str = ""):
    """(where, text) of every Markdown-rendered field under ``node`` of an AppTest tree."""
    proto = getattr(node, "proto", None)
    if proto is not None:
        kind = type(proto).__name__
        skipped = PLAIN.get(kind, set())
        if skipped is not None:
            shown = {k: v for k, v in MessageToDict(proto).items() if k not in skipped}
            yield f"{path}/{kind}", str(shown)
    for key, child in (getattr(node, "children", None) or {}).items():
        yield from _markdown_texts(child, f"{path}/{key}")


def _around(value: str, active: str) -> str:
    at = value.index(active)
    return value[max(0, at - 80) : at + 40]


def _runs(make, page: str, params: dict):
    """(where, AppTest) of ``page`` with ``params``: its folded forms unfolded, then each of its tabs."""
    at = make(page, state=UNFOLDED.get(page), **params)
    yield (page, params), at
    if page in TAB_KEYS:
        for label in [tab.label for tab in at.tabs][1:]:
            at.session_state[TAB_KEYS[page]] = label
            yield (page, params, label), at.run()


def _check(runs, *, named: bool = True) -> None:
    """No run shows active Markdown from the names; if ``named``, at least one shows a name, escaped."""
    leaks, shown = [], False
    for where_run, at in runs:
        assert not at.exception, (where_run, [e.message for e in at.exception])
        for where, value in _markdown_texts(at._tree):
            shown = shown or ESCAPED in value
            leaks += [(where_run, where, _around(value, active)) for active in ACTIVE if active in value]
    assert not leaks, "\n".join(map(str, leaks))
    assert shown or not named, "the hostile names should be shown somewhere, escaped"


@pytest.mark.parametrize("page", [p.script for p in (*PAGES, *PUBLIC_PAGES)])
def test_hostile_names_reach_no_page_as_markdown(writable_app, page):
    make, engine = writable_app
    project = _plant(engine)
    everywhere = {"territoire": "roubaisien", "commune": "59512", "projet": str(project)}
    # Accès, Évaluation and Questionnaires name places and projects only in their select boxes and tables,
    # which are not Markdown; the answer page, without a link, names nothing.
    quiet = ("pages/acces.py", "pages/evaluation.py", "pages/questionnaires.py", "pages/reponse.py")
    _check((run for params in ({}, everywhere) for run in _runs(make, page, params)), named=page not in quiet)


def test_hostile_names_reach_no_view_of_the_presentation(writable_app):
    make, engine = writable_app
    _plant(engine)

    def views():
        at = make("pages/presentation.py", territoire="roubaisien")
        next(b for b in at.button if b.label == "Lancer la présentation").click().run()
        while True:
            yield at.session_state["slide"], at
            forward = next(b for b in at.button if b.label.startswith("Suivant"))
            if forward.disabled:
                return
            forward.click().run()

    _check(views())
