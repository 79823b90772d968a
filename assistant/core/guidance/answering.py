"""One practice question to one reply: the card it asks for, the stage, safety first, or an
honest "I'm not sure what you mean".

The order (issue 17): a concern of significant harm gets the worker's own procedure's
escalation first; a confident card is answered from the worker's chapter; "what do I do
first / next?" gives a stage; otherwise the likeliest card if it is likely enough, then the
sections of the chapter; and a message that matches nothing well is told so, with three
questions the assistant can answer, never an answer about the previous topic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.core.guidance.card_answer import (
    NEXT_STEP_PAYLOAD,
    PLAN_PAYLOAD,
    CardContext,
    answer_card,
    answer_with_escalation,
)
from assistant.core.guidance.cards import Card, CardLibrary
from assistant.core.guidance.procedure_answer import answer_from_procedure
from assistant.core.guidance.reader import MessageReader
from assistant.core.guidance.stages import asks_what_next, is_new_case, stage_asked
from assistant.core.guidance.understanding import Reading, Understanding
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Button, Reply

# A card this likely is still a better answer than sentences picked from the chapter.
FALLBACK_CARD_CONFIDENCE = 0.15
# A section search score below this found words, not an answer.
MIN_SECTION_SCORE = 0.35
SUGGESTED = ("first-steps", "see-child-alone", "extension")
NOT_UNDERSTOOD = "I'm not sure what you mean. Here are some questions I can answer:"
OTHER_LANGUAGE = (
    "I can only answer in English. If the family needs an interpreter, ask me about "
    "interpreters. Here are some questions I can answer:"
)
INTENT_NEXT_STEP = "ask_next_step"
# How sure the reader must be of a non-urgent card to overrule the engine's safety intent.
CONFIDENT_NOT_URGENT = 0.5


@dataclass(frozen=True)
class GuidanceAnswer:
    reply: Reply
    topic: str | None = None
    card: str | None = None
    stage: int | None = None
    # False when the card (or sections) were a best guess, not a confident reading.
    sure: bool = True


@dataclass(frozen=True)
class Question:
    text: str
    authority: str
    understanding: Understanding | None = None
    intent: str | None = None
    last_topic: str | None = None
    last_stage: int | None = None
    urgent: bool = False  # the engine's own safety intent
    # The card the engine's topic intent points at, for a message that names no subject.
    intent_card: str | None = None


def _confidently_not_urgent(understanding: Understanding, card: Card | None) -> bool:
    """The engine's classifier called it a safety message, but the reader found no live
    concern and is sure it asks a question that is not one ("saw the kids today, what do I
    record?"): answering it with the emergency line would be crying wolf."""
    return (
        understanding.reading is Reading.CARD
        and card is not None
        and not card.urgent
        and understanding.confidence >= CONFIDENT_NOT_URGENT
    )


class Guide:
    """Answers practice questions from the cards, the stages and the chapters."""

    def __init__(
        self,
        library: CardLibrary,
        knowledge: KnowledgeBase,
        reader: Callable[[], MessageReader],
    ) -> None:
        self.library = library
        self.knowledge = knowledge
        self._reader = reader
        self.context = CardContext(
            library,
            lambda section_id: knowledge.sections[section_id],
            lambda authority: knowledge.authorities.get(authority).short_name,
        )

    def suggestions(self) -> tuple[Button, ...]:
        cards = [self.library.get(c) for c in SUGGESTED if c in self.library.ids]
        return tuple(Button(c.question, c.question) for c in cards)

    def not_understood(self, other_language: bool = False) -> GuidanceAnswer:
        return GuidanceAnswer(
            Reply(OTHER_LANGUAGE if other_language else NOT_UNDERSTOOD, self.suggestions())
        )

    def answer(self, question: Question) -> GuidanceAnswer:
        understanding = question.understanding or self._reader().read(question.text)
        if understanding.reading is Reading.OTHER_LANGUAGE:
            return self.not_understood(other_language=True)
        if understanding.reading is Reading.UNCLEAR:
            return self.not_understood()
        card = self._card(understanding.card)
        if understanding.urgent or (
            question.urgent and not _confidently_not_urgent(understanding, card)
        ):
            second = self._card(understanding.second_card)
            reply = answer_with_escalation(card, question.authority, self.context, second)
            return GuidanceAnswer(reply, "police-notification", card.id if card else None)
        asked_next = question.intent == INTENT_NEXT_STEP and card is None
        if asked_next or (asks_what_next(question.text) and (card is None or card.stage)):
            return self._stage(question, card)
        if card is None and is_new_case(question.text):
            return self._stage(question, None)
        if card is not None:
            return self._card_answer(card, question.authority)
        guess = self._card(question.intent_card) or self._likely_card(
            question.text, question.last_topic
        )
        if guess is not None:
            return replace(self._card_answer(guess, question.authority), sure=False)
        return replace(self._from_sections(question), sure=False)

    def _card(self, card_id: str | None) -> Card | None:
        return self.library.get(card_id) if card_id and card_id in self.library.ids else None

    def _likely_card(self, text: str, topic: str | None) -> Card | None:
        """The likeliest card when no card is sure. A vague follow-up ("what do I have to
        do?") names no subject of its own: the conversation's topic chooses among its cards."""
        probabilities = self._reader().matcher.probabilities(text)
        on_topic = [c for c in self.library.cards if topic and c.topic == topic]
        if on_topic:
            return max(on_topic, key=lambda c: probabilities.get(c.id, 0.0))
        best = max(self.library.cards, key=lambda c: probabilities.get(c.id, 0.0))
        return best if probabilities.get(best.id, 0.0) >= FALLBACK_CARD_CONFIDENCE else None

    def _card_answer(self, card: Card, authority: str) -> GuidanceAnswer:
        extra: tuple[Button, ...] = ()
        if card.stage is not None:
            extra = (Button("What do I do after that?", NEXT_STEP_PAYLOAD),)
        reply = answer_card(card, authority, self.context, extra)
        return GuidanceAnswer(reply, card.topic, card.id, card.stage)

    def _stage(self, question: Question, matched: Card | None) -> GuidanceAnswer:
        stage = stage_asked(self.library, question.text, matched, question.last_stage)
        total = len(self.library.stages())
        buttons = (
            Button("What do I do after that?", NEXT_STEP_PAYLOAD),
            Button("Build an assessment plan", PLAN_PAYLOAD),
        )
        reply = answer_card(stage, question.authority, self.context, buttons)
        heading = f"Stage {stage.stage} of {total}: {stage.title}."
        return GuidanceAnswer(
            Reply(f"{heading}\n{reply.text}", reply.buttons, reply.citations),
            stage.topic,
            stage.id,
            stage.stage,
        )

    def _from_sections(self, question: Question) -> GuidanceAnswer:
        hits = self.knowledge.search(question.text, question.authority, k=3)
        if not hits or hits[0].score < MIN_SECTION_SCORE:
            return self.not_understood()
        answer = answer_from_procedure(
            question.text, question.authority, self.knowledge, question.last_topic
        )
        return GuidanceAnswer(answer.reply, answer.topic)
