"""Which answers cited which sections, so a changed procedure can flag what relied on it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class CitationUse:
    conversation_id: str
    section_id: str
    section_hash: str
    cited_at: datetime


class CitationLog(Protocol):
    def record(self, uses: Sequence[CitationUse]) -> None: ...

    def citing(self, section_ids: Iterable[str]) -> list[CitationUse]: ...


def stale_citations(
    log: CitationLog, affected: Iterable[str], current_hashes: dict[str, str]
) -> list[CitationUse]:
    """Answers that cited a section whose wording has since changed or which is gone."""
    return [
        use
        for use in log.citing(affected)
        if current_hashes.get(use.section_id) != use.section_hash
    ]


def citation_uses(
    conversation_id: str,
    section_ids: Iterable[str],
    current_hashes: dict[str, str],
    now: datetime,
) -> list[CitationUse]:
    """What to record for one answer: each known cited section once, with its wording's hash."""
    unique = dict.fromkeys(s for s in section_ids if s in current_hashes)
    return [CitationUse(conversation_id, s, current_hashes[s], now) for s in unique]


class InMemoryCitationLog:
    """The fake for unit tests: same behaviour, no database."""

    def __init__(self) -> None:
        self.uses: list[CitationUse] = []

    def record(self, uses: Sequence[CitationUse]) -> None:
        self.uses.extend(uses)

    def citing(self, section_ids: Iterable[str]) -> list[CitationUse]:
        wanted = set(section_ids)
        return [u for u in self.uses if u.section_id in wanted]
