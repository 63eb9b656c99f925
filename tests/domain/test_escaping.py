"""``md_escape``: user text shown exactly as typed in Streamlit Markdown, whatever directive it holds.

Two checks for every case of the table (one per Markdown or Streamlit directive):
- nothing that can open syntax survives: once the character references are taken out, none of
  the characters Markdown, GFM, LaTeX or Streamlit's directives start with is left, and no colon is
  directly followed by a letter (the pattern of ``:smile:``, ``:material/home:``, ``:red[…]``);
- the text the reader sees is the text typed: decoding the character references (as Markdown does)
  and dropping the invisible word joiners gives back the input, line breaks as spaces.
"""

from __future__ import annotations

import html
import re

import pytest

from essdash.domain.fmt import WORD_JOINER, md_escape

CASES = {
    "lien": "[Documents de séance : se reconnecter](https://evil.example/login)",
    "image": "![](http://127.0.0.1:9/p.gif)",
    "lien de référence": "[x][1]\n\n[1]: https://evil.example",
    "autolien": "<https://evil.example>",
    "URL nue": "https://evil.example/login?a=1&b=2",
    "www": "www.evil.example",
    "courriel": "contact@evil.example",
    "couleur": ":red[alerte]",
    "fond arc-en-ciel": ":rainbow-background[fête]",
    "badge": ":blue-badge[Nouveau]",
    "badge à icône": ":green-badge[:material/check: fait]",
    "icône material": ":material/home:",
    "émoji": ":smile: :+1:",
    "petit texte": ":small[petit]",
    "LaTeX": "$x^2$ et $$\\int f$$",
    "entité HTML": "&lt;b&gt;gras&lt;/b&gt; &amp; &#42;",
    "HTML": "<b>gras</b><script>alert(1)</script>",
    "titre": "# Titre",
    "titre souligné": "Titre\n===",
    "liste": "- a\n* b\n+ c\n1. d",
    "tableau": "| a | b |\n|---|---|\n| 1 | 2 |",
    "code": "`code` et ```bloc```",
    "emphase": "*a* **b** _c_ __d__ ~~e~~",
    "citation": "> citation",
    "barre oblique inverse": "C:\\dossier\\*fichier*",
    "saut de ligne": "a  \nb\r\nc",
    "texte ordinaire": "Association d'insertion « Le Panier », 2 500 € ; 12,5 %",
}
OPENERS = set("\\`*_{}[]()#+-.!|<>~$&:")


def _shown(escaped: str) -> str:
    """What Markdown shows for the escaped text: character references decoded, word joiners invisible."""
    return html.unescape(escaped).replace(WORD_JOINER, "")


@pytest.mark.parametrize("typed", CASES.values(), ids=CASES.keys())
def test_no_syntax_survives(typed):
    escaped = md_escape(typed)
    bare = re.sub(r"&#[0-9]+;", "", escaped)
    assert not OPENERS & set(bare), bare
    assert "\n" not in escaped and "\r" not in escaped
    assert not re.search(r"&#58;[A-Za-z0-9+\-]", escaped)


@pytest.mark.parametrize("typed", CASES.values(), ids=CASES.keys())
def test_the_text_shown_is_the_text_typed(typed):
    assert _shown(md_escape(typed)) == typed.replace("\r\n", " ").replace("\n", " ")


def test_plain_words_are_left_readable():
    assert md_escape("Association d'insertion « Le Panier »") == "Association d'insertion « Le Panier »"
    assert md_escape(12) == "12"
    assert md_escape("1.5") == "1&#46;5"
