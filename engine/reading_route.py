"""Whether the web app's reading of a message should decide the answer (no Rasa imports).

The web app reads every message with the card matcher before the engine sees it
(assistant/core/guidance/understanding.py) and sends the reading in the message's metadata
under "understanding". The engine's intent classifier is kept for what it does well
(yes/no, a date in reply, resuming a plan, a quiz); but where the reading is confident that
the message is a practice question, the classifier's guess ("choose_authority" for a question
ending "in kent?", "resume_plan" for one about the assessment plan) must not take it
elsewhere. Unclear messages and other languages also go to the answering action, which says
so honestly instead of answering about the previous topic.

Kept to Python 3.10 and free of the assistant package: the engine runs on 3.10.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

METADATA_KEY = "understanding"
# Readings the answering action handles whatever the intent.
ROUTED_READINGS = frozenset({"card", "unclear", "other_language"})


def follows_reading(
    metadata: Mapping[str, Any] | None,
    text: str,
    intent: str | None,
    entities: Iterable[Mapping[str, Any]],
    protected_intents: Iterable[str],
    dated_intents: Iterable[str],
    own_cards: Mapping[str, Iterable[str]] | None = None,
) -> bool:
    """True when the answering action should take this message.

    Never for a button's payload ("/affirm"), an intent whose own rule must run (a safety
    message has its own action; yes and no answer the assistant's question), or a timescale
    question holding a date (its action counts the deadlines), or a card the intent's own
    action answers better (`own_cards`: "when is it due?" is the timescale action's, which
    asks for the referral date and counts).
    """
    if not metadata or text.lstrip().startswith("/"):
        return False
    reading = metadata.get(METADATA_KEY)
    if not isinstance(reading, Mapping):
        return False
    if intent in set(protected_intents):
        return False
    if intent in set(dated_intents) and any(e.get("entity") == "date" for e in entities):
        return False
    if reading.get("card") in set((own_cards or {}).get(intent or "", ())):
        return False
    return reading.get("reading") in ROUTED_READINGS or bool(reading.get("urgent"))
