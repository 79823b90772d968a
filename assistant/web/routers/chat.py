"""POST /api/chat: one worker message in, the assistant's messages out; and the conversation
so far, for a page that is reloaded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from assistant.web.dependencies import ConversationDep
from assistant.web.schemas import (
    ChatRequest,
    ChatResponse,
    ConversationId,
    ErrorOut,
    HistoryMessageOut,
    HistoryOut,
    MessageOut,
)

router = APIRouter(prefix="/api", tags=["chat"])


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
async def chat(request: ChatRequest, conversation: ConversationDep) -> ChatResponse:
    replies = await conversation.turn(
        request.conversation_id, request.message, request.authority, request.learner_id
    )
    return ChatResponse(
        conversation_id=request.conversation_id,
        messages=[MessageOut.model_validate(reply.to_json()) for reply in replies],
    )


@router.get(
    "/chat/{conversation_id}/messages",
    response_model=HistoryOut,
    responses={422: {"model": ErrorOut}},
)
async def history(
    conversation_id: Annotated[ConversationId, Path()], conversation: ConversationDep
) -> HistoryOut:
    """The conversation's messages so far, oldest first; none for an id never used."""
    entries = await conversation.history(conversation_id)
    return HistoryOut(
        conversation_id=conversation_id,
        messages=[
            HistoryMessageOut.model_validate({**e.body, "role": e.role, "created_at": e.created_at})
            for e in entries
        ],
    )
