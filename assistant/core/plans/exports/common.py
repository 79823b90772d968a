"""What the worker's exports (Markdown and Word) share: headings, labels and wording.

Both lay the plan out under the same headings in the same order, so that a manager who
reads one recognises the other.
"""

from __future__ import annotations

from assistant.core.plans.model import AnswerStatus, Decision
from assistant.core.plans.presenting import ActionView, DateView, PlanView, QuestionView
from assistant.core.replies import Citation
from assistant.core.timescales.formatting import long_date

TITLE = "Assessment plan"
DATES = "Dates"
PLANNING = "Planning"
ACTIONS = "Actions"
REVIEW_POINTS = "Review points"
MANAGER_REVIEW = "Manager's review"
STILL_OPEN = "Still open"
SOURCES = "Sources"
# The section headings, in the order both worker exports use.
SECTION_HEADINGS = (
    DATES,
    PLANNING,
    ACTIONS,
    REVIEW_POINTS,
    MANAGER_REVIEW,
    STILL_OPEN,
    SOURCES,
)
ACTION_COLUMNS = ("Who", "What", "By when", "Done")
CLOSING = (
    "This plan supports, and does not replace, professional judgement and management oversight."
)
# The branch titles of knowledge/branches.yml (the view carries only the ids).
BRANCH_TITLES = {
    "homeless-16-17": "16 and 17 year olds who may be homeless",
    "trafficking-nrm": "Trafficking, modern slavery and the National Referral Mechanism",
    "family-abroad": "Assessing family members abroad",
    "extra-familial-harm": "Extra-familial harm and contextual safeguarding",
    "pre-birth": "Pre-birth assessments",
}
_STATUS_TEXT = {
    None: "Not answered yet",
    AnswerStatus.NOT_SURE: "Not sure yet",
    AnswerStatus.SKIPPED: "Skipped",
}


def children_text(view: PlanView) -> str:
    return ", ".join(c.reference for c in view.plan.children) or "None given yet"


def branches_text(view: PlanView) -> str:
    titles = [BRANCH_TITLES.get(b, b) for b in sorted(view.plan.branches)]
    return "; ".join(titles) or "None"


def header_rows(view: PlanView) -> list[tuple[str, str]]:
    """The plan's particulars: label and value, in the order shown."""
    plan = view.plan
    rows = [
        ("Authority", view.authority_name),
        ("Plan reference", plan.id),
        ("Version", str(plan.version)),
        ("Children", children_text(view)),
        ("Referral date", long_date(plan.referral_date) if plan.referral_date else "Not given yet"),
    ]
    if "pre-birth" in plan.branches:
        edd = plan.expected_delivery_date
        rows.append(("Expected delivery date", long_date(edd) if edd else "Not given yet"))
    rows.append(("Branches", branches_text(view)))
    return rows


def date_line(item: DateView) -> str:
    """ "Assessment to conclude: Thursday 7 January 2027. 45 working days after …"."""
    source = f" (rule: {item.section_id})" if item.section_id else ""
    return f"{item.label}: {long_date(item.when)}. {item.how}{source}"


def no_dates_text(view: PlanView) -> str:
    if view.plan.referral_date is None:
        return "No dates yet: add the referral date and they are counted from it."
    return "No dates apply."


def decision_text(decision: Decision) -> str:
    verdict = {True: "Yes", False: "No", None: "Not decided yet"}[decision.decided]
    return f"Decision: {verdict} — {decision.reason}" if decision.reason else f"Decision: {verdict}"


def answer_text(question: QuestionView) -> str:
    """The worker's answer, or what stands in for it while open."""
    if question.decision is not None:
        return decision_text(question.decision)
    if question.status is AnswerStatus.ANSWERED:
        return question.answer or "Answered (no detail given)"
    status = _STATUS_TEXT.get(question.status, "Not answered yet")
    return f"{status}: {question.answer}" if question.answer else status


def citation_text(citation: Citation, view: PlanView) -> str:
    """Authority, section title, section id and version, as the sources list gives them."""
    authority = (
        view.authority_name if citation.authority == view.plan.authority else citation.authority
    )
    return (
        f"{authority}, “{citation.title}” ({citation.section_id}), "
        f"version {citation.source_version}"
    )


def action_row(action: ActionView) -> tuple[str, str, str, str]:
    when = long_date(action.due) if action.due else f"Not dated yet ({action.how})"
    return (action.who, action.what, when, "Yes" if action.done else "No")


def open_line(question: QuestionView) -> str:
    status = _STATUS_TEXT.get(question.status, "Not answered yet").lower()
    return f"{question.heading} ({status})"


def nothing_open_text() -> str:
    return "Nothing: every planning question is answered."


def unique_dates(view: PlanView) -> tuple[DateView, ...]:
    """The statutory dates and review points once each, by date (review points include the
    procedure's own checkpoints, which are also statutory dates)."""
    return tuple(sorted(dict.fromkeys((*view.dates, *view.review_points)), key=lambda d: d.when))
