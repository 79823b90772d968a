"""What was said in a conversation, as the worker saw it, so that a channel can show it again
(the web chat after a reload). Only turns the engine answered are kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from assistant.core.replies import Reply

Role = Literal["worker", "assistant"]
WORKER: Role = "worker"
ASSISTANT: Role = "assistant"

# How far back to look for the buttons a worker's message may have come from.
RECENT_ENTRIES = 20


@dataclass(frozen=True)
class TranscriptEntry:
    """One message: the worker's (`{"text"}`, with `"payload"` when it was a button) or the
    assistant's, as the chat API returns it (text, buttons, citations, timescales, plan…)."""

    conversation_id: str
    role: Role
    body: dict[str, Any]
    created_at: datetime


class Transcript(Protocol):
    def append(self, entries: Sequence[TranscriptEntry]) -> None:
        """Add the entries after the conversation's earlier ones, in the order given."""
        ...

    def entries(self, conversation_id: str, limit: int | None = None) -> list[TranscriptEntry]:
        """The conversation's latest `limit` entries (all when None), oldest first; an unknown
        conversation has none."""
        ...


def worker_body(message: str, recent: Sequence[TranscriptEntry]) -> dict[str, Any]:
    """The worker's message as it was shown: a quick reply is sent as its button's payload
    ("/affirm") but shown as its title ("Yes, she is"), so the title is kept as the text."""
    offered: list[dict[str, Any]] = []
    for entry in reversed(recent):
        if entry.role == WORKER:
            break
        buttons = entry.body.get("buttons")
        if isinstance(buttons, list):
            offered.extend(b for b in buttons if isinstance(b, dict))
    for button in offered:
        if button.get("payload") == message and isinstance(button.get("title"), str):
            return {"text": button["title"], "payload": message}
    return {"text": message}


def turn_entries(
    conversation_id: str,
    message: str,
    replies: Sequence[Reply],
    recent: Sequence[TranscriptEntry],
    received_at: datetime,
    answered_at: datetime,
) -> list[TranscriptEntry]:
    """What one answered turn adds to the transcript: the worker's message, then the replies."""
    return [
        TranscriptEntry(conversation_id, WORKER, worker_body(message, recent), received_at),
        *(TranscriptEntry(conversation_id, ASSISTANT, r.to_json(), answered_at) for r in replies),
    ]
