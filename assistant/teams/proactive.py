"""Sending to a Teams conversation later, from its stored conversation reference.

Every Teams conversation the assistant has seen (a message, or the app being installed) has its
conversation reference stored in the app database (`teams_conversations`, keyed by the Rasa
sender id, which is also the conversation id the rest of the app uses), so a message can be sent
to it at any time, from any instance, after restarts. This is how answers are delivered (the
request that brought the question was answered at once, see agent.py) and how checkpoint
reminders reach a worker in Teams:

    messenger: TeamsMessenger = app.state.teams.messenger   # app.state.teams is None: Teams off
    delivered = await messenger.send(sender_id, [Reply("The 10-day checkpoint is tomorrow.")])

`send` returns False, and sends nothing, when there is no stored reference for the sender id,
when its service URL is not on the allow-list, or when the Bot Connector refuses the message (for
example because the user removed the app); the reason is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from fastapi.concurrency import run_in_threadpool
from microsoft_agents.activity import Activity, ConversationReference
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.fastapi import CloudAdapter

from assistant.core.replies import Reply
from assistant.store.teams import SqlTeamsStore

logger = logging.getLogger(__name__)


class TeamsMessenger:
    def __init__(
        self,
        adapter: CloudAdapter,
        store: SqlTeamsStore,
        app_id: str,
        render: Callable[[Reply], Activity],
    ) -> None:
        self._adapter = adapter
        self._store = store
        self._app_id = app_id
        self._render = render

    async def send(self, sender_id: str, replies: Sequence[Reply]) -> bool:
        """Send `replies` (text plus Adaptive Cards, as answers are) as new messages to the
        Teams conversation of `sender_id`. True when the Bot Connector accepted all of them."""
        stored = await run_in_threadpool(self._store.load_reference, sender_id)
        if stored is None:
            logger.info("No Teams conversation stored for %s: nothing sent", sender_id)
            return False
        return await self.send_activities(
            stored.reference, [self._render(r) for r in replies], reply_to=None
        )

    async def send_activities(
        self, reference: dict[str, Any], activities: list[Activity], reply_to: str | None
    ) -> bool:
        """Send through the CloudAdapter's proactive path (`continue_conversation`); with
        `reply_to` the messages answer that activity (POST .../activities/{reply_to})."""
        if not activities:
            return True
        conversation = ConversationReference.model_validate(reference)
        continuation = conversation.get_continuation_activity()
        continuation.id = reply_to  # None: new messages in the conversation

        async def deliver(context: TurnContext) -> None:
            await context.send_activities(activities)

        try:
            await self._adapter.continue_conversation(self._app_id, continuation, deliver)
        except PermissionError as error:  # ServiceUrlRefusedError, logged where refused
            logger.warning("Teams message not sent: %s", error)
            return False
        except Exception:  # the connector refused or could not be reached: say so, go on
            logger.exception(
                "Teams message to conversation %s not delivered", conversation.conversation.id
            )
            return False
        return True
