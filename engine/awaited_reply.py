"""Which action is waiting for the worker's reply (no Rasa imports: unit-tested alone).

An action that asks a question ("When did the referral come in?") sets the slot
`expected_reply` to its own name. The engine's ExpectedReplyPolicy (engine/expected_reply.py)
reads the conversation's events, newest first, as Rasa's event dictionaries, through these
functions. Only the bot turn right before the latest user message counts, so an old question
never captures a later message; they stop reading at the second user message back, so a
turn's cost does not grow with the conversation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

SLOT = "expected_reply"
LISTEN = "action_listen"


def awaiting_action(newest_first: Iterable[Mapping[str, Any]]) -> str | None:
    """The action that asked for the latest user message, if the bot turn before it did."""
    seen_latest_user = False
    for event in newest_first:
        kind = event.get("event")
        if kind == "user":
            if seen_latest_user:
                return None
            seen_latest_user = True
        elif seen_latest_user and kind == "slot" and event.get("name") == SLOT:
            value = event.get("value")
            return str(value) if value else None
    return None


def answered_by(newest_first: Iterable[Mapping[str, Any]], policy: str) -> bool:
    """Whether the latest action was `policy`'s answer to the latest user message."""
    for event in newest_first:
        kind = event.get("event")
        if kind == "action":
            return event.get("name") != LISTEN and policy in str(event.get("policy") or "")
        if kind == "user":
            return False
    return False


def should_take(
    awaiting: str | None,
    entities: Iterable[Mapping[str, Any]],
    intent: str | None,
    answer_entity: str,
    never_for_intents: Iterable[str],
) -> bool:
    """A reply holding the entity asked for goes back to the asking action, unless it is a
    safety message or a wish to start again, which their own rules answer first."""
    if awaiting is None or intent in set(never_for_intents):
        return False
    return any(e.get("entity") == answer_entity for e in entities)
