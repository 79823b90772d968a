"""A reminder of one date of an assessment, for one worker's conversation in one channel, and
whose it is: the principal who set it, checked again when it falls due (delivery.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from assistant.core.access import Principal, Role


class Channel(StrEnum):
    WEB = "web"
    TEAMS = "teams"


class ReminderStatus(StrEnum):
    PENDING = "pending"  # not yet due
    SENT = "sent"  # said on the day; waiting to be marked done
    DONE = "done"  # the worker marked it done
    MISSED = "missed"  # past and not done: the worker (and the manager, if asked) told
    # Not said, and never will be: when it fell due its owner could no longer see what it
    # refers to (or it has no owner: set before owners were recorded). See delivery.py.
    WITHHELD = "withheld"


@dataclass(frozen=True)
class ReminderOwner:
    """Who set the reminder: their subject (namespaced as everywhere: `oidc:<issuer>#<sub>`,
    `teams:<tenant>:<user>`, `developer`), their authority then, and how they signed in."""

    subject: str
    authority: str | None
    method: str

    @classmethod
    def of(cls, principal: Principal) -> ReminderOwner:
        return cls(principal.subject, principal.authority, principal.method)

    def as_principal(self) -> Principal:
        """The owner, for checking what they may see when the reminder falls due. As a
        practitioner whatever their role was: a reminder never sees more than its owner's own
        work, and the role is not what grants a plan or a conversation to its owner."""
        return Principal(self.subject, Role.PRACTITIONER, self.authority, self.method)


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
    # None only for a reminder set before owners were recorded (migration 0009): withheld.
    owner: ReminderOwner | None = None

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
