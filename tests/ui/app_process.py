"""A second app process for the tests: the real entry point (``app.py``) run by AppTest in a process of
its own, with its own caches, on the base of ``DATABASE_URL``, driven by JSON lines on its standard input.

Commands (one JSON object a line; one JSON answer a line):
- ``{"open": "pages/projets.py"}``: a session opens the page; answers its register caption;
- ``{"rerun": true}``: the same session runs the page again; answers the caption;
- ``{"propose": "Titre"}``: the session registers a new proposal with the page's form; answers the
  messages the page shows.
"""

from __future__ import annotations

import json
import sys

from streamlit.testing.v1 import AppTest

from tests.conftest import APP


def caption(at: AppTest) -> str:
    """The register's caption of Projets: « 190 projets · toute la métropole · … »."""
    return next(c.value for c in at.caption if " projet" in c.value and "engagés" in c.value)


def propose(at: AppTest, title: str) -> dict:
    """Fill the new-proposal form (Wavrin, fiche III.4) and submit it."""
    at.session_state["p_new_open"] = True
    at.run()
    texts = {t.label: t for t in at.text_input}
    texts["Titre du projet *"].input(title)
    texts["Porteur (structure) *"].input("Association du second processus")
    at.text_input(key="sig-new-project").input("Claire Martin")
    at.selectbox(key="sig-new-project-role").select("mission ESS")
    next(s for s in at.selectbox if s.label == "Commune principale *").set_value("59653")
    next(m for m in at.multiselect if m.label == "Fiches du plan servies *").set_value(["III.4"])
    next(b for b in at.button if b.label == "Enregistrer la proposition").click().run()
    return {"errors": [e.value for e in at.error], "success": [s.value for s in at.success]}


def main() -> None:
    at: AppTest | None = None
    for line in sys.stdin:
        command = json.loads(line)
        if "open" in command:
            at = AppTest.from_file(APP, default_timeout=120)
            at.switch_page(command["open"]).run()
            answer: dict = {"caption": caption(at)}
        elif "rerun" in command and at is not None:
            answer = {"caption": caption(at.run())}
        elif "propose" in command and at is not None:
            answer = propose(at, command["propose"])
        else:
            answer = {"error": f"commande inconnue : {command}"}
        print(json.dumps(answer, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
