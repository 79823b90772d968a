"""The quiz bank (knowledge/quiz.yml) and the practice cases (knowledge/practice_cases.yml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MY_AUTHORITY = "my-authority"


@dataclass(frozen=True)
class QuizTopic:
    id: str
    title: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class QuizQuestion:
    id: str
    topic: str
    authority: str | None
    question: str
    choices: tuple[str, ...]
    answer: int
    reason: str
    key_phrase: str
    sections: tuple[str, ...]

    @property
    def right_choice(self) -> str:
        return self.choices[self.answer]


@dataclass(frozen=True)
class KeyAction:
    id: str
    action: str
    words: tuple[tuple[str, ...], ...]
    key_phrase: str
    sections: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class PracticeCase:
    id: str
    title: str
    topic: str
    authority: str | None
    vignette: str
    prompt: str
    key_actions: tuple[KeyAction, ...]


@dataclass(frozen=True)
class LearningBank:
    topics: Mapping[str, QuizTopic]
    questions: tuple[QuizQuestion, ...]
    cases: tuple[PracticeCase, ...]

    def question(self, question_id: str) -> QuizQuestion | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def case(self, case_id: str) -> PracticeCase | None:
        return next((c for c in self.cases if c.id == case_id), None)

    def for_authority(self, authority: str) -> tuple[QuizQuestion, ...]:
        """The national questions and the authority's own (never another authority's)."""
        return tuple(q for q in self.questions if q.authority in (None, authority))


def _question(raw: Mapping[str, Any]) -> QuizQuestion:
    return QuizQuestion(
        id=str(raw["id"]),
        topic=str(raw["topic"]),
        authority=raw.get("authority"),
        question=" ".join(str(raw["question"]).split()),
        choices=tuple(str(c) for c in raw["choices"]),
        answer=int(raw["answer"]),
        reason=" ".join(str(raw["reason"]).split()),
        key_phrase=str(raw["key_phrase"]),
        sections=tuple(str(s) for s in raw["sections"]),
    )


def _case(raw: Mapping[str, Any]) -> PracticeCase:
    return PracticeCase(
        id=str(raw["id"]),
        title=str(raw["title"]),
        topic=str(raw["topic"]),
        authority=raw.get("authority"),
        vignette=" ".join(str(raw["vignette"]).split()),
        prompt=str(raw.get("prompt", "What would you do next?")),
        key_actions=tuple(
            KeyAction(
                id=str(a["id"]),
                action=str(a["action"]),
                words=tuple(tuple(str(w).lower() for w in group) for group in a["words"]),
                key_phrase=str(a["key_phrase"]),
                sections=tuple(str(s) for s in a["sections"]),
                why=" ".join(str(a["why"]).split()),
            )
            for a in raw["key_actions"]
        ),
    )


def load_learning_bank(knowledge_dir: Path) -> LearningBank:
    quiz = yaml.safe_load((knowledge_dir / "quiz.yml").read_text(encoding="utf-8"))
    cases = yaml.safe_load((knowledge_dir / "practice_cases.yml").read_text(encoding="utf-8"))
    topics = {
        str(k): QuizTopic(str(k), str(v["title"]), tuple(str(w).lower() for w in v["words"]))
        for k, v in quiz["quiz_topics"].items()
    }
    return LearningBank(
        topics=topics,
        questions=tuple(_question(q) for q in quiz["questions"]),
        cases=tuple(_case(c) for c in cases["cases"]),
    )
