"""One conversational turn, whichever channel it came from (web chat, Teams): the message to
the engine with the worker's authority, the replies back, the citations they used logged, and
the turn kept in the transcript so that the conversation can be shown again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi.concurrency import run_in_threadpool

from assistant.core.audit import CitationLog, citation_uses
from assistant.core.authorities import AuthorityDirectory
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Reply
from assistant.core.transcript import RECENT_ENTRIES, Transcript, TranscriptEntry, turn_entries
from assistant.engine_client import EngineClient

# The most messages a conversation's history returns (its latest).
MAX_HISTORY = 500


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ConversationService:
    authorities: AuthorityDirectory
    engine: EngineClient
    knowledge: KnowledgeBase
    citation_log: CitationLog
    # None keeps no transcript (channels and tests that do not need one).
    transcript: Transcript | None = None
    clock: Callable[[], datetime] = field(default=_now)

    async def turn(
        self,
        conversation_id: str,
        message: str,
        authority: str | None,
        learner_id: str | None = None,
    ) -> list[Reply]:
        """Raises UnknownAuthorityError for an unknown authority, EngineUnavailableError when
        the engine is down or does not answer; then nothing is recorded.

        `learner_id` names the worker across conversations for learning mode's progress (the
        web page keeps one); without it the conversation is the learner.
        """
        metadata: dict[str, str] = {}
        if authority is not None:
            metadata["authority"] = self.authorities.get(authority).id
        if learner_id is not None:
            metadata["learner"] = learner_id
        received_at = self.clock()
        replies = await self.engine.send(conversation_id, message, metadata)
        answered_at = self.clock()
        cited = [c.section_id for reply in replies for c in reply.citations]
        if cited:
            uses = citation_uses(conversation_id, cited, self.knowledge.section_hashes, answered_at)
            await run_in_threadpool(self.citation_log.record, uses)
        if self.transcript is not None:
            await run_in_threadpool(
                self._record, conversation_id, message, replies, received_at, answered_at
            )
        return replies

    def _record(
        self,
        conversation_id: str,
        message: str,
        replies: list[Reply],
        received_at: datetime,
        answered_at: datetime,
    ) -> None:
        assert self.transcript is not None
        recent = self.transcript.entries(conversation_id, RECENT_ENTRIES)
        self.transcript.append(
            turn_entries(conversation_id, message, replies, recent, received_at, answered_at)
        )

    async def history(self, conversation_id: str) -> list[TranscriptEntry]:
        """The conversation's messages so far (its latest MAX_HISTORY), oldest first."""
        if self.transcript is None:
            return []
        return await run_in_threadpool(self.transcript.entries, conversation_id, MAX_HISTORY)
