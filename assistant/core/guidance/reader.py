"""The message reader: the card matcher, the vocabulary it knows and the safety checks, built
once per process from the knowledge folder (cards, paraphrases, the engine's examples).

Used by the web app, for every channel, before the message goes to the engine (the reading
travels in the message's metadata), and by the action server when a message came without one
(the engine's own conversation tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from assistant.core.guidance.card_matcher import OTHER, CardMatch, CardMatcher
from assistant.core.guidance.cards import (
    ANSWERS_DIR,
    NOT_CARD_INTENTS,
    PARAPHRASES_DIR,
    CardLibrary,
    engine_examples,
    load_cards,
    load_paraphrases,
)
from assistant.core.guidance.understanding import Reading, Understanding, understand
from assistant.core.procedures.knowledge_base import KnowledgeBase

_WORDS = re.compile(r"[a-z]+")
# Fewer words that carry meaning than this, and a message names no subject of its own.
MIN_CONTENT_WORDS = 2
# Everyday words a worker writes that the chapters and examples may not hold.
_EVERYDAY_TEXT = """
hi hello hey ok okay yes yeah yep no nope thanks thank cheers please pls plz sorry
what whats wat how when where who why which can could would should do does did
i im ive id me my we our you your he she they him her them his their it its is are was
were be been being have has had get got go going went come came tell told say said
mum dad mam nan gran kid kids baby bf gf partner school nursery gp nurse police
"""
_EVERYDAY = frozenset(_EVERYDAY_TEXT.split())


def _vocabulary(texts: Iterable[str]) -> frozenset[str]:
    return frozenset(w for text in texts for w in _WORDS.findall(text.lower()))


class MessageReader:
    def __init__(self, library: CardLibrary, knowledge: KnowledgeBase, knowledge_dir: Path) -> None:
        self.library = library
        self._knowledge = knowledge
        paraphrases = load_paraphrases(knowledge_dir / ANSWERS_DIR / PARAPHRASES_DIR, library.ids)
        others = engine_examples(knowledge_dir.parent / "nlu", NOT_CARD_INTENTS)
        # Each card also learns from its own catalogue question and title: a card nobody has
        # written paraphrases for yet can still be found.
        examples: dict[str, list[str]] = {
            card.id: [card.question, card.title, *paraphrases.get(card.id, [])]
            for card in library.cards
        }
        examples[OTHER] = others
        self.matcher = CardMatcher(examples, knowledge.expander.expand)
        corpus = [s.text for s in knowledge.sections.values()]
        corpus += [t for texts in examples.values() for t in texts]
        corpus += [e.term + " " + e.meaning for e in knowledge.glossary.entries.values()]
        self._vocabulary = _vocabulary(corpus) | _EVERYDAY
        self._urgent = frozenset(c.id for c in library.cards if c.urgent)

    def knows(self, word: str) -> bool:
        return word in self._vocabulary or word.rstrip("s") in self._vocabulary

    def match(self, text: str) -> CardMatch:
        return self.matcher.match(text)

    def read(self, text: str) -> Understanding:
        reading = understand(text, self.match, self.knows, lambda card: card in self._urgent)
        if reading.reading is Reading.CARD and self._vague(text):
            # "What do I have to do?" names no subject: the conversation's topic decides.
            return replace(reading, reading=Reading.OTHER, card=None, second_card=None)
        return reading

    def _vague(self, text: str) -> bool:
        return len(self._knowledge.analyzer.tokens(text)) < MIN_CONTENT_WORDS


_SHARED: dict[tuple[Path, int], tuple[KnowledgeBase, MessageReader]] = {}


def shared_reader(knowledge_dir: Path, knowledge: KnowledgeBase) -> MessageReader:
    """One reader per knowledge base in a process: training takes seconds, and every app built
    over the same knowledge base (the tests build many) reads messages the same way."""
    key = (knowledge_dir.resolve(), id(knowledge))
    if key not in _SHARED:
        library = load_cards(knowledge_dir, knowledge.authorities.ids)
        # The knowledge base is kept with its reader, so its id is never reused meanwhile.
        _SHARED[key] = (knowledge, MessageReader(library, knowledge, knowledge_dir))
    return _SHARED[key][1]
