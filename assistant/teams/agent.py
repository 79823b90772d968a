"""The Teams activity handler: take an activity in at once, answer it in the background.

Teams gives up on a request after 15 seconds and sends it again, and an engine turn with a
procedure search can take longer on a busy server. So a message is only recorded while the
request is open (the activity id, so that a retry is not answered twice; the conversation
reference, so that the answer can be sent later), the request is answered 202 at once, and the
turn runs in a background task that sends the replies through the Bot Connector as messages
replying to the user's (proactive sends, proactive.py).

The turn is `ConversationService.turn(sender_id, text, authority)`, the same call as
`POST /api/chat`, so a Teams conversation is held exactly like a web one; the sender id is one
per Teams user and conversation (identity.py) and the authority is the one configured for the
user's Teams tenant. Turns of one conversation run one after another, in the order received.
A button's payload (messageBack / Action.Submit `value.payload`) is sent as the message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.concurrency import run_in_threadpool
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ActivityHandler, TurnContext

from assistant.core.replies import Reply
from assistant.engine_client import EngineUnavailableError
from assistant.store.teams import SqlTeamsStore, StoredReference
from assistant.teams.dedupe import ActivityLedger
from assistant.teams.identity import TeamsIdentity, authority_for, identity_of, teams_principal
from assistant.teams.proactive import TeamsMessenger
from assistant.web.conversation import ConversationService
from assistant.web.schemas import MAX_MESSAGE_CHARS

logger = logging.getLogger(__name__)

ENGINE_DOWN_TEXT = (
    "The assistant is not available at the moment, so your last message was not answered. "
    "Please send it again in a few minutes. If a child is in immediate danger call 999 and "
    "tell your manager."
)
FAILED_TEXT = (
    "Something went wrong and your last message was not answered. Please send it again. "
    "If a child is in immediate danger call 999 and tell your manager."
)
TOO_LONG_TEXT = (
    f"That message is longer than {MAX_MESSAGE_CHARS} characters, so I have not read it. "
    "Please send a shorter one."
)
NOT_TEXT = "I can read typed messages only. Please type your question."


def message_text(activity: Activity) -> str:
    """A button's payload when the message came from one, else the typed text without the
    @mention of the bot (channels and group chats)."""
    value = activity.value
    if isinstance(value, dict):
        payload = value.get("payload")
        if isinstance(payload, str) and payload.strip():
            return payload.strip()
    return activity.remove_recipient_mention().strip()


class BackgroundTurns:
    """The background tasks answering messages, one conversation's after another."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    def start(self, key: str, work: Callable[[], Awaitable[None]]) -> None:
        task = asyncio.create_task(self._run(key, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, key: str, work: Callable[[], Awaitable[None]]) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await work()
        except Exception:
            logger.exception("Teams turn for %s failed", key)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key], self._locks[key]

    async def wait(self, timeout: float) -> None:
        """Let running turns finish (shutdown, tests); cancel what is left after `timeout`."""
        pending = set(self._tasks)
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=timeout)
        for task in late:
            task.cancel()
        if late:
            logger.warning("%d Teams turns cancelled at shutdown", len(late))
            await asyncio.gather(*late, return_exceptions=True)


class TeamsAgent(ActivityHandler):
    def __init__(
        self,
        conversation: ConversationService,
        store: SqlTeamsStore,
        messenger: TeamsMessenger,
        authority_by_tenant: dict[str, str],
        render: Callable[[Reply], Activity],
    ) -> None:
        self._conversation = conversation
        self._store = store
        self._ledger = ActivityLedger(store)
        self._messenger = messenger
        self._authority_by_tenant = authority_by_tenant
        self._render = render
        self.turns = BackgroundTurns()

    async def on_message_activity(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        activity = turn_context.activity
        identity = identity_of(activity)
        if activity.id and not await self._ledger.first_time(identity.conversation_id, activity.id):
            logger.info(
                "Teams activity %s taken in before (a retry): not answered again", activity.id
            )
            return
        reference = await self._remember(activity, identity)
        text = message_text(activity)
        reply_to = activity.id
        if not text or len(text) > MAX_MESSAGE_CHARS:
            notice = NOT_TEXT if not text else TOO_LONG_TEXT
            self.turns.start(
                identity.sender_id,
                lambda: self._deliver(reference, [Reply(notice)], reply_to),
            )
            return
        self.turns.start(
            identity.sender_id, lambda: self._answer(identity, text, reference, reply_to)
        )

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        # The app was added (or members changed): keep where to reach the conversation, so
        # that reminders can be sent before the worker's first message.
        activity = turn_context.activity
        await self._remember(activity, identity_of(activity), keep_activity_id=False)

    async def on_installation_update(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        activity = turn_context.activity
        await self._remember(activity, identity_of(activity), keep_activity_id=False)

    async def _remember(
        self, activity: Activity, identity: TeamsIdentity, *, keep_activity_id: bool = True
    ) -> dict[str, Any]:
        reference = activity.get_conversation_reference().model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        stored = dict(reference)
        stored.pop("activityId", None)  # a stored reference starts new messages
        await run_in_threadpool(
            self._store.save_reference,
            StoredReference(
                identity.sender_id,
                identity.tenant_id,
                str(activity.service_url or ""),
                stored,
                datetime.now(UTC),
            ),
        )
        return reference if keep_activity_id else stored

    async def _answer(
        self, identity: TeamsIdentity, text: str, reference: dict[str, Any], reply_to: str | None
    ) -> None:
        authority = authority_for(identity.tenant_id, self._authority_by_tenant)
        try:
            replies = await self._conversation.turn(
                identity.sender_id, text, authority, principal=teams_principal(identity, authority)
            )
        except EngineUnavailableError as error:
            logger.warning("Teams message from %s not answered: %s", identity.sender_id, error)
            replies = [Reply(ENGINE_DOWN_TEXT)]
        except Exception:
            logger.exception("Teams turn for %s failed", identity.sender_id)
            replies = [Reply(FAILED_TEXT)]
        await self._deliver(reference, replies, reply_to)

    async def _deliver(
        self, reference: dict[str, Any], replies: list[Reply], reply_to: str | None
    ) -> None:
        await self._messenger.send_activities(
            reference, [self._render(r) for r in replies], reply_to
        )
