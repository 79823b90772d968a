"""POST /api/chat: one worker message in, the assistant's messages out."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.web.dependencies import ConversationDep
from assistant.web.schemas import ChatRequest, ChatResponse, ErrorOut, MessageOut

router = APIRouter(prefix="/api", tags=["chat"])


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
async def chat(request: ChatRequest, conversation: ConversationDep) -> ChatResponse:
    replies = await conversation.turn(request.conversation_id, request.message, request.authority)
    return ChatResponse(
        conversation_id=request.conversation_id,
        messages=[MessageOut.model_validate(reply.to_json()) for reply in replies],
    )
