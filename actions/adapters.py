"""What every action needs: the core's data, the tracker's facts, and how to speak."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.core.access import Principal, principal_from_metadata
from assistant.core.authorities import AuthorityDirectory, load_authorities
from assistant.core.authority_choice import ask_for_authority
from assistant.core.replies import Reply
from assistant.core.timescales.dates import DateParseError, parse_date
from assistant.settings import Settings

# The slot engine/expected_reply.py reads: the action that asked the question just put, to
# which a date in the next message goes back whatever the classifier makes of it.
EXPECTED_REPLY_SLOT = "expected_reply"


@cache
def authority_directory() -> AuthorityDirectory:
    """Loaded on first use, not at import, and then kept for the life of the action server."""
    return load_authorities(Settings().knowledge_dir)


def latest_user_metadata(tracker: Tracker) -> dict[str, Any]:
    """Metadata the channel sent with the latest user message (the web app sends the authority)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata") or {}
            return metadata if isinstance(metadata, dict) else {}
    return {}


# Said instead of opening plans, reminders or progress for a turn that names nobody.
NOBODY_SIGNED_IN = (
    "I can only open plans, reminders and learning progress in the assistant's chat page or "
    "in Teams, where I know who you are. Sign in there and ask again."
)


def turn_principal(tracker: Tracker) -> Principal | None:
    """Who sent the latest message: set by the web app (or Teams) from the signed-in request,
    in the message metadata, where message text cannot put it. None for a turn that did not
    come through them (the engine used directly): nobody, who may open nobody's data."""
    return principal_from_metadata(latest_user_metadata(tracker))


def principal_or_refuse(dispatcher: CollectingDispatcher, tracker: Tracker) -> Principal | None:
    """The turn's principal; without one, say why nothing personal can be opened."""
    principal = turn_principal(tracker)
    if principal is None:
        send(dispatcher, Reply(NOBODY_SIGNED_IN))
    return principal


def conversation_authority(tracker: Tracker) -> str | None:
    """The authority the worker picked in their channel, else the one chosen in conversation."""
    from_channel = latest_user_metadata(tracker).get("authority")
    if isinstance(from_channel, str) and from_channel:
        return from_channel
    slot = tracker.get_slot("authority")
    return slot if isinstance(slot, str) and slot else None


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send a core reply as one custom message, so text, buttons and citations stay together."""
    dispatcher.utter_message(json_message=reply.to_json())


def message_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def authority_or_ask(dispatcher: CollectingDispatcher, tracker: Tracker) -> str | None:
    """The conversation's authority; without one, ask for it rather than guess."""
    authority = conversation_authority(tracker)
    if authority is not None and authority in authority_directory().ids:
        return authority
    send(dispatcher, ask_for_authority(authority_directory()))
    return None


def slot_date(tracker: Tracker, slot: str) -> date | None:
    """A date slot's value as a date; None when it is missing or unreadable."""
    value = tracker.get_slot(slot)
    if not isinstance(value, str):
        return None
    try:
        return parse_date(value, Settings().current_date()).when
    except DateParseError:
        return None
