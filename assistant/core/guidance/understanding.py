"""What a worker's message is: a question a card answers, something else the engine handles,
or a message the assistant did not understand; and whether it raises a safety concern now.

Why a separate reading before the engine's intent: the engine's classifier was trained on
intents, and one incidental word ("plan", "school", an authority's name) could take a
practice question somewhere else. The card matcher weighs the whole message against every
kind of question; the engine's dialogue policy (engine/card_routing.py) follows this reading
when it is confident, and leaves conversational messages (yes, no, a date in reply, a plan
to resume) to the engine's own rules.

Honest limits: markup, gibberish and other languages are not answered about the previous
topic; the reply says so and offers questions the assistant can answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assistant.core.guidance.card_matcher import OTHER, CardMatch

METADATA_KEY = "understanding"
# Below this probability the best card is a guess, not a reading.
MIN_CARD_CONFIDENCE = 0.3
# A second card worth answering too (the question buried after a disclosure).
MIN_SECOND_CARD = 0.08
# Fewer known words than this share of the message: not English we understand.
MIN_KNOWN_SHARE = 0.5


class Reading(StrEnum):
    CARD = "card"  # a practice question one card answers
    OTHER = "other"  # the engine's own rules decide: a plan, a quiz, a greeting, a date
    UNCLEAR = "unclear"  # gibberish or markup
    OTHER_LANGUAGE = "other_language"  # not English


@dataclass(frozen=True)
class Understanding:
    reading: Reading
    card: str | None = None
    confidence: float = 0.0
    urgent: bool = False
    # The next likeliest card, when the message may ask two things.
    second_card: str | None = None

    def to_metadata(self) -> dict[str, Any]:
        return {
            "reading": self.reading.value,
            "card": self.card,
            "confidence": round(self.confidence, 3),
            "urgent": self.urgent,
            "second_card": self.second_card,
        }

    @classmethod
    def from_metadata(cls, raw: Any) -> Understanding | None:
        """None for anything that is not a reading this module wrote."""
        if not isinstance(raw, Mapping):
            return None
        try:
            reading = Reading(str(raw.get("reading")))
            confidence = float(raw.get("confidence") or 0.0)
        except (ValueError, TypeError):
            return None
        card = raw.get("card")
        second = raw.get("second_card")
        return cls(
            reading,
            str(card) if card else None,
            confidence,
            bool(raw.get("urgent")),
            str(second) if second else None,
        )


# --- Safety -----------------------------------------------------------------------------

# A child's account, an injury with a cause, or harm happening now: live, not a concept.
_LIVE_HARM = re.compile(
    r"\b(?:"
    r"(?:told|tells|telling|disclosed?|disclosing|said|says|saying|admitted)\b[^.?!]{0,80}?"
    r"\b(?:hit|hits|hitting|hurt|hurts|punch\w*|kick\w*|slap\w*|belt|burn\w*|beat\w*|touch\w*|"
    r"abus\w*|rap\w*|assault\w*|strangl\w*|chok\w*|smack\w*|threw|thrown|grabbed|pushed)"
    r"|(?:bruis\w*|burns?|marks?|injur\w*|fractur\w*|broken\s+\w+|cuts?|bleeding|welts?)\b"
    r"[^.?!]{0,80}?\b(?:said|says|told|from|caused|because|did\s+it|did\s+this|gave|by\s+(?:his|her|their|mum|dad))"
    r"|(?:has\s+been|have\s+been|is|are|keeps?|was|were)\s+(?:hitting|beating|hurting|punching|"
    r"kicking|strangling|choking|assaulting|abusing|touching)\s+(?:him|her|them|the\s+\w+|mum|"
    r"his|my)"
    r"|(?:in|at)\s+(?:immediate\s+)?danger|unsafe\s+(?:to\s+go\s+home|tonight|now)"
    r"|threaten\w*\s+to\s+(?:kill|hurt|stab)|(?:kill|hurt)\s+(?:him|her|them)self"
    r")",
    re.IGNORECASE,
)
# A question about what something means, with no case in it.
_CONCEPT = re.compile(
    r"^\s*(?:what|wat)\s+(?:is|are|counts?|does|do\s+we\s+mean|would\s+count|'?s)\b|"
    r"^\s*(?:define|meaning\s+of|explain|how\s+(?:do|does|would)\s+(?:you|we|i)\s+"
    r"(?:define|judge|decide|know)\s+(?:if|whether|what)?)",
    re.IGNORECASE,
)
_CASE_WORDS = re.compile(
    r"\b(?:he|she|they|him|her|them|my\s+(?:case|family|child|young\s+person)|today|"
    r"tonight|just|yesterday|this\s+morning|\d+\s*(?:yo|y/o|year))\b",
    re.IGNORECASE,
)


def is_concept_question(text: str) -> bool:
    """ "What counts as significant harm?" asks about a concept: no emergency line."""
    return bool(_CONCEPT.search(text)) and not _CASE_WORDS.search(text)


def raises_safety_concern(text: str) -> bool:
    """A disclosure, an injury with an alleged cause, or danger now, in the worker's words."""
    return bool(_LIVE_HARM.search(text)) and not is_concept_question(text)


# --- Honest limits -----------------------------------------------------------------------

_MARKUP = re.compile(
    r"<\s*/?\s*[a-z!][^>]*>|\{\s*\"|\bfunction\s*\(|\b(?:select|insert|drop)\s+\S+\s+"
    r"(?:from|into|table)\b|\$\{|\]\(|```",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Common Welsh words that are not English words: the assistant answers in English.
_WELSH_TEXT = """
mae yw ydw ydy rydw rwy dw sut beth pam gyda ar gyfer plentyn plant teulu gweithiwr
cymdeithasol angen helpu chi fi eich fy ddim oes hefyd wedi bydd gallu asesiad
"""
_WELSH = frozenset(_WELSH_TEXT.split())
_LATIN = re.compile(r"[a-zà-ÿ]", re.IGNORECASE)


def _letters(text: str) -> tuple[int, int]:
    latin = other = 0
    for ch in text:
        if unicodedata.category(ch).startswith("L"):
            if _LATIN.match(ch):
                latin += 1
            else:
                other += 1
    return latin, other


def limits_reading(text: str, knows: Callable[[str], bool]) -> Reading | None:
    """UNCLEAR or OTHER_LANGUAGE when the message is not English the assistant can read;
    None otherwise. `knows` says whether a lower-case word is English we have seen."""
    stripped = text.strip()
    if not stripped or stripped.startswith("/"):  # a button's payload
        return None
    if _MARKUP.search(stripped):
        return Reading.UNCLEAR
    latin, other = _letters(stripped)
    if other > max(3, latin):
        return Reading.OTHER_LANGUAGE
    words = [w.lower() for w in _WORD.findall(stripped)]
    if not words:
        digits = any(ch.isdigit() for ch in stripped)
        return None if digits else Reading.UNCLEAR
    welsh = sum(1 for w in words if w in _WELSH)
    known = sum(1 for w in words if knows(w))
    if welsh >= 2 and welsh >= len(words) / 3:
        return Reading.OTHER_LANGUAGE
    if known / len(words) < MIN_KNOWN_SHARE:
        return Reading.UNCLEAR
    return None


def understand(
    text: str,
    match: Callable[[str], CardMatch],
    knows: Callable[[str], bool],
    is_urgent_card: Callable[[str], bool],
) -> Understanding:
    """The reading of one message (see the module's docstring)."""
    limited = limits_reading(text, knows)
    if limited is not None:
        return Understanding(limited)
    found = match(text)
    concern = raises_safety_concern(text)
    if found.label == OTHER or found.confidence < MIN_CARD_CONFIDENCE:
        # Not sure which card, or not a card question: the engine's own rules decide, and an
        # answer falls back to searching the cards and then the sections.
        return Understanding(Reading.OTHER, None, found.confidence, concern)
    urgent = concern or (is_urgent_card(found.label) and not is_concept_question(text))
    second = (
        found.runner_up
        if found.runner_up != OTHER and found.runner_up_confidence >= MIN_SECOND_CARD
        else None
    )
    return Understanding(Reading.CARD, found.label, found.confidence, urgent, second)
