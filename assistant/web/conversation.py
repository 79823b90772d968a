"""One conversational turn, whichever channel it came from (web chat, Teams): identifying details
masked, the conversation's owner checked, the message to the engine with the worker's authority
and who they are (the actions open plans, reminders and progress by it), the replies back, the
answer audited, and the turn kept in the transcript so that the conversation can be shown
again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi.concurrency import run_in_threadpool

from assistant.core.access import PRINCIPAL_KEY, Principal, development_principal
from assistant.core.answer_audit import AuditLog, audit_entry
from assistant.core.audit import CitationLog, citation_uses
from assistant.core.authorities import AuthorityDirectory
from assistant.core.conversations import (
    ConversationDirectory,
    ConversationNotFoundError,
    ConversationOwner,
    continue_conversation,
    readable_conversation,
)
from assistant.core.guidance.reader import MessageReader
from assistant.core.guidance.understanding import METADATA_KEY as UNDERSTANDING_KEY
from assistant.core.privacy.redaction import redact, removal_notice
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Reply
from assistant.core.transcript import RECENT_ENTRIES, Transcript, TranscriptEntry, turn_entries
from assistant.core.turns import TurnLedger, check_turn_key, message_fingerprint, turn_key
from assistant.engine_client import TURN_ID_KEY, EngineClient

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
    # None keeps no transcript / owners / audit (channels and tests that do not need them).
    transcript: Transcript | None = None
    conversations: ConversationDirectory | None = None
    audit: AuditLog | None = None
    clock: Callable[[], datetime] = field(default=_now)
    # None records a resent turn (same Idempotency-Key) as often as it is sent.
    turns: TurnLedger | None = None
    # Keys the ledger's fingerprints of messages (the settings' secret key).
    turn_secret: bytes = b""
    # Reads each message (a card question, unclear, another language, a safety concern) for the
    # engine's routing policy and the answering action; None sends no reading.
    reader: MessageReader | None = None

    async def turn(
        self,
        conversation_id: str,
        message: str,
        authority: str | None,
        learner_id: str | None = None,
        principal: Principal | None = None,
        turn_id: str | None = None,
    ) -> list[Reply]:
        """Raises UnknownAuthorityError for an authority that is unknown or not the worker's,
        ConversationNotFoundError for someone else's conversation, EngineUnavailableError when
        the engine is down or does not answer; then nothing is recorded.

        `learner_id` names the worker across conversations for learning mode's progress (the
        web page keeps one; a signed-in worker is always themselves); without it the
        conversation is the learner. No principal is the local development user. `turn_id`
        (the client's Idempotency-Key) makes a resent turn answered once (engine/turns.py) and
        recorded once; TurnKeyReusedError when the key was used for other text.
        """
        principal = principal or development_principal()
        # Who is asking, from the signed-in request (never from the message): the actions
        # apply the same rules to plans, reminders and progress as the API does.
        metadata: dict[str, Any] = {PRINCIPAL_KEY: principal.to_metadata()}
        chosen = self._authority_for(principal, authority)
        if chosen is not None:
            metadata["authority"] = chosen
        learner = principal.subject if principal.signed_in else learner_id
        if learner is not None:
            metadata["learner"] = learner
        if turn_id is not None:
            metadata[TURN_ID_KEY] = turn_id
        # Masked before anything keeps or reads it: the engine, its tracker store, the transcript.
        redaction = redact(message, self.authorities.name_words)
        received_at = self.clock()
        if self.conversations is not None:
            await run_in_threadpool(
                continue_conversation,
                self.conversations,
                principal,
                conversation_id,
                chosen or principal.authority,
                received_at,
            )
        ledger_key: str | None = None
        fingerprint = ""
        if turn_id is not None and self.turns is not None:
            ledger_key = turn_key(conversation_id, turn_id)
            fingerprint = message_fingerprint(self.turn_secret, message)
            await run_in_threadpool(check_turn_key, self.turns, ledger_key, fingerprint)
        if self.reader is not None:
            reading = await run_in_threadpool(self.reader.read, redaction.text)
            metadata[UNDERSTANDING_KEY] = reading.to_metadata()
        replies = await self.engine.send(conversation_id, redaction.text, metadata)
        if redaction.changed:
            replies = [Reply(removal_notice(redaction.removed)), *replies]
        answered_at = self.clock()
        if ledger_key is not None:
            first = await run_in_threadpool(
                self._record_key_once, ledger_key, fingerprint, answered_at
            )
            if not first:  # a resend: answered (by the engine, from its tracker), recorded before
                return replies
        try:
            await run_in_threadpool(
                self._record,
                conversation_id,
                redaction.text,
                replies,
                principal,
                chosen or principal.authority,
                received_at,
                answered_at,
            )
        except BaseException:
            if ledger_key is not None and self.turns is not None:  # so that a resend records it
                await run_in_threadpool(self.turns.forget, ledger_key)
            raise
        return replies

    def _record_key_once(self, key: str, fingerprint: str, now: datetime) -> bool:
        """True for the first turn under `key`; False for a resend of the same text (checked
        again here: two sends of one key may have raced to the engine)."""
        assert self.turns is not None
        if self.turns.record(key, fingerprint, now):
            return True
        check_turn_key(self.turns, key, fingerprint)
        return False

    def _authority_for(self, principal: Principal, requested: str | None) -> str | None:
        if requested is None:
            return principal.authority
        found = self.authorities.get(requested).id
        principal.require_authority(found)
        return found

    def _record(
        self,
        conversation_id: str,
        message: str,
        replies: list[Reply],
        principal: Principal,
        authority: str | None,
        received_at: datetime,
        answered_at: datetime,
    ) -> None:
        cited = [c.section_id for reply in replies for c in reply.citations]
        if cited:
            uses = citation_uses(conversation_id, cited, self.knowledge.section_hashes, answered_at)
            self.citation_log.record(uses)
        if self.audit is not None:
            self.audit.record(
                audit_entry(conversation_id, principal.subject, authority, replies, answered_at)
            )
        if self.transcript is not None:
            recent = self.transcript.entries(conversation_id, RECENT_ENTRIES)
            self.transcript.append(
                turn_entries(conversation_id, message, replies, recent, received_at, answered_at)
            )

    async def history(
        self, conversation_id: str, principal: Principal | None = None
    ) -> list[TranscriptEntry]:
        """The conversation's messages so far (its latest MAX_HISTORY), oldest first;
        ConversationNotFoundError for one never used or one the principal may not read."""
        if self.transcript is None:
            return []
        await self.check_readable(conversation_id, principal)
        return await run_in_threadpool(self.transcript.entries, conversation_id, MAX_HISTORY)

    async def check_readable(
        self, conversation_id: str, principal: Principal | None
    ) -> ConversationOwner | None:
        """The conversation's owner; ConversationNotFoundError unless the principal may read
        the conversation (theirs, or their team's as a manager). One nobody has used is
        answered the same as someone else's, so that the answer does not tell which ids are in
        use. None only without a conversation directory (no owners are kept)."""
        if self.conversations is None:
            return None
        owner = await run_in_threadpool(
            readable_conversation,
            self.conversations,
            principal or development_principal(),
            conversation_id,
        )
        if owner is None:
            raise ConversationNotFoundError(conversation_id)
        return owner
