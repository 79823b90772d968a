"""One conversational turn, whichever channel it came from (web chat, Teams): the message to
the engine with the worker's authority, the replies back, and the citations they used logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi.concurrency import run_in_threadpool

from assistant.core.audit import CitationLog, citation_uses
from assistant.core.authorities import AuthorityDirectory
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Reply
from assistant.engine_client import EngineClient


@dataclass
class ConversationService:
    authorities: AuthorityDirectory
    engine: EngineClient
    knowledge: KnowledgeBase
    citation_log: CitationLog

    async def turn(self, conversation_id: str, message: str, authority: str | None) -> list[Reply]:
        """Raises UnknownAuthorityError for an unknown authority, EngineUnavailableError when
        the engine is down or does not answer."""
        metadata: dict[str, str] = {}
        if authority is not None:
            metadata["authority"] = self.authorities.get(authority).id
        replies = await self.engine.send(conversation_id, message, metadata)
        cited = [c.section_id for reply in replies for c in reply.citations]
        if cited:
            uses = citation_uses(
                conversation_id, cited, self.knowledge.section_hashes, datetime.now(UTC)
            )
            await run_in_threadpool(self.citation_log.record, uses)
        return replies
