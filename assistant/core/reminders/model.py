"""A reminder of one date of an assessment, for one worker's conversation in one channel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    WEB = "web"
    TEAMS = "teams"


class ReminderStatus(StrEnum):
    PENDING = "pending"  # not yet due
    SENT = "sent"  # said on the day; waiting to be marked done
    DONE = "done"  # the worker marked it done
    MISSED = "missed"  # past and not done: the worker (and the manager, if asked) told


@dataclass(frozen=True)
class Reminder:
    id: str
    conversation_id: str
    channel: Channel
    authority: str
    label: str
    due: date
    referral_date: date
    copy_manager: bool = False
    plan_id: str | None = None
    status: ReminderStatus = ReminderStatus.PENDING
    sent_at: datetime | None = None

    def with_status(self, status: ReminderStatus, at: datetime | None = None) -> Reminder:
        return replace(self, status=status, sent_at=at or self.sent_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "channel": self.channel.value,
            "authority": self.authority,
            "label": self.label,
            "due": self.due.isoformat(),
            "referral_date": self.referral_date.isoformat(),
            "copy_manager": self.copy_manager,
            "plan_id": self.plan_id,
            "status": self.status.value,
        }


def new_reminder_id() -> str:
    return uuid.uuid4().hex[:12]


def channel_of(conversation_id: str) -> Channel:
    """Teams conversations' sender ids start with "teams:"; every other one is the web chat."""
    return Channel.TEAMS if conversation_id.startswith("teams:") else Channel.WEB
