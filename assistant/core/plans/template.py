"""What an authority's assessment plan asks for (knowledge/plan.yml), found in its procedure.

An item is part of an authority's plan only when its own procedure has the text behind it,
which is also what the plan cites: Lewisham's plans ask for a genogram and a chronology
because Lewisham's procedure does; the regional partnership's manager checks information
from partners because its procedure says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Literal, Protocol, TypeVar, cast

import yaml

from assistant.core.plans.model import DUE_ANCHORS, is_due_rule
from assistant.core.procedures.model import Section
from assistant.core.procedures.statements import Statement

QuestionKind = Literal["text", "decision"]
DEFAULT_QUESTION_TOPICS = ("planning-the-assessment",)
CHECKLIST_TOPICS = ("assessment-review",)
T = TypeVar("T")


class PlanDataError(ValueError):
    """knowledge/plan.yml is inconsistent with the rest of the knowledge."""


class Found(Protocol):
    """A sentence of a procedure and the section it is in (branch_answer.Found)."""

    @property
    def statement(self) -> Statement: ...

    @property
    def section(self) -> Section: ...


class SentenceFinder(Protocol):
    """Finds the authority's sentence that fits a query, within sections on given topics."""

    def find(self, authority: str, topics: tuple[str, ...], query: str) -> Found | None: ...


@dataclass(frozen=True)
class PlanQuestion:
    id: str
    heading: str
    ask: str
    family: str
    find: tuple[str, ...]
    kind: QuestionKind = "text"
    topics: tuple[str, ...] = DEFAULT_QUESTION_TOPICS


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    label: str
    find: tuple[str, ...]


@dataclass(frozen=True)
class ActionTemplate:
    what: str
    who: str
    due: str
    find: tuple[str, ...]
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanTemplate:
    questions: tuple[PlanQuestion, ...]
    checklist: tuple[ChecklistItem, ...]
    actions: Mapping[str, tuple[ActionTemplate, ...]]


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A plan item with the procedure sentence and section it comes from."""

    item: T
    quote: str
    section: Section


@dataclass(frozen=True)
class AuthorityPlan:
    """The plan items an authority's procedure supports, each with its source."""

    authority: str
    questions: tuple[Sourced[PlanQuestion], ...]
    checklist: tuple[Sourced[ChecklistItem], ...]
    actions: Mapping[str, tuple[Sourced[ActionTemplate], ...]]

    def question(self, question_id: str) -> Sourced[PlanQuestion] | None:
        return next((q for q in self.questions if q.item.id == question_id), None)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.item.id for q in self.questions)


def check_due(due: str) -> str:
    if not is_due_rule(due):
        raise PlanDataError(
            f"unknown due rule {due!r}: use working_days:<n> or one of {DUE_ANCHORS}"
        )
    return due


def _queries(raw: object) -> tuple[str, ...]:
    """`find` is one query or a list of alternatives, tried in order."""
    return tuple(str(q) for q in raw) if isinstance(raw, list) else (str(raw),)


def _question(raw: Mapping[str, object]) -> PlanQuestion:
    kind = str(raw.get("kind", "text"))
    if kind not in ("text", "decision"):
        raise PlanDataError(f"question {raw.get('id')}: unknown kind {kind!r}")
    topics = tuple(cast(list[str], raw.get("topics", DEFAULT_QUESTION_TOPICS)))
    return PlanQuestion(
        id=str(raw["id"]),
        heading=str(raw["heading"]),
        ask=" ".join(str(raw["ask"]).split()),
        family=str(raw["family"]),
        find=_queries(raw["find"]),
        kind=cast(QuestionKind, kind),
        topics=topics,
    )


def _action(raw: Mapping[str, object]) -> ActionTemplate:
    return ActionTemplate(
        what=str(raw["what"]),
        who=str(raw["who"]),
        due=check_due(str(raw["due"])),
        find=_queries(raw["find"]),
        topics=tuple(cast(list[str], raw.get("topics", ()))),
    )


def load_plan_template(
    knowledge_dir: Path, topic_ids: set[str], branch_ids: set[str]
) -> PlanTemplate:
    raw = yaml.safe_load((knowledge_dir / "plan.yml").read_text(encoding="utf-8"))
    questions = tuple(_question(q) for q in raw["questions"])
    checklist = tuple(
        ChecklistItem(str(c["id"]), str(c["label"]), _queries(c["find"])) for c in raw["checklist"]
    )
    actions = {str(b): tuple(_action(a) for a in items) for b, items in raw["actions"].items()}
    ids = [q.id for q in questions] + [c.id for c in checklist]
    if len(ids) != len(set(ids)):
        raise PlanDataError("plan.yml: question and checklist ids must be unique")
    unknown_topics = {t for q in questions for t in q.topics} - topic_ids - {"*"}
    unknown_topics |= {t for a in actions.values() for x in a for t in x.topics} - topic_ids - {"*"}
    if unknown_topics:
        raise PlanDataError(f"plan.yml: unknown topics {sorted(unknown_topics)}")
    if set(actions) - branch_ids:
        raise PlanDataError(f"plan.yml: actions for unknown branches {set(actions) - branch_ids}")
    return PlanTemplate(questions, checklist, actions)


def plan_for_authority(
    template: PlanTemplate,
    finder: SentenceFinder,
    authority: str,
    branch_topics: Mapping[str, tuple[str, ...]],
) -> AuthorityPlan:
    """The items of `template` that `authority`'s procedure supports, with their sources."""

    def sourced(item: T, topics: tuple[str, ...], queries: tuple[str, ...]) -> Sourced[T] | None:
        for query in queries:
            found = finder.find(authority, topics, query)
            if found:
                return Sourced(item, found.statement.text, found.section)
        return None

    questions = [sourced(q, q.topics, q.find) for q in template.questions]
    checklist = [sourced(c, CHECKLIST_TOPICS, c.find) for c in template.checklist]
    actions = {
        branch: tuple(
            s
            for a in items
            if (s := sourced(a, a.topics or branch_topics[branch], a.find)) is not None
        )
        for branch, items in template.actions.items()
    }
    return AuthorityPlan(
        authority,
        tuple(q for q in questions if q is not None),
        tuple(c for c in checklist if c is not None),
        actions,
    )
