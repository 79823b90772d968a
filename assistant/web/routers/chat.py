"""POST /api/chat: one worker message in, the assistant's messages out."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from assistant.core.audit import citation_uses
from assistant.web.dependencies import (
    AuthoritiesDep,
    CitationLogDep,
    EngineClientDep,
    KnowledgeDep,
)
from assistant.web.schemas import ChatRequest, ChatResponse, ErrorOut, MessageOut

router = APIRouter(prefix="/api", tags=["chat"])


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
async def chat(
    request: ChatRequest,
    authorities: AuthoritiesDep,
    engine: EngineClientDep,
    knowledge: KnowledgeDep,
    citation_log: CitationLogDep,
) -> ChatResponse:
    metadata: dict[str, str] = {}
    if request.authority is not None:
        metadata["authority"] = authorities.get(request.authority).id
    replies = await engine.send(request.conversation_id, request.message, metadata)
    cited = [c.section_id for reply in replies for c in reply.citations]
    if cited:
        uses = citation_uses(
            request.conversation_id, cited, knowledge.section_hashes, datetime.now(UTC)
        )
        await run_in_threadpool(citation_log.record, uses)
    return ChatResponse(
        conversation_id=request.conversation_id,
        messages=[MessageOut.model_validate(reply.to_json()) for reply in replies],
    )
