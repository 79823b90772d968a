"""Teams sends an activity again when it has no answer within 15 seconds (and on network
errors). Each activity is taken in once: its id, with its conversation's (Teams message ids are
unique only within a conversation), is recorded in the app database, so a retry that reaches
another instance of the app, or this one after a restart, is acknowledged and not answered again.
Records older than a week are deleted (retries come within minutes)."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

from fastapi.concurrency import run_in_threadpool

from assistant.store.teams import SqlTeamsStore

KEEP_FOR = timedelta(days=7)
PRUNE_EVERY_SECONDS = 3600


def activity_key(conversation_id: str, activity_id: str) -> str:
    return hashlib.sha256(f"{conversation_id}\n{activity_id}".encode()).hexdigest()


class ActivityLedger:
    def __init__(self, store: SqlTeamsStore) -> None:
        self._store = store
        self._last_prune = float("-inf")

    async def first_time(self, conversation_id: str, activity_id: str) -> bool:
        """True when this activity had not been taken in before (and now is)."""
        now = datetime.now(UTC)
        if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = time.monotonic()
            await run_in_threadpool(self._store.forget_activities_before, now - KEEP_FOR)
        key = activity_key(conversation_id, activity_id)
        return await run_in_threadpool(self._store.claim_activity, key, now)
