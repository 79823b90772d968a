"""What a new version of a procedure changed, by section id."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.core.procedures.model import Section

SNAPSHOT_FILE = "sections.lock.json"


@dataclass(frozen=True)
class SectionChanges:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def affected(self) -> tuple[str, ...]:
        """Sections whose earlier citations may no longer say what the text says."""
        return self.removed + self.changed

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def fingerprints(sections: Iterable[Section]) -> dict[str, str]:
    return {s.id: s.content_hash for s in sections}


def diff(before: Mapping[str, str], after: Mapping[str, str]) -> SectionChanges:
    return SectionChanges(
        added=tuple(sorted(set(after) - set(before))),
        removed=tuple(sorted(set(before) - set(after))),
        changed=tuple(sorted(i for i in set(before) & set(after) if before[i] != after[i])),
    )


def read_snapshot(knowledge_dir: Path) -> dict[str, str]:
    """Section id → content hash as last ingested; empty when nothing was ingested yet."""
    path = knowledge_dir / SNAPSHOT_FILE
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data["sections"].items()}


def write_snapshot(knowledge_dir: Path, sections: Iterable[Section]) -> None:
    body = {
        "about": "Written by `assistant kb ingest`; do not edit. Section id -> content hash.",
        "sections": dict(sorted(fingerprints(sections).items())),
    }
    (knowledge_dir / SNAPSHOT_FILE).write_text(json.dumps(body, indent=1) + "\n", "utf-8")
