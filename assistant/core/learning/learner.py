"""What a learner has done: each question's Leitner box and when it is due again, counted in
questions asked (so a missed question comes back after two others, in this session or the
next), and the practice cases tried."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

# Questions asked before a question is due again, by box: a miss goes back to box 0.
INTERVALS = (2, 5, 10, 20, 40)


@dataclass(frozen=True)
class QuestionRecord:
    box: int
    due_at: int
    attempts: int
    correct: int
    last_correct: bool


@dataclass(frozen=True)
class CaseRecord:
    covered: int
    total: int


@dataclass(frozen=True)
class Learner:
    id: str
    asked: int = 0
    questions: dict[str, QuestionRecord] = field(default_factory=dict)
    cases: dict[str, CaseRecord] = field(default_factory=dict)
    updated_at: datetime | None = None

    def answered(self, question_id: str, correct: bool, now: datetime) -> Learner:
        before = self.questions.get(question_id)
        box = min((before.box + 1) if before and correct else (1 if correct else 0), 4)
        asked = self.asked + 1
        record = QuestionRecord(
            box=box,
            due_at=asked + INTERVALS[box],
            attempts=(before.attempts if before else 0) + 1,
            correct=(before.correct if before else 0) + int(correct),
            last_correct=correct,
        )
        return replace(
            self, asked=asked, questions={**self.questions, question_id: record}, updated_at=now
        )

    def practised(self, case_id: str, covered: int, total: int, now: datetime) -> Learner:
        return replace(
            self, cases={**self.cases, case_id: CaseRecord(covered, total)}, updated_at=now
        )


def learner_to_json(learner: Learner) -> dict[str, Any]:
    return {
        "id": learner.id,
        "asked": learner.asked,
        "questions": {k: vars(v) for k, v in learner.questions.items()},
        "cases": {k: vars(v) for k, v in learner.cases.items()},
    }


def learner_from_json(body: dict[str, Any], updated_at: datetime | None = None) -> Learner:
    return Learner(
        id=str(body["id"]),
        asked=int(body.get("asked", 0)),
        questions={k: QuestionRecord(**v) for k, v in body.get("questions", {}).items()},
        cases={k: CaseRecord(**v) for k, v in body.get("cases", {}).items()},
        updated_at=updated_at,
    )


class LearnerRepository(Protocol):
    def get(self, learner_id: str) -> Learner:
        """The learner's record; a new, empty one for an id never seen."""
        ...

    def save(self, learner: Learner) -> None: ...
