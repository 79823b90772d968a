"""The audit log: for every answer, which conversation, when, and the procedure sections it
cited with their source versions; exported for a supervision record or an inspection.

It keeps no message text (that is purged with the conversation), only what the answer rested on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from assistant.core.replies import Reply

CSV_COLUMNS = (
    "answered_at",
    "conversation_id",
    "user",
    "authority",
    "section_id",
    "section_title",
    "section_authority",
    "source_version",
)


@dataclass(frozen=True)
class CitedSection:
    authority: str
    section_id: str
    title: str
    source_version: str


@dataclass(frozen=True)
class AuditEntry:
    conversation_id: str
    subject: str
    authority: str | None
    answered_at: datetime
    sections: tuple[CitedSection, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "answered_at": self.answered_at.isoformat(),
            "conversation_id": self.conversation_id,
            "user": self.subject,
            "authority": self.authority,
            "sections": [
                {
                    "authority": s.authority,
                    "section_id": s.section_id,
                    "title": s.title,
                    "source_version": s.source_version,
                }
                for s in self.sections
            ],
        }


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None: ...

    def entries(
        self,
        authority: str | None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 10_000,
    ) -> list[AuditEntry]:
        """Oldest first; `authority` None is every authority; `until` is exclusive."""
        ...


def audit_window(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole days in UTC, both inclusive, as the [start, end) that `AuditLog.entries` takes."""

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=UTC)

    start = None if since is None else start_of(since)
    end = None if until is None or until == date.max else start_of(until + timedelta(days=1))
    return start, end


def audit_entry(
    conversation_id: str,
    subject: str,
    authority: str | None,
    replies: Sequence[Reply],
    answered_at: datetime,
) -> AuditEntry:
    """One answer (all the replies of a turn), each cited section once."""
    unique: dict[tuple[str, str], CitedSection] = {}
    for reply in replies:
        for c in reply.citations:
            unique.setdefault(
                (c.authority, c.section_id),
                CitedSection(c.authority, c.section_id, c.title, c.source_version),
            )
    return AuditEntry(conversation_id, subject, authority, answered_at, tuple(unique.values()))


def audit_csv(entries: Sequence[AuditEntry]) -> str:
    """One row per cited section; an answer that cited nothing is one row with no section."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        base = [e.answered_at.isoformat(), e.conversation_id, e.subject, e.authority or ""]
        for s in e.sections or (None,):
            if s is None:
                writer.writerow([*base, "", "", "", ""])
            else:
                writer.writerow([*base, s.section_id, s.title, s.authority, s.source_version])
    return out.getvalue()


class InMemoryAuditLog:
    """The fake for unit tests."""

    def __init__(self) -> None:
        self.recorded: list[AuditEntry] = []

    def record(self, entry: AuditEntry) -> None:
        self.recorded.append(entry)

    def entries(
        self,
        authority: str | None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 10_000,
    ) -> list[AuditEntry]:
        found = [
            e
            for e in self.recorded
            if (authority is None or e.authority == authority)
            and (since is None or e.answered_at >= since)
            and (until is None or e.answered_at < until)
        ]
        return found[:limit]
