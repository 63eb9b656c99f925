"""Streamlit's own English words, in French, on every page (and the shared mode's login page).

Streamlit's frontend writes some words itself, in English, with no parameter to change them: the
file uploader (« Drag and drop file here », « Limit … per file », its « Upload » button and its
client-side « File must be … or smaller. »), a form's « Press Enter to submit form », the select
boxes' « No results », the tables' « Select all » and the « Help for … » labels of help icons.
Where Streamlit has a parameter the pages use it (``placeholder=`` of select boxes and tables);
for the rest, :func:`install` puts a small script in the page (``st.html`` with its JavaScript
allowed: not in a frame, so it reaches the app's document) whose ``MutationObserver`` rewrites
these texts, and the ``aria-label``/``title``/``placeholder`` attributes, as soon as they appear.

:data:`TEXTS` and :data:`ATTRIBUTES` are the one translation table: a whole text (or attribute)
matching an English pattern becomes the French words, with the pattern's groups kept (a size's
unit said the French way). ``tests/browser/test_french.py`` walks every page and checks a person
sees none of the English defaults.
"""

from __future__ import annotations

import json

import streamlit as st

# Streamlit writes sizes as « 100.0MB »: a limit (counted in 1024s) becomes « 100 Mio »; a chosen
# file's own size (counted in 1000s) becomes « 104,9 Mo ».
UNITS = {"B": "o", "KB": "Kio", "MB": "Mio", "GB": "Gio"}
DECIMAL = {"B": "o", "KB": "ko", "MB": "Mo", "GB": "Go"}
SIZE = r"(?<amount>\d+(?:\.\d+)?)\s?(?<unit>B|KB|MB|GB)"  # JavaScript's named groups

# (JavaScript regular expression of a whole text, French replacement; $1, $2… its groups, a size as
# $size, or $decimal, when the pattern has one).
TEXTS: tuple[tuple[str, str], ...] = (
    (r"^Drag and drop (a )?file here$", "Glissez-déposez le fichier ici"),
    (r"^Drag and drop files here$", "Glissez-déposez les fichiers ici"),
    (r"^Drag and drop directories here$", "Glissez-déposez les dossiers ici"),
    (rf"^(?:Limit )?{SIZE} per file$", "$size au plus par fichier"),
    (rf"^{SIZE}$", "$decimal"),  # a chosen file's size
    (r"^Upload$", "Choisir un fichier"),
    (r"^Upload directories$", "Choisir un dossier"),
    (r"^Browse files$", "Choisir un fichier"),
    (rf"^File must be {SIZE} or smaller\.$", "Le fichier doit faire $size au plus."),
    (r"^File type must be (.*)\.$", "Le type du fichier doit être : $1."),
    (r"^(.*) files are not allowed\.$", "Les fichiers $1 ne sont pas acceptés."),
    (r"^File size is too small\.$", "Le fichier est trop petit."),
    (r"^Only one file is allowed\.$", "Un seul fichier à la fois."),
    (r"^Unexpected error\. Please try again\.$", "Erreur inattendue : veuillez réessayer."),
    (r"^Press Enter to submit form$", "Appuyez sur Entrée pour valider le formulaire"),
    (r"^Press Enter to apply$", "Appuyez sur Entrée pour appliquer"),
    (r"^Press (?:⌘|Ctrl)\+Enter to submit form$", "Appuyez sur Ctrl+Entrée pour valider le formulaire"),
    (r"^Press (?:⌘|Ctrl)\+Enter to apply$", "Appuyez sur Ctrl+Entrée pour appliquer"),
    (r"^Select all$", "Tout sélectionner"),
    (r"^Select (\d+) matches$", "Sélectionner les $1 résultats"),
    (r"^No results$", "Aucun résultat"),
    (r"^Choose an option$", "Choisir…"),
    (r"^Choose options$", "Choisir…"),
    (r"^Error: (.*)$", "Erreur : $1"),
    (r"^Error:?$", "Erreur :"),
)
# The same for the attributes a screen reader or a tooltip says.
ATTRIBUTES: tuple[tuple[str, str], ...] = (
    (r"^Help for (.+)$", "Aide : $1"),
    (r"^Help$", "Aide"),
    (r"^Selectbox options$", "Options"),
    (r"^file upload$", "Fichier à envoyer"),
    (r"^Remove (.+)$", "Retirer $1"),
    (rf"^(.+), {SIZE}$", "$1, $decimal"),  # a chosen file: its name and size
    *TEXTS,
)
WATCHED = ("aria-label", "title", "placeholder")

SCRIPT = """
<span id="essdash-french" hidden></span>
<style>.stElementContainer:has(#essdash-french) { display: none; }</style>
<script>
(() => {
  if (window.essdashFrench) return;
  const compile = (table) => table.map(([pattern, french]) => [new RegExp(pattern), french]);
  const texts = compile(%(texts)s), attributes = compile(%(attributes)s);
  const units = %(units)s, decimal = %(decimal)s;
  const watched = %(watched)s;
  const say = (value, table) => {
    for (const [pattern, french] of table) {
      const found = value.match(pattern);
      if (!found) continue;
      const {amount, unit} = found.groups ?? {};
      const size = (names) => (amount ? `${Number(amount).toLocaleString('fr-FR')} ${names[unit]}` : '');
      return french.replace('$size', size(units)).replace('$decimal', size(decimal))
        .replace(/\\$(\\d)/g, (_, n) => found[Number(n)] ?? '');
    }
    return null;
  };
  const text = (node) => {
    const english = node.nodeValue.trim();
    if (!english) return;
    const french = say(english, texts);
    if (french !== null) node.nodeValue = node.nodeValue.replace(english, french);
  };
  const attribute = (element, name) => {
    const english = element.getAttribute(name);
    const french = english && say(english.trim(), attributes);
    if (french) element.setAttribute(name, french);
  };
  const tree = (root) => {
    if (root.nodeType === Node.TEXT_NODE) return text(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) text(walker.currentNode);
    for (const element of [root, ...root.querySelectorAll('[' + watched.join('],[') + ']')])
      for (const name of watched) if (element.hasAttribute(name)) attribute(element, name);
  };
  window.essdashFrench = new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === 'characterData') text(change.target);
      else if (change.type === 'attributes') attribute(change.target, change.attributeName);
      else change.addedNodes.forEach(tree);
    }
  });
  window.essdashFrench.observe(document.body, {
    childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: watched,
  });
  tree(document.body);
})();
</script>
"""


def _js(value) -> str:
    """``value`` as a JavaScript literal with no « < » (DOMPurify drops a script that holds one, such
    as a regular expression's named group)."""
    return json.dumps(value).replace("<", "\\u003c")


def install() -> None:
    """Put the script that says Streamlit's English words in French into the page (once per run:
    the script starts its observer only once per browser tab)."""
    script = SCRIPT % {
        "texts": _js(TEXTS),
        "attributes": _js(ATTRIBUTES),
        "units": _js(UNITS),
        "decimal": _js(DECIMAL),
        "watched": _js(WATCHED),
    }
    st.html(script, unsafe_allow_javascript=True)
