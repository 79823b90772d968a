"""Delivers reminders as they fall due, from inside the web app, every few seconds.

Several app instances may run it at once: each reminder is claimed by a compare-and-set in
the store before it is sent, so it is said once. Reminders live in the database, so a
restart or a redeploy loses none; one due while the app was down is said as missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from fastapi.concurrency import run_in_threadpool

from assistant.core.reminders.delivery import (
    DeliveryReport,
    Messenger,
    OwnerCheck,
    ReminderRepository,
    deliver_due,
)
from assistant.core.reminders.model import Channel
from assistant.core.replies import Reply
from assistant.core.transcript import ASSISTANT, Transcript, TranscriptEntry
from assistant.web.security_log import background_event

log = logging.getLogger(__name__)


class TranscriptMessenger:
    """The web chat's delivery: the reminder joins the conversation's history, which the page
    shows when it is opened (and checks for while open)."""

    def __init__(self, transcript: Transcript) -> None:
        self._transcript = transcript

    async def send(self, conversation_id: str, replies: list[Reply]) -> bool:
        now = datetime.now(UTC)
        entries = [TranscriptEntry(conversation_id, ASSISTANT, r.to_json(), now) for r in replies]
        await run_in_threadpool(self._transcript.append, entries)
        return True


class NoTeamsMessenger:
    """Teams is not configured: a Teams reminder cannot be delivered (reported as such)."""

    async def send(self, conversation_id: str, replies: list[Reply]) -> bool:
        log.warning("Teams is off: a reminder for %s was not delivered", conversation_id)
        return False


@dataclass
class ReminderScheduler:
    repository: ReminderRepository
    messengers: Mapping[Channel, Messenger]
    managers: Mapping[str, Sequence[str]]
    today: Callable[[], date]
    poll_seconds: float
    # Whether each reminder's owner may still see what it refers to, asked on the day.
    check: OwnerCheck

    async def run_once(self) -> DeliveryReport:
        report = await deliver_due(
            self.repository,
            self.messengers,
            self.managers,
            self.today(),
            datetime.now(UTC),
            self.check,
        )
        for reminder_id, reason in report.withheld:
            # The reminder's id (random, and the key to find it) and why: no conversation id,
            # subject, label or date.
            background_event("reminder_withheld", reminder=reminder_id, reason=reason.value)
        if report.sent or report.missed:
            log.info(
                "reminders: %d sent, %d missed, %d managers told, %d undelivered",
                len(report.sent),
                len(report.missed),
                len(report.managers_told),
                len(report.undelivered),
            )
        return report

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # a database blip must not stop reminders for good
                log.exception("reminder delivery failed; trying again next time")
            await asyncio.sleep(self.poll_seconds)
