"""/api/reminders: a conversation's reminders, and marking one done."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from assistant.core.reminders.delivery import mark_done
from assistant.web.dependencies import RemindersDep
from assistant.web.schemas import NOT_FOUND_OR_INVALID, ConversationId

router = APIRouter(prefix="/api/reminders", tags=["reminders"])


@router.get("", responses=NOT_FOUND_OR_INVALID)
def list_reminders(
    reminders: RemindersDep, conversation_id: Annotated[ConversationId, Query()]
) -> dict[str, Any]:
    return {"reminders": [r.to_json() for r in reminders.for_conversation(conversation_id)]}


@router.post("/{reminder_id}/done", responses=NOT_FOUND_OR_INVALID)
def reminder_done(reminder_id: str, reminders: RemindersDep) -> dict[str, Any]:
    return mark_done(reminders, reminder_id, datetime.now(UTC)).to_json()
