"""The plan as Markdown, for the worker and the manager: every answer under the procedure's
heading, with the procedure's own words and where they come from."""

from __future__ import annotations

from assistant.core.plans.exports import common
from assistant.core.plans.exports.inert import inert_markdown
from assistant.core.plans.presenting import PlanView, QuestionView
from assistant.core.timescales.formatting import long_date


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _paragraph(text: str) -> str:
    """The worker's text as it was written, except that a line cannot start a heading."""
    lines = [line.lstrip() if line.lstrip().startswith("#") else line for line in text.splitlines()]
    return "\n".join(f"\\{line}" if line.startswith("#") else line for line in lines)


def _quote(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in text.strip().splitlines()]


def _question(question: QuestionView, view: PlanView) -> list[str]:
    lines = [f"### {question.heading}", "", _paragraph(common.answer_text(question)), ""]
    if question.quote:
        lines += ["The procedure says:", "", *_quote(question.quote), ""]
    lines += [f"Source: {common.citation_text(question.citation, view)}", ""]
    return lines


def plan_markdown(view: PlanView) -> str:
    lines = [f"# {common.TITLE}", ""]
    lines += [f"- **{label}:** {value}" for label, value in common.header_rows(view)]

    lines += ["", f"## {common.DATES}", ""]
    lines += [f"- {common.date_line(d)}" for d in view.dates] or [common.no_dates_text(view)]
    if view.warnings:
        lines += ["", *(f"- **Warning:** {w}" for w in view.warnings)]

    lines += ["", f"## {common.PLANNING}", ""]
    for question in view.questions:
        lines += _question(question, view)

    lines += [f"## {common.ACTIONS}", ""]
    if view.actions:
        lines += [
            "| " + " | ".join(common.ACTION_COLUMNS) + " |",
            "|" + "---|" * len(common.ACTION_COLUMNS),
        ]
        lines += [
            "| " + " | ".join(_cell(c) for c in common.action_row(a)) + " |" for a in view.actions
        ]
    else:
        lines.append("No actions yet.")

    lines += ["", f"## {common.REVIEW_POINTS}", ""]
    reviews = view.review_points
    lines += [f"- {long_date(r.when)}: {r.label}" for r in reviews] or ["None yet."]

    lines += ["", f"## {common.MANAGER_REVIEW}", ""]
    lines += [f"- [{'x' if c.ticked else ' '}] {c.label}" for c in view.checklist] or [
        "This procedure gives no review checklist."
    ]

    lines += ["", f"## {common.STILL_OPEN}", ""]
    open_questions = view.open_questions
    lines += [f"- {common.open_line(q)}" for q in open_questions] or [common.nothing_open_text()]

    lines += ["", f"## {common.SOURCES}", ""]
    lines += [f"- {common.citation_text(c, view)}" for c in view.citations] or ["None."]

    lines += ["", "---", "", f"_{common.CLOSING}_", ""]
    return inert_markdown("\n".join(lines))
