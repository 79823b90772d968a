"""An in-memory transcript with the same contract as the SQL one."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime

from assistant.core.transcript import TranscriptEntry


class FakeTranscript:
    def __init__(self) -> None:
        self.stored: list[TranscriptEntry] = []

    def append(self, entries: Sequence[TranscriptEntry]) -> None:
        # Copies, as a database would keep: later changes to a body do not reach what is stored.
        self.stored.extend(
            TranscriptEntry(e.conversation_id, e.role, copy.deepcopy(e.body), e.created_at)
            for e in entries
        )

    def entries(self, conversation_id: str, limit: int | None = None) -> list[TranscriptEntry]:
        found = [e for e in self.stored if e.conversation_id == conversation_id]
        return found if limit is None else found[-limit:] if limit > 0 else []


class InMemoryTurnLedger:
    """The turn-key ledger (assistant/core/turns.py) in memory, with the SQL one's contract."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}

    def fingerprint_of(self, key: str) -> str | None:
        return self.keys.get(key)

    def record(self, key: str, fingerprint: str, now: datetime) -> bool:
        if key in self.keys:
            return False
        self.keys[key] = fingerprint
        return True

    def forget(self, key: str) -> None:
        self.keys.pop(key, None)
