"""Answers from the guidance cards, as a worker sees them: the direct answer first, labels
from the quotes, silence said and others labelled, safety first, stages, honest limits, and
the branch flows using the same cards."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.core.guidance.answering import NOT_UNDERSTOOD, OTHER_LANGUAGE, Guide, Question
from assistant.core.guidance.branch_answer import BranchGuide, answer_branch
from assistant.core.guidance.branches import load_branches
from assistant.core.guidance.card_answer import SAFETY_FIRST_LINE, answer_card
from assistant.core.guidance.reader import MessageReader, shared_reader
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.timescales.service import load_timescale_service
from tests.conftest import KNOWLEDGE_DIR


@pytest.fixture(scope="module")
def reader(knowledge_base: KnowledgeBase) -> MessageReader:
    return shared_reader(KNOWLEDGE_DIR, knowledge_base)


@pytest.fixture(scope="module")
def guide(reader: MessageReader, knowledge_base: KnowledgeBase) -> Guide:
    return Guide(reader.library, knowledge_base, lambda: reader)


def _ask(guide: Guide, text: str, authority: str = "kent", **kw: object) -> str:
    return guide.answer(Question(text, authority, **kw)).reply.text  # type: ignore[arg-type]


def test_a_card_reply_has_the_answer_first_steps_labelled_from_quotes_and_sources_once(
    guide: Guide,
) -> None:
    card = guide.library.get("see-child-alone")
    answer = card.for_authority("kent")
    assert answer is not None and not answer.silent
    reply = answer_card(card, "kent", guide.context)
    lines = reply.text.splitlines()
    assert lines[0] == answer.answer
    for n, item in enumerate(answer.steps, start=1):
        label = {"requirement": "Must: ", "guidance": "Should: "}.get(item.force.value, "")
        assert f"{n}. {label}{item.say}" in lines
    assert sum(line.startswith("Sources:") for line in lines) == 1
    assert {c.section_id for c in reply.citations} == {s.section for s in answer.steps}
    assert all(c.quote for c in reply.citations)


def test_a_silent_chapter_says_so_and_labels_what_others_say(guide: Guide) -> None:
    card = next(
        c
        for c in guide.library.cards
        if (a := c.for_authority("lewisham")) is not None and a.silent and not c.uncovered
    )
    text = answer_card(card, "lewisham", guide.context).text
    assert text.startswith("Lewisham's procedure doesn't cover this")
    numbered = [line for line in text.splitlines() if line[:1].isdigit()]
    assert numbered and all("procedure — " in line for line in numbered)
    assert not any("Lewisham's procedure —" in line for line in numbered)


def test_a_question_no_chapter_answers_is_told_so(guide: Guide) -> None:
    text = answer_card(guide.library.get("transfers"), "kent", guide.context).text
    assert "No other authority's procedure covers it either" in text


def test_a_disclosure_puts_the_escalation_first(guide: Guide) -> None:
    text = _ask(guide, "the 9 year old told me her stepdad hit her with a belt last night")
    assert text.startswith(SAFETY_FIRST_LINE)
    assert "strategy" in text.lower()


def test_a_concept_question_gets_no_emergency_line(guide: Guide) -> None:
    text = _ask(guide, "what counts as significant harm, in general terms")
    assert SAFETY_FIRST_LINE not in text


def test_the_engines_safety_intent_is_overruled_only_by_a_sure_non_urgent_reading(
    guide: Guide,
) -> None:
    routine = "how many days have i got to type up my home visit notes on the system"
    assert SAFETY_FIRST_LINE not in _ask(guide, routine, urgent=True)
    assert _ask(guide, "something awful happened", urgent=True).startswith(SAFETY_FIRST_LINE)


def test_first_steps_then_the_next_stage(guide: Guide) -> None:
    first = guide.answer(Question("where do i start with a new assessment", "gateshead"))
    assert first.stage == 1 and first.reply.text.startswith("Stage 1 of")
    after = guide.answer(
        Question("what next", "gateshead", intent="ask_next_step", last_stage=first.stage)
    )
    assert after.stage == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("<b>hello</b>", NOT_UNDERSTOOD), ("qwpoeiru zmxncb alskdj", NOT_UNDERSTOOD),
     ("Sut mae gwneud asesiad plentyn?", OTHER_LANGUAGE)],
)  # fmt: skip
def test_what_is_not_understood_is_said_with_three_suggestions(
    guide: Guide, text: str, expected: str
) -> None:
    reply = guide.answer(Question(text, "kent", last_topic="homeless-16-17")).reply
    assert reply.text == expected
    assert len(reply.buttons) == 3 and not reply.citations


def test_an_authority_name_in_the_question_does_not_take_it_over(reader: MessageReader) -> None:
    reading = reader.read("do i need consent from mum before i speak to the school in kent?")
    assert reading.card in {"consent-for-assessment", "sharing-without-consent"}


def test_a_branch_answer_uses_its_card_and_adds_only_what_it_does_not_say(
    guide: Guide, knowledge_base: KnowledgeBase
) -> None:
    branches = BranchGuide(
        load_branches(KNOWLEDGE_DIR, set(knowledge_base.topic_ids)),
        knowledge_base,
        load_timescale_service(KNOWLEDGE_DIR),
        guide.library,
    )
    card = guide.library.get("trafficking-nrm").for_authority("kent")
    assert card is not None
    text = answer_branch(
        branches, branches.branches["trafficking-nrm"], "kent", {}, date(2026, 12, 2)
    ).text
    assert card.answer in text
    assert all(step.say in text for step in card.steps)
    numbered = [line for line in text.splitlines() if line[:1].isdigit()]
    assert len(numbered) == len({line.split(". ", 1)[1] for line in numbered})
