"""The procedure branches (knowledge/branches.yml): their questions and what they cover."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

import yaml

QuestionKind = Literal["yes_no", "age", "date", "country"]
_KINDS = ("yes_no", "age", "date", "country")
ANY_TOPIC = "*"
# A fact the worker has given: yes/no, an age in years, an ISO date, or a country name.
FactValue = bool | int | str
Facts = Mapping[str, FactValue | None]


class BranchDataError(ValueError):
    """branches.yml does not fit the topics or its own rules."""


@dataclass(frozen=True)
class Question:
    slot: str
    kind: QuestionKind
    ask: str
    why: str
    why_find: str
    yes: str = "Yes"
    no: str = "No"
    yes_words: tuple[str, ...] = ()
    no_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Point:
    """One thing the answer covers, found as a sentence of the worker's own procedure."""

    find: str
    when: Mapping[str, bool] = field(default_factory=dict)
    topics: tuple[str, ...] = ()
    # Only when the point before it found nothing (another wording of the same step).
    fallback: bool = False
    # The step the counted date belongs to ("completed at least 4 weeks before the EDD").
    dated: bool = False

    def applies(self, facts: Facts) -> bool:
        return all(facts.get(slot) is expected for slot, expected in self.when.items())


@dataclass(frozen=True)
class Branch:
    id: str
    title: str
    topics: tuple[str, ...]
    questions: tuple[Question, ...]
    points: tuple[Point, ...]

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(q.slot for q in self.questions)

    def question(self, slot: str) -> Question | None:
        return next((q for q in self.questions if q.slot == slot), None)


def _question(raw: Mapping[str, object], branch_id: str) -> Question:
    kind = str(raw["kind"])
    if kind not in _KINDS:
        raise BranchDataError(f"{branch_id}: question {raw['slot']} has unknown kind {kind!r}")
    return Question(
        slot=str(raw["slot"]),
        kind=cast(QuestionKind, kind),
        ask=str(raw["ask"]),
        why=str(raw["why"]),
        why_find=str(raw["why_find"]),
        yes=str(raw.get("yes_button", "Yes")),
        no=str(raw.get("no_button", "No")),
        yes_words=tuple(str(w).lower() for w in cast(list[str], raw.get("yes_words", []))),
        no_words=tuple(str(w).lower() for w in cast(list[str], raw.get("no_words", []))),
    )


def _branch(branch_id: str, raw: Mapping[str, object], topic_ids: set[str]) -> Branch:
    questions = tuple(
        _question(q, branch_id) for q in cast(list[dict[str, object]], raw.get("questions", []))
    )
    slots = {q.slot for q in questions}
    points = []
    for p in cast(list[dict[str, object]], raw["points"]):
        when = {str(k): bool(v) for k, v in cast(dict[str, object], p.get("when", {})).items()}
        if set(when) - slots:
            raise BranchDataError(f"{branch_id}: a point depends on {set(when) - slots}, not asked")
        point_topics = tuple(cast(list[str], p.get("topics", [])))
        points.append(
            Point(
                str(p["find"]),
                when,
                point_topics,
                fallback=bool(p.get("fallback", False)),
                dated=bool(p.get("dated", False)),
            )
        )
    topics = tuple(cast(list[str], raw["topics"]))
    unknown = ({*topics} | {t for p in points for t in p.topics}) - topic_ids - {ANY_TOPIC}
    if unknown:
        raise BranchDataError(f"{branch_id}: unknown topics {sorted(unknown)}")
    return Branch(branch_id, str(raw["title"]), topics, questions, tuple(points))


def load_branches(knowledge_dir: Path, topic_ids: set[str]) -> dict[str, Branch]:
    raw = yaml.safe_load((knowledge_dir / "branches.yml").read_text(encoding="utf-8"))
    branches = cast(dict[str, dict[str, object]], raw["branches"])
    return {branch_id: _branch(branch_id, b, topic_ids) for branch_id, b in branches.items()}
