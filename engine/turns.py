"""A turn sent twice with the same turn id is handled once (no Rasa imports: unit-tested alone).

Why a turn can arrive twice: the web app sends a turn to one engine and, if anything goes
wrong after the request was sent (the engine is killed, the read times out), answers 503
without sending it again, because it cannot know whether the engine handled it. The client
then resends the turn, which goes to the conversation's next engine if its own is down.

When that resend would duplicate the turn: Rasa 3.6 handles a message in
`MessageProcessor.handle_message` and writes the tracker once, at the end (`save_tracker`,
one SQL transaction holding the user event, the actions and the bot messages of the turn).
So a turn is in the tracker store completely or not at all:

- the engine died before that commit: the transaction is rolled back, the tracker does not
  hold the turn, and the resend is its first handling (side effects an action had already
  made in the app's own store, e.g. a plan version, are made again);
- the engine died after the commit but before its HTTP answer left: the tracker holds the
  turn, and handling the resend again would append a second user event and answer twice.

The second window is short (microseconds to a few milliseconds) but real. So the web app
sends the client's turn id (POST /api/chat's Idempotency-Key) in the message metadata, Rasa
stores it on the turn's user event, and the engine's channel, holding the conversation's lock
(the same lock Rasa's own handling takes, from the lock store shared by all engines), first
looks in the tracker store for a user event with that id: if there is one, it answers with
the bot messages that followed it, and handles nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

logger = logging.getLogger(__name__)

# The metadata key the web app puts the turn id under (assistant/engine_client.py).
TURN_ID_KEY = "turn_id"


def turn_id_of(metadata: Mapping[str, Any] | None) -> str | None:
    value = metadata.get(TURN_ID_KEY) if isinstance(metadata, Mapping) else None
    return value if isinstance(value, str) and value else None


def earlier_answer(events: Iterable[Any], turn_id: str) -> list[Any] | None:
    """The bot events answering the user event that carries `turn_id`, in order; None when
    the tracker holds no such turn (it has not been handled).

    Events are Rasa's (anything with `type_name` and `metadata`): a turn's answer is every
    `bot` event after its `user` event up to the next `user` event.
    """
    answer: list[Any] = []
    found = False
    for event in events:
        kind = getattr(event, "type_name", None)
        if kind == "user":
            if found:
                break
            found = turn_id_of(getattr(event, "metadata", None)) == turn_id
        elif kind == "bot" and found:
            answer.append(event)
    return answer if found else None


async def handle_once(agent: Any, message: Any, handle: Callable[[Any], Awaitable[Any]]) -> None:
    """Handle `message` (a Rasa UserMessage) unless the tracker already holds its turn.

    What Rasa's Agent.handle_message does (the conversation's lock from the lock store, then
    the processor), with the tracker store read first, inside the lock, so that no other
    engine can be saving the turn between the look and the handling. A message without a
    turn id, or an agent not ready, goes to `handle` (Rasa's own path) unchanged.
    """
    turn_id = turn_id_of(message.metadata)
    if turn_id is None or agent is None or not agent.is_ready():
        await handle(message)
        return
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        earlier = earlier_answer(tracker.events if tracker is not None else (), turn_id)
        if earlier is None:
            await agent.processor.handle_message(message)
            return
        logger.warning(
            "Turn %s of %s was already handled: answered from the tracker, not handled again",
            turn_id,
            message.sender_id,
        )
        for event in earlier:
            # How Rasa's processor sends a bot event to the channel (_send_bot_messages).
            await message.output_channel.send_response(message.sender_id, event.message())
