"""Quiz questions: which comes next (missed ones sooner), reading the answer, the feedback
with the section it comes from."""

from __future__ import annotations

import hashlib
import re

from assistant.core.guidance.style import source_name, sources_line
from assistant.core.learning.bank import MY_AUTHORITY, LearningBank, QuizQuestion
from assistant.core.learning.learner import Learner
from assistant.core.procedures.citations import cite
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.procedures.model import Section
from assistant.core.procedures.statements import statements
from assistant.core.replies import Button, Reply

LETTERS = "ABCD"
STOP_QUIZ = Button("Stop the quiz", "stop the quiz")
_LETTER = re.compile(r"^\s*(?:option\s+|answer\s+)?\(?([a-d])\)?[.):]?\s*(?:$|[.:)-]|\s)", re.I)
_NUMBER = re.compile(r"^\s*([1-4])\s*[.)]?\s*$")
_AUTHORITY_WORDS = ("my authority", "my council", "my local authority", "our procedure", "my la")


def read_scope(text: str, bank: LearningBank, authority_names: dict[str, str]) -> str | None:
    """“quiz me on NRM” → "nrm"; “on my authority” (or its name) → MY_AUTHORITY; else None."""
    said = f" {' '.join(text.lower().split())} "
    if any(f" {w} " in said or w in said for w in _AUTHORITY_WORDS):
        return MY_AUTHORITY
    if any(name.lower() in said for name in authority_names.values()):
        return MY_AUTHORITY
    for topic in bank.topics.values():
        if any(f" {w} " in said or (len(w) > 4 and w in said) for w in topic.words):
            return topic.id
    return None


def in_scope(bank: LearningBank, authority: str, scope: str | None) -> list[QuizQuestion]:
    questions = bank.for_authority(authority)
    if scope == MY_AUTHORITY:
        return [q for q in questions if q.authority == authority]
    return [q for q in questions if scope is None or q.topic == scope]


def _spread(learner_id: str, question_id: str) -> str:
    return hashlib.sha256(f"{learner_id}:{question_id}".encode()).hexdigest()


def next_question(
    bank: LearningBank,
    learner: Learner,
    authority: str,
    scope: str | None,
    not_this: str | None = None,
) -> QuizQuestion | None:
    """The question most due: a missed one once two others have been asked, then new ones,
    then the rest by when they are due again. Never the one just asked."""
    candidates = [q for q in in_scope(bank, authority, scope) if q.id != not_this]
    if not candidates:
        return None

    def due(q: QuizQuestion) -> tuple[float, str]:
        record = learner.questions.get(q.id)
        # A new question ranks just after any question already due.
        when = record.due_at if record else learner.asked + 0.5
        return (max(when, learner.asked) if record else when, _spread(learner.id, q.id))

    return min(candidates, key=due)


def read_choice(question: QuizQuestion, text: str) -> int | None:
    """The choice a reply names: its letter, its number, or its words; None if unclear."""
    said = " ".join(text.strip().lower().split())
    letter = _LETTER.match(said)
    if letter and LETTERS.lower().index(letter.group(1)) < len(question.choices):
        return LETTERS.lower().index(letter.group(1))
    number = _NUMBER.match(said)
    if number and int(number.group(1)) <= len(question.choices):
        return int(number.group(1)) - 1
    named = [i for i, c in enumerate(question.choices) if c.lower() == said]
    if named:
        return named[0]
    containing = [i for i, c in enumerate(question.choices) if said and c.lower() in said]
    return containing[0] if len(containing) == 1 else None


def ask_question(question: QuizQuestion, number: int, topic_title: str) -> Reply:
    lines = [f"Question {number} ({topic_title}): {question.question}"]
    lines += [f"{LETTERS[i]}. {choice}" for i, choice in enumerate(question.choices)]
    buttons = tuple(
        Button(f"{LETTERS[i]}. {choice}"[:80], LETTERS[i])
        for i, choice in enumerate(question.choices)
    )
    return Reply(
        "\n".join(lines), (*buttons, STOP_QUIZ), extras={"quiz": {"question": question.id}}
    )


def cited_section(
    question_sections: tuple[str, ...], authority: str, knowledge: KnowledgeBase
) -> Section:
    """The worker's own authority's section where the bank cites one, else the first."""
    known = [knowledge.sections[s] for s in question_sections if s in knowledge.sections]
    return next((s for s in known if s.authority == authority), known[0])


def supporting_sentence(section: Section, key_phrase: str) -> str:
    """The sentence of the section that holds the key phrase (what the answer rests on)."""
    wanted = " ".join(key_phrase.lower().split())
    for passage in section.passages:
        for statement in statements(passage.text):
            if wanted in " ".join(statement.text.lower().split()):
                return statement.text
    return ""


def feedback(
    question: QuizQuestion, chosen: int, authority: str, knowledge: KnowledgeBase
) -> Reply:
    """Right or not, the right answer, why, and the section it comes from."""
    right = chosen == question.answer
    first = (
        "Right."
        if right
        else f"Not quite: the answer is {LETTERS[question.answer]}, {question.right_choice}."
    )
    section = cited_section(question.sections, authority, knowledge)
    name = knowledge.authorities.get(section.authority).short_name
    quote = supporting_sentence(section, question.key_phrase)
    text = f"{first} {question.reason}\n{sources_line([source_name(section, name)])}"
    return Reply(text, citations=(cite(section, quote),))
