"""/api/reminders: a conversation's reminders, and marking one done.

A listing is one owner's: the reminders the conversation's owner set in it, shown to them and
to a manager of the same authority (who may read the conversation); never reminders someone
else set there, nor ones set before owners were recorded (they are withheld).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from assistant.core.reminders.delivery import ReminderNotFoundError, mark_done
from assistant.web.auth import PrincipalDep
from assistant.web.dependencies import ConversationDep, RemindersDep
from assistant.web.schemas import NOT_FOUND_OR_INVALID, ConversationId

router = APIRouter(prefix="/api/reminders", tags=["reminders"])


@router.get("", responses=NOT_FOUND_OR_INVALID)
async def list_reminders(
    reminders: RemindersDep,
    conversation: ConversationDep,
    principal: PrincipalDep,
    conversation_id: Annotated[ConversationId, Query()],
) -> dict[str, Any]:
    owner = await conversation.check_readable(conversation_id, principal)
    subject = owner.subject if owner is not None else principal.subject
    found = await run_in_threadpool(reminders.for_owner, subject, conversation_id)
    return {
        "reminders": [
            r.to_json() for r in found if principal.owns(subject) or principal.may_see(r.authority)
        ]
    }


@router.post("/{reminder_id}/done", responses=NOT_FOUND_OR_INVALID)
async def reminder_done(
    reminder_id: str,
    reminders: RemindersDep,
    conversation: ConversationDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    reminder = await run_in_threadpool(reminders.get, reminder_id)
    if not principal.may_see(reminder.authority):
        raise ReminderNotFoundError(reminder_id)
    await conversation.check_readable(reminder.conversation_id, principal)
    done = await run_in_threadpool(mark_done, reminders, reminder_id, datetime.now(UTC))
    return done.to_json()
