"""\"What do I do first / next?\": the stage of the assessment the worker is at.

The stages are the stage cards (cards.yml `stage:`), in order, each answered from the worker's
own chapter. The stage asked about comes from what the worker said: "just been allocated"
is the first; "I've seen the children, what now?" is the stage after seeing the child and
family; with nothing to go on, the stage after the last one this conversation gave, or the
first.
"""

from __future__ import annotations

import re

from assistant.core.guidance.cards import Card, CardLibrary

_NEXT = re.compile(
    r"\b(?:what(?:'?s| is| do i do| should i do| now| next)?\s*(?:next|now|after(?:wards| that)?)|"
    r"wh?at\s+(?:do|should|shall)\s+i\s+do\s+(?:next|now|then)|next\s+steps?|where\s+next|"
    r"then\s+what|what\s+comes\s+next|moving\s+on)\b",
    re.IGNORECASE,
)
# Asking for the first steps, in so many words.
_FIRST = re.compile(
    r"\b(?:(?:do|should|shall)\s+i\s+do\s+first|where\s+(?:do|should|shall)\s+i\s+"
    r"(?:start|begin)|first\s+(?:steps?|thing)|what\s+(?:do|should)\s+i\s+do\s+with\s+it|"
    r"how\s+do\s+i\s+(?:start|begin))",
    re.IGNORECASE,
)
# A new case as context ("just been allocated a CFA"): the first stage only when nothing
# else is asked.
_NEW_CASE = re.compile(
    r"\b(?:(?:just|newly|been)\s+(?:been\s+)?allocated|new\s+allocation|just\s+(?:picked|got)\s+up)",
    re.IGNORECASE,
)
_DONE = re.compile(
    r"\b(?:i'?ve|i\s+have|we'?ve|we\s+have|done|completed|finished|had|held|just\s+\w+ed|"
    r"now\s+that|after|been\s+out)\b",
    re.IGNORECASE,
)


def asks_for_first_steps(text: str) -> bool:
    return bool(_FIRST.search(text))


def asks_what_next(text: str) -> bool:
    return bool(_NEXT.search(text)) or asks_for_first_steps(text)


def is_new_case(text: str) -> bool:
    return bool(_NEW_CASE.search(text))


def stage_asked(
    library: CardLibrary, text: str, matched: Card | None, last_stage: int | None
) -> Card:
    """The stage card to answer "what do I do first/next?" with."""
    stages = library.stages()
    if asks_for_first_steps(text) and not (matched and matched.stage and _DONE.search(text)):
        return stages[0]
    if matched is not None and matched.stage is not None:
        if _DONE.search(text):
            return _after(stages, matched.stage)
        return matched
    if last_stage is not None:
        return _after(stages, last_stage)
    return stages[0]


def _after(stages: tuple[Card, ...], stage: int) -> Card:
    later = [c for c in stages if (c.stage or 0) > stage]
    return later[0] if later else stages[-1]
