"""Sections of a procedure: what a citation points at."""

from __future__ import annotations

from dataclasses import dataclass, field
from hashlib import sha256


@dataclass(frozen=True)
class Passage:
    """A paragraph with the list that follows it: the unit that retrieval scores."""

    text: str
    lines: tuple[int, ...]


@dataclass(frozen=True)
class Section:
    """A citable part of one authority's procedure, with a stable id `<authority>/<slug>`."""

    id: str
    authority: str
    title: str
    heading_path: tuple[str, ...]
    passages: tuple[Passage, ...]
    heading_lines: tuple[int, ...]
    source_version: str
    last_updated: str
    topics: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.passages)

    @property
    def lines(self) -> tuple[int, ...]:
        """Every source line this section holds, its heading lines included."""
        return tuple(sorted(self.heading_lines + tuple(n for p in self.passages for n in p.lines)))

    @property
    def content_hash(self) -> str:
        """Changes when the wording changes; used to report what a new version changed."""
        return sha256(f"{self.title}\n{self.text}".encode()).hexdigest()[:16]

    @property
    def slug(self) -> str:
        return self.id.split("/", 1)[1]
