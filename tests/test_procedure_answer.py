"""Answers built from the procedure text: on topic, must/should marked, honestly sourced."""

from __future__ import annotations

import re

import pytest

from assistant.core.guidance.other_answers import (
    answer_danger,
    explain_term,
    sounds_like_danger_now,
)
from assistant.core.guidance.procedure_answer import answer_from_procedure
from assistant.core.procedures.knowledge_base import KnowledgeBase


@pytest.mark.parametrize(
    ("question", "authority", "expected"),
    [
        ("16 year old girl kicked out by her dad, sleeping at friends", "kent", "section 20"),
        ("boy from Vietnam found working in a cannabis farm", "lewisham", "National Referral"),
        ("grandmother lives in Nigeria and wants to care for them", "kent", "CFAB"),
        ("15 year old being groomed by older men, going missing", "gateshead", "Multi-Agency"),
        ("family speak only Arabic", "lewisham", "interpreter"),
        ("dad is really aggressive and won't let me in", "blackpool", "hostil"),
    ],
)
def test_answers_stay_on_the_question_and_cite_their_sections(
    knowledge_base: KnowledgeBase, question: str, authority: str, expected: str
) -> None:
    answer = answer_from_procedure(question, authority, knowledge_base)
    text = answer.reply.text
    assert expected.lower() in text.lower(), text
    assert "procedure." in text.splitlines()[0]
    assert answer.reply.citations
    cited = {c.section_id for c in answer.reply.citations}
    assert all(c.authority == authority for c in answer.reply.citations)
    assert "Sources:" in text and cited


def test_steps_are_marked_must_or_should(knowledge_base: KnowledgeBase) -> None:
    text = answer_from_procedure(
        "do I need consent for an NRM referral", "kent", knowledge_base
    ).reply.text
    steps = [line for line in text.splitlines() if line[:2].rstrip(".").isdigit()]
    assert steps and all(("Must:" in s) or ("Should:" in s) for s in steps)


def test_a_silent_authority_says_so_and_labels_other_procedures(
    knowledge_base: KnowledgeBase,
) -> None:
    answer = answer_from_procedure(
        "the parents are hostile and show disguised compliance", "kent", knowledge_base
    )
    assert answer.authority_silent
    assert answer.reply.text.startswith("I can't find anything on hostility")
    assert "not your authority's own procedure" in answer.reply.text
    assert all(c.authority != "kent" for c in answer.reply.citations)
    # Each step says whose procedure it is from, and that procedure is cited.
    names = {knowledge_base.authorities.get(c.authority).short_name for c in answer.reply.citations}
    steps = re.findall(r"^\d+\. (.*)$", answer.reply.text, flags=re.MULTILINE)
    assert steps
    for step_text in steps:
        owner = re.match(r"^(.+?)'s? procedure — ", step_text)
        assert owner is not None, step_text
        assert owner.group(1) in names and owner.group(1) != "Kent"


def test_a_continuing_paragraph_shares_the_topic_of_the_one_before(
    knowledge_base: KnowledgeBase,
) -> None:
    section = knowledge_base.section("gateshead/where-this-is-the-case-the-social-worker-should")
    assert "extra-familial-harm" in section.topics


def test_danger_comes_first(knowledge_base: KnowledgeBase) -> None:
    reply = answer_danger("he said his dad punched him", "gateshead", knowledge_base)
    first = reply.text.splitlines()[0]
    assert first.startswith("Tell your manager now; call the police on 999")
    # Then the worker's own procedure: the police, and the escalation it sets.
    assert "Police must be notified immediately" in reply.text


def test_glossary_answers_cite_the_workers_authority_first(
    knowledge_base: KnowledgeBase,
) -> None:
    reply = explain_term("what's an NRM?", knowledge_base, "lewisham")
    assert reply is not None and "National Referral Mechanism" in reply.text
    assert explain_term("how are you today", knowledge_base, "kent") is None


@pytest.mark.parametrize(
    ("text", "danger"),
    [
        ("the child is at risk of immediate harm right now", True),
        ("she's in danger tonight", True),
        ("he is being hit at home right now", True),
        ("dad is threatening to kill mum", True),
        ("unsafe to go home", True),
        ("Me and the youth worker", False),
        ("previous s47 in 2024, child was at risk of harm", False),
        ("danger signs in the family history", False),
    ],
)
def test_danger_now_is_heard_in_the_words(text: str, danger: bool) -> None:
    assert sounds_like_danger_now(text) is danger
