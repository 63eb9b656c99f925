"""The kinds of import and their builders, by code (see :mod:`essdash.spreadsheet.columns`).

Natural keys (see the README): an organisation is its name; a project its title, carrier and
primary commune (its n° tells apart homonyms already in the base); a funding its project, funder,
year and type; an indicator value its indicator, semester and place. Organisations are checked and
written by :mod:`essdash.write.imports.organisations`, projects checked by
:mod:`essdash.write.imports.projects` and written by :mod:`essdash.write.imports.project_writes`,
fundings and indicator values by :mod:`essdash.write.imports.values`.
"""

from __future__ import annotations

from essdash.write.imports.organisations import Organisations
from essdash.write.imports.projects import Projects
from essdash.write.imports.values import Fundings, Measurements

BUILDERS = {b.kind.code: b for b in (Organisations, Projects, Fundings, Measurements)}
