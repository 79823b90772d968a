"""A turn resent with the same Idempotency-Key is recorded once.

The engine answers a resent turn from its tracker rather than handling it again
(engine/turns.py), but the web app also keeps its own records of every turn: the transcript,
the answer audit and the citation log. Without a ledger of the turn keys already recorded a
resend writes all three again, and a key reused with other text is answered with the first
text's answer. So each (conversation, key) is recorded with a keyed fingerprint of its text:
the first turn under a key is recorded, a resend of the same text is answered but not
recorded again, and other text under a used key is refused (409) before it reaches the engine.

The fingerprint is an HMAC under the deployment's secret key, so the ledger holds nothing
from which the message could be guessed back (a plain hash of a short message can be).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Protocol


class TurnKeyReusedError(Exception):
    """The Idempotency-Key was already used for another message in this conversation (409)."""

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was already used for a different message in this "
            "conversation; send a new message with a new key."
        )


class TurnLedger(Protocol):
    def fingerprint_of(self, key: str) -> str | None:
        """The fingerprint recorded under `key`, or None for a key never recorded."""
        ...

    def record(self, key: str, fingerprint: str, now: datetime) -> bool:
        """Record `key` (atomically): True when this call recorded it, False when it was
        already there."""
        ...

    def forget(self, key: str) -> None:
        """Undo `record` (the turn's own records could not be written, so a resend must
        write them)."""
        ...


def turn_key(conversation_id: str, turn_id: str) -> str:
    """Keys are per conversation: two conversations may use the same key."""
    return hashlib.sha256(f"{conversation_id}\0{turn_id}".encode()).hexdigest()


def message_fingerprint(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def check_turn_key(ledger: TurnLedger, key: str, fingerprint: str) -> bool:
    """True when the turn under `key` was already recorded with this text; False for a new
    key; TurnKeyReusedError when it was recorded with other text."""
    earlier = ledger.fingerprint_of(key)
    if earlier is None:
        return False
    if not hmac.compare_digest(earlier, fingerprint):
        raise TurnKeyReusedError()
    return True
