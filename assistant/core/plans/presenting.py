"""A plan as the worker, the manager and the exports see it: answers under the procedure's
headings, every date worked out from the inputs, the sources, and what is still open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.core.plans.dates import describe_due, plan_dates
from assistant.core.plans.model import AnswerStatus, Decision, Plan
from assistant.core.plans.template import AuthorityPlan
from assistant.core.procedures.citations import cite
from assistant.core.replies import Citation, Reply
from assistant.core.timescales.formatting import long_date
from assistant.core.timescales.service import TimescaleService

EXPORT_FORMATS = ("docx", "md", "ics", "family")


@dataclass(frozen=True)
class QuestionView:
    id: str
    heading: str
    family_heading: str
    answer: str
    status: AnswerStatus | None  # None: not reached yet
    decision: Decision | None
    quote: str
    citation: Citation


@dataclass(frozen=True)
class DateView:
    label: str
    when: date
    how: str
    section_id: str | None


@dataclass(frozen=True)
class ActionView:
    what: str
    who: str
    due: date | None
    how: str
    branch: str | None
    section_id: str | None
    done: bool


@dataclass(frozen=True)
class ChecklistView:
    id: str
    label: str
    ticked: bool
    citation: Citation


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    authority_name: str
    questions: tuple[QuestionView, ...]
    dates: tuple[DateView, ...]
    warnings: tuple[str, ...]
    actions: tuple[ActionView, ...]
    review_points: tuple[DateView, ...]
    checklist: tuple[ChecklistView, ...]

    @property
    def open_questions(self) -> tuple[QuestionView, ...]:
        return tuple(q for q in self.questions if q.status is not AnswerStatus.ANSWERED)

    @property
    def citations(self) -> tuple[Citation, ...]:
        seen: dict[str, Citation] = {}
        for c in [*(q.citation for q in self.questions), *(c.citation for c in self.checklist)]:
            seen.setdefault(c.section_id, c)
        return tuple(seen.values())


def build_view(
    plan: Plan, sources: AuthorityPlan, timescales: TimescaleService, today: date
) -> PlanView:
    """Everything shown about a plan, worked out now from its inputs."""
    dates = plan_dates(plan, timescales, today)
    result = dates.timescales
    questions = tuple(
        QuestionView(
            id=s.item.id,
            heading=s.item.heading,
            family_heading=s.item.family,
            answer=plan.answers[s.item.id].text if s.item.id in plan.answers else "",
            status=plan.answers[s.item.id].status if s.item.id in plan.answers else None,
            decision=plan.decisions.get(s.item.id),
            quote=s.quote,
            citation=cite(s.section),
        )
        for s in sources.questions
    )
    procedure_dates = tuple(
        DateView(item.display_label, item.when, item.explanation, item.section)
        for item in (result.all_dates if result else ())
    )
    statutory = procedure_dates
    if result and result.eighteenth_birthday:
        statutory += (
            DateView("18th birthday", result.eighteenth_birthday, "From the date of birth.", None),
        )
    actions = tuple(
        ActionView(a.what, a.who, when, describe_due(a.due), a.branch, a.section_id, a.done)
        for a, when in zip(plan.actions, dates.actions, strict=True)
    )
    reviews = tuple(
        DateView(r.label, when, describe_due(r.due), None)
        for r, when in zip(plan.review_points, dates.review_points, strict=True)
        if when is not None
    )
    # Checkpoints and the due date are the procedure's own review points.
    reviews = tuple(sorted((*procedure_dates, *reviews), key=lambda d: d.when))
    checklist = tuple(
        ChecklistView(
            c.item.id, c.item.label, plan.checklist.get(c.item.id, False), cite(c.section)
        )
        for c in sources.checklist
    )
    return PlanView(
        plan=plan,
        authority_name=timescales.authorities.get(plan.authority).name,
        questions=questions,
        dates=statutory,
        warnings=result.warnings if result else (),
        actions=actions,
        review_points=reviews,
        checklist=checklist,
    )


def plan_card(plan: Plan) -> dict[str, Any]:
    """What a channel needs to show the plan panel and fetch the rest from /api/plans."""
    return {
        "id": plan.id,
        "version": plan.version,
        "authority": plan.authority,
        "children": [c.reference for c in plan.children],
        "answered": sum(a.status is AnswerStatus.ANSWERED for a in plan.answers.values()),
        "finished": plan.finished,
        "exports": {f: f"/api/plans/{plan.id}/export?format={f}" for f in EXPORT_FORMATS},
    }


def plan_summary(
    plan: Plan, sources: AuthorityPlan, timescales: TimescaleService, today: date
) -> Reply:
    """The end of the walkthrough: what the plan holds, what is open, where to get it."""
    view = build_view(plan, sources, timescales, today)
    answered = len(view.questions) - len(view.open_questions)
    lines = [
        f"Your assessment plan is complete: {answered} of {len(view.questions)} planning "
        f"questions answered, {len(view.actions)} actions.",
    ]
    due = next((d for d in view.dates if d.label.lower().startswith("assessment")), None)
    if due:
        lines.append(f"The assessment is due by {long_date(due.when)}.")
    if view.open_questions:
        lines.append("Still open: " + "; ".join(q.heading for q in view.open_questions) + ".")
    lines.append(
        f"Reference {plan.id}. Download it as Word for your manager, as a calendar of the "
        "dates, or as a plain-language version for the family."
    )
    lines.append(
        "Your manager must review the plan with you regularly; the checklist they use is in the "
        "Word document."
    )
    return Reply("\n".join(lines), (), view.citations[:3], extras={"plan": plan_card(plan)})
