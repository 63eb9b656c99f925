"""How large a file people may send, said once.

The server's upload limit (``server.maxUploadSize`` in ``.streamlit/config.toml``, which a test
compares), the uploaders' captions, the spreadsheet reader, the plan reader and the restore all read
their numbers here. The server takes files up to the largest of them (a restore's); each reader then
refuses in French a file above its own, smaller limit, so nobody meets the server's English refusal
for a file within what the page announces.
"""

from __future__ import annotations

MIB = 1024 * 1024
IMPORT_MIB = 20  # a partner's CSV or XLSX (100 000 rows at most besides)
RESTORE_MIB = 100  # a backup to restore: a demo base ×100 is about 18 Mio (SQLite copy)
PLAN_KIB = 512  # an action plan, YAML or XLSX (data/plan.yaml, the 2011-2014 plan, is 85 Kio)
UPLOAD_MIB = max(IMPORT_MIB, RESTORE_MIB)  # what the server takes, the largest of the above

IMPORT_BYTES = IMPORT_MIB * MIB
RESTORE_BYTES = RESTORE_MIB * MIB
PLAN_BYTES = PLAN_KIB * 1024


def at_most(size_mib: int) -> str:
    """« 20 Mio au plus », the words every uploader's caption and refusal use."""
    return f"{size_mib} Mio au plus"
