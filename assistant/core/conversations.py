"""Whose conversation it is. The first signed-in worker to use a conversation id owns it;
nobody else can continue it or read it (a manager of the same authority can read it)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from assistant.core.access import Principal

# Conversation ids other channels make for their own conversations (assistant/teams/identity.py):
# the web chat may neither start nor continue one.
OTHER_CHANNEL_PREFIXES = ("teams:",)


def is_other_channel_conversation(conversation_id: str) -> bool:
    return conversation_id.lower().startswith(OTHER_CHANNEL_PREFIXES)


class ConversationNotFoundError(LookupError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"There is no conversation {conversation_id!r} of yours.")
        self.conversation_id = conversation_id


@dataclass(frozen=True)
class ConversationOwner:
    conversation_id: str
    subject: str
    authority: str | None
    started_at: datetime
    last_active_at: datetime


class ConversationDirectory(Protocol):
    def claim(
        self, conversation_id: str, subject: str, authority: str | None, now: datetime
    ) -> ConversationOwner:
        """The conversation's owner: the existing one (its last activity moved to `now` when it
        is `subject`), or `subject`, recorded now, for a conversation nobody has used."""
        ...

    def owner(self, conversation_id: str) -> ConversationOwner | None: ...


def continue_conversation(
    directory: ConversationDirectory,
    principal: Principal,
    conversation_id: str,
    authority: str | None,
    now: datetime,
) -> ConversationOwner:
    """Claim the conversation for the principal, or ConversationNotFoundError when it is
    someone else's (as if it did not exist: the id says nothing about whose it is)."""
    owner = directory.claim(conversation_id, principal.subject, authority, now)
    if not principal.owns(owner.subject):
        raise ConversationNotFoundError(conversation_id)
    return owner


def readable_conversation(
    directory: ConversationDirectory, principal: Principal, conversation_id: str
) -> ConversationOwner | None:
    """The conversation's owner when the principal may read it; None for one never used;
    ConversationNotFoundError for someone else's."""
    owner = directory.owner(conversation_id)
    if owner is None:
        return None
    if not principal.may_read_conversation(owner.subject, owner.authority):
        raise ConversationNotFoundError(conversation_id)
    return owner


class InMemoryConversationDirectory:
    """The fake for unit tests."""

    def __init__(self) -> None:
        self.owners: dict[str, ConversationOwner] = {}

    def claim(
        self, conversation_id: str, subject: str, authority: str | None, now: datetime
    ) -> ConversationOwner:
        existing = self.owners.get(conversation_id)
        if existing is None:
            existing = ConversationOwner(conversation_id, subject, authority, now, now)
        elif existing.subject == subject:
            existing = replace(existing, last_active_at=now)
        else:
            return existing
        self.owners[conversation_id] = existing
        return existing

    def owner(self, conversation_id: str) -> ConversationOwner | None:
        return self.owners.get(conversation_id)
