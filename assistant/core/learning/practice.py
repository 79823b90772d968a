"""Practice cases: a short case, the worker's plan, and what they covered or missed against
the procedure's key actions, each with the section that says why."""

from __future__ import annotations

import hashlib
import re

from assistant.core.guidance.style import source_name
from assistant.core.learning.bank import LearningBank, PracticeCase
from assistant.core.learning.learner import Learner
from assistant.core.learning.quiz import cited_section, supporting_sentence
from assistant.core.procedures.citations import cite
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Reply

_WORD = re.compile(r"[a-z0-9]+")


def cases_for(bank: LearningBank, authority: str) -> list[PracticeCase]:
    return [c for c in bank.cases if c.authority in (None, authority)]


def choose_case(
    bank: LearningBank, learner: Learner, authority: str, topic_weights: dict[str, float]
) -> PracticeCase:
    """The case on the topic the worker named, else one they haven't tried (then the least
    well done)."""
    cases = cases_for(bank, authority)
    named = [c for c in cases if topic_weights.get(c.topic, 0.0) >= 1.0]
    pool = named or cases

    def order(case: PracticeCase) -> tuple[float, str]:
        record = learner.cases.get(case.id)
        done = record.covered / record.total if record and record.total else -1.0
        return (done, hashlib.sha256(f"{learner.id}:{case.id}".encode()).hexdigest())

    return min(pool, key=order)


def case_reply(case: PracticeCase) -> Reply:
    return Reply(
        f"Practice case: {case.title}\n{case.vignette}\n{case.prompt}",
        extras={"practice": {"case": case.id}},
    )


def _covers(answer_words: list[str], group: tuple[str, ...]) -> bool:
    """Every word of the group begins a word of the answer ("assess" matches "assessment");
    a group word with a space must appear as a phrase."""
    joined = " ".join(answer_words)
    for word in group:
        if " " in word:
            if word not in joined:
                return False
        elif not any(w.startswith(word) for w in answer_words):
            return False
    return True


def compare(case: PracticeCase, answer: str) -> tuple[list[str], list[str]]:
    """The ids of the key actions the answer covers, and of those it misses."""
    words = _WORD.findall(answer.lower())
    covered = [a.id for a in case.key_actions if any(_covers(words, g) for g in a.words)]
    return covered, [a.id for a in case.key_actions if a.id not in covered]


def compare_reply(
    case: PracticeCase, answer: str, authority: str, knowledge: KnowledgeBase
) -> tuple[Reply, int]:
    """The comparison, and how many key actions were covered."""
    covered, missed = compare(case, answer)
    actions = {a.id: a for a in case.key_actions}
    lines = [f"You covered {len(covered)} of {len(case.key_actions)} key actions."]
    if covered:
        lines.append("Covered:")
        lines += [f"✓ {actions[a].action}" for a in covered]
    citations = []
    if missed:
        lines.append("Missed:")
        for action_id in missed:
            action = actions[action_id]
            section = cited_section(action.sections, authority, knowledge)
            short = knowledge.authorities.get(section.authority).short_name
            lines.append(f"✗ {action.action}. {action.why} ({source_name(section, short)})")
            citations.append(cite(section, supporting_sentence(section, action.key_phrase)))
    lines.append(
        "This is practice: in a real case your judgement and your manager's decide, with the "
        "procedure."
    )
    return Reply("\n".join(lines), citations=tuple(citations)), len(covered)
