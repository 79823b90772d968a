"""The quiz bank and practice cases only claim what the cited procedure text says.

Every quiz answer and every practice-case key action names a `key_phrase` and the sections it
comes from; each cited section must contain that phrase (or a glossary synonym of it),
compared case-insensitively with whitespace folded.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.core.procedures.knowledge_base import KnowledgeBase

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
AUTHORITIES = {"gateshead", "blackpool", "kent", "lewisham", "regional"}


def _load(name: str) -> Any:
    return yaml.safe_load((KNOWLEDGE_DIR / name).read_text(encoding="utf-8"))


QUIZ = _load("quiz.yml")
CASES = _load("practice_cases.yml")
TOPICS = set(_load("topics.yml")["topics"])
GLOSSARY = _load("glossary.yml")["terms"]
QUESTIONS: list[dict[str, Any]] = QUIZ["questions"]
KEY_ACTIONS = [(case, action) for case in CASES["cases"] for action in case["key_actions"]]


def fold(text: str) -> str:
    """Lower-case, straighten quotes and collapse whitespace."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).strip().lower()


def synonyms(phrase: str) -> set[str]:
    """The phrase plus, if it names a glossary term, every name of that term."""
    names = {fold(phrase)}
    for key, term in GLOSSARY.items():
        term_names = {fold(key), fold(term["term"])} | {fold(a) for a in term.get("aliases", [])}
        if fold(phrase) in term_names:
            names |= term_names
    return names


def supported(text: str, phrase: str) -> bool:
    folded = fold(text)
    if fold(phrase) in folded:
        return True
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded) for name in synonyms(phrase))


@pytest.fixture(scope="module")
def kb(knowledge_base: KnowledgeBase) -> KnowledgeBase:
    return knowledge_base


# ---------------------------------------------------------------- quiz.yml


def test_quiz_has_enough_questions_with_unique_ids() -> None:
    assert len(QUESTIONS) >= 80
    ids = [q["id"] for q in QUESTIONS]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]


def test_quiz_topics_are_known_and_each_has_five_questions() -> None:
    topics = QUIZ["quiz_topics"]
    for topic_id, topic in topics.items():
        assert topic["title"] and topic["words"], topic_id
    counts = Counter(q["topic"] for q in QUESTIONS)
    assert set(counts) <= set(topics), set(counts) - set(topics)
    thin = {t: counts.get(t, 0) for t in topics if counts.get(t, 0) < 5}
    assert not thin, thin


def test_quiz_has_authority_specific_questions_for_every_authority() -> None:
    by_authority = Counter(q["authority"] for q in QUESTIONS if q["authority"])
    assert set(by_authority) <= AUTHORITIES, set(by_authority) - AUTHORITIES
    assert sum(by_authority.values()) >= 20
    assert set(by_authority) == AUTHORITIES, AUTHORITIES - set(by_authority)


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_quiz_question_is_well_formed(question: dict[str, Any]) -> None:
    choices = question["choices"]
    assert 3 <= len(choices) <= 4
    assert len({fold(c) for c in choices}) == len(choices), "choices repeat"
    assert isinstance(question["answer"], int) and 0 <= question["answer"] < len(choices)
    assert question["question"].strip() and question["reason"].strip()
    assert question["key_phrase"].strip()
    assert question["sections"], "cites no section"


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_quiz_answer_is_supported_by_every_cited_section(
    question: dict[str, Any], kb: KnowledgeBase
) -> None:
    for section_id in question["sections"]:
        section = kb.sections.get(section_id)
        assert section is not None, f"unknown section {section_id}"
        if question["authority"]:
            assert section.authority == question["authority"], section_id
        assert supported(section.text, question["key_phrase"]), (
            f"{section_id} does not contain {question['key_phrase']!r}"
        )


def test_quiz_answer_positions_vary() -> None:
    positions = Counter(q["answer"] for q in QUESTIONS)
    assert len(positions) >= 3, positions


# ------------------------------------------------------- practice_cases.yml


def test_practice_cases_count_ids_and_topics() -> None:
    cases = CASES["cases"]
    assert len(cases) >= 10
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for case in cases:
        assert case["topic"] in TOPICS, (case["id"], case["topic"])
        assert case["authority"] in AUTHORITIES | {None}, case["id"]
        assert case["vignette"].strip() and case["prompt"].strip(), case["id"]
        assert 3 <= len(case["key_actions"]) <= 6, case["id"]
        action_ids = [a["id"] for a in case["key_actions"]]
        assert len(action_ids) == len(set(action_ids)), case["id"]


@pytest.mark.parametrize(
    ("case", "action"), KEY_ACTIONS, ids=[f"{c['id']}:{a['id']}" for c, a in KEY_ACTIONS]
)
def test_key_action_is_supported_by_every_cited_section(
    case: dict[str, Any], action: dict[str, Any], kb: KnowledgeBase
) -> None:
    assert action["action"].strip() and action["why"].strip()
    assert action["words"], "no word groups"
    for group in action["words"]:
        assert group and all(isinstance(w, str) and w.strip() for w in group), group
    assert action["sections"], "cites no section"
    for section_id in action["sections"]:
        section = kb.sections.get(section_id)
        assert section is not None, f"unknown section {section_id}"
        if case["authority"]:
            assert section.authority == case["authority"], section_id
        assert supported(section.text, action["key_phrase"]), (
            f"{section_id} does not contain {action['key_phrase']!r}"
        )


def test_glossary_synonym_matching() -> None:
    assert supported("A referral to the NRM was made.", "national referral mechanism")
    assert not supported("Nothing relevant here.", "national referral mechanism")
    assert supported("Seen   ALONE\nat school", "seen alone")
