"""The backup files kept in a folder, on either store: ``STEM-YYYYMMDD-HHMMSS-ffffff-REASON.SUFFIX``."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path


def listed(target_dir: Path, stem: str, suffix: str) -> list[dict]:
    """The backups of the database ``stem`` in ``target_dir``, newest first: path, name, moment,
    reason, size in bytes."""
    name = re.compile(rf"^(?P<stem>.+)-(?P<stamp>\d{{8}}-\d{{6}}-\d{{6}})-(?P<reason>[a-z0-9-]+){re.escape(suffix)}$")
    found = []
    for path in target_dir.glob(f"{glob_escape(stem)}-*{suffix}") if target_dir.is_dir() else ():
        match = name.match(path.name)
        if match and match["stem"] == stem:
            try:
                size = path.stat().st_size
            except FileNotFoundError:  # rotated away meanwhile by another writer's backup
                continue
            found.append(
                {
                    "path": path,
                    "name": path.name,
                    "reason": match["reason"].replace("-", " "),
                    "taken_at": datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S-%f"),
                    "size": size,
                }
            )
    return sorted(found, key=lambda b: b["taken_at"], reverse=True)


def glob_escape(text: str) -> str:
    """``text`` with the glob pattern characters taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", text)
