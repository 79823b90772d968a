"""POST /api/chat: one worker message in, the assistant's messages out; and the conversation
so far, for a page that is reloaded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path

from assistant.core.conversations import ConversationNotFoundError, is_other_channel_conversation
from assistant.web.auth import PrincipalDep
from assistant.web.dependencies import ChatRateDep, ConversationDep
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
    responses={
        404: {"model": ErrorOut},
        409: {"model": ErrorOut, "description": "The Idempotency-Key was used for other text."},
        422: {"model": ErrorOut},
        429: {"model": ErrorOut},
        503: {"model": ErrorOut},
    },
)
async def chat(
    request: ChatRequest,
    conversation: ConversationDep,
    principal: PrincipalDep,
    rate: ChatRateDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=128,
            pattern=r"^[\w.:@-]+$",
            description="Optional, one per turn: a turn resent with the same key (after a 503) "
            "is answered once, from what the engine already did if it had handled it, and "
            "recorded once; the same key with other text is a 409.",
        ),
    ] = None,
) -> ChatResponse:
    rate.spend()  # only a valid request costs a message
    if is_other_channel_conversation(request.conversation_id):
        # Another channel's conversation (Teams) is never a web user's to start or continue;
        # answered as someone else's is, whether or not it exists.
        raise ConversationNotFoundError(request.conversation_id)
    replies = await conversation.turn(
        request.conversation_id,
        request.message,
        request.authority,
        request.learner_id,
        principal,
        turn_id=idempotency_key,
    )
    return ChatResponse(
        conversation_id=request.conversation_id,
        messages=[MessageOut.model_validate(reply.to_json()) for reply in replies],
    )


@router.get(
    "/chat/{conversation_id}/messages",
    response_model=HistoryOut,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
async def history(
    conversation_id: Annotated[ConversationId, Path()],
    conversation: ConversationDep,
    principal: PrincipalDep,
) -> HistoryOut:
    """The conversation's messages so far, oldest first; 404 for an id never used, as for
    someone else's."""
    entries = await conversation.history(conversation_id, principal)
    return HistoryOut(
        conversation_id=conversation_id,
        messages=[
            HistoryMessageOut.model_validate({**e.body, "role": e.role, "created_at": e.created_at})
            for e in entries
        ],
    )
