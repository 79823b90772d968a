"""Every guidance card is supported by the worker's own chapter (knowledge/answers/).

Each step's quote is in the section it cites, as the knowledge base loads it; Must and Should
come from the quote; our plain words share their key terms with the quote; every card covers
every authority, answered or marked silent. Broken copies of the data prove the checks bite.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.core.guidance.cards import (
    AuthorityAnswer,
    Card,
    CardKind,
    CardLibrary,
    Supported,
    card_problems,
    load_cards,
)
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.procedures.statements import Force
from tests.conftest import KNOWLEDGE_DIR

AUTHORITIES = ("gateshead", "blackpool", "kent", "lewisham", "regional")
MIN_CARDS = 60
# Words that carry no meaning of their own in a step or a quote.
_WEAK = frozenset({"child", "children", "social", "worker", "assessment", "need", "procedure"})


@pytest.fixture(scope="module")
def library() -> CardLibrary:
    return load_cards(KNOWLEDGE_DIR, AUTHORITIES)


def _key_terms(knowledge: KnowledgeBase, text: str) -> set[str]:
    return set(knowledge.analyzer.tokens(knowledge.expander.expand(text))) - _WEAK


def _shares(knowledge: KnowledgeBase):  # type: ignore[no-untyped-def]
    def shares(say: str, quote: str) -> bool:
        ours = _key_terms(knowledge, say)
        theirs = _key_terms(knowledge, quote)
        return len(ours & theirs) >= min(2, len(ours))

    return shares


def _problems(library: CardLibrary, knowledge: KnowledgeBase) -> list[str]:
    def text(section_id: str) -> str | None:
        section = knowledge.sections.get(section_id)
        return section.text if section else None

    return card_problems(library, AUTHORITIES, text, _shares(knowledge))


def test_there_are_enough_cards_to_cover_the_chapters(library: CardLibrary) -> None:
    assert len(library.cards) >= MIN_CARDS
    assert len(set(library.ids)) == len(library.ids)
    assert [c.stage for c in library.stages()] == list(range(1, len(library.stages()) + 1))


def test_every_card_is_supported_by_each_authoritys_chapter(
    library: CardLibrary, knowledge_base: KnowledgeBase
) -> None:
    assert _problems(library, knowledge_base) == []


def test_every_card_topic_is_a_knowledge_base_topic(
    library: CardLibrary, knowledge_base: KnowledgeBase
) -> None:
    assert {c.topic for c in library.cards if c.topic} <= set(knowledge_base.topic_ids)


def test_a_card_no_chapter_answers_is_marked_uncovered_and_only_then(
    library: CardLibrary,
) -> None:
    for card in library.cards:
        answered = [a for a in card.answers.values() if not a.silent]
        assert bool(answered) is not card.uncovered, card.id


# The checks bite: broken copies of one real card ------------------------------------------


def _answered(library: CardLibrary) -> tuple[Card, AuthorityAnswer]:
    for card in library.cards:
        answer = card.for_authority("kent")
        if answer and not answer.silent and len(answer.steps) > 2:
            return card, answer
    raise AssertionError("no Kent card with three steps")


def _with(card: Card, answer: AuthorityAnswer) -> CardLibrary:
    return CardLibrary((replace(card, answers={**card.answers, "kent": answer}),))


def _only(card: Card) -> list[str]:
    return [a for a in AUTHORITIES if a in card.answers]


@pytest.mark.parametrize(
    "breakage",
    ["changed word", "other section", "other authority", "no key terms", "claims must", "long"],
)
def test_a_broken_card_is_caught(
    library: CardLibrary, knowledge_base: KnowledgeBase, breakage: str
) -> None:
    card, answer = _answered(library)
    first = answer.steps[0]
    broken = {
        "changed word": replace(first, quote=first.quote.replace(" the ", " a ", 1) + " never"),
        "other section": replace(first, section="kent/amendment"),
        "other authority": replace(first, section="lewisham/1-introduction"),
        "no key terms": replace(first, say="Ring the duty desk about the weather forecast."),
        "claims must": replace(first, say=f"You must {first.say[0].lower()}{first.say[1:]}"),
        "long": replace(first, say=" ".join(["Record the visit"] * 15) + "."),
    }[breakage]
    bad = _with(card, replace(answer, steps=(broken, *answer.steps[1:])))

    def text(section_id: str) -> str | None:
        section = knowledge_base.sections.get(section_id)
        return section.text if section else None

    problems = card_problems(bad, ("kent",), text, _shares(knowledge_base))
    if breakage == "claims must" and first.force is Force.REQUIREMENT:
        assert problems == []  # a Must step may say must
    else:
        assert problems, breakage


def test_a_yes_no_card_without_yes_or_no_first_is_caught(
    library: CardLibrary, knowledge_base: KnowledgeBase
) -> None:
    card, answer = _answered(library)
    yes_no = replace(card, kind=CardKind.YES_NO)
    bad = _with(yes_no, replace(answer, answer="It depends on the circumstances."))
    problems = card_problems(
        bad, ("kent",), lambda s: knowledge_base.sections[s].text, _shares(knowledge_base)
    )
    assert any("Yes or No" in p for p in problems)


def test_a_card_an_authority_does_not_mention_is_caught(library: CardLibrary) -> None:
    card, _ = _answered(library)
    missing = CardLibrary((replace(card, answers={}),))
    problems = card_problems(missing, ("kent",), lambda s: "", lambda a, b: True)
    assert problems == [f"{card.id} [kent]: neither answered nor marked silent"]


def test_the_label_is_the_quotes_never_ours() -> None:
    must = Supported("See the child.", "kent/x", "The child must be seen alone.")
    should = Supported("You must see the child.", "kent/x", "The child should be seen alone.")
    plain = Supported("See the child.", "kent/x", "Children are seen alone where possible.")
    assert (must.force, should.force, plain.force) == (
        Force.REQUIREMENT,
        Force.GUIDANCE,
        Force.INFORMATION,
    )
