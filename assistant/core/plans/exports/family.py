"""The plan in plain words, for the child and family.

Only what the worker has answered is shown, under the plain headings of knowledge/plan.yml
(`family`), with the dates as "by Thursday 7 January 2027" and the actions still to do as
"<who> will <what>". There are no procedure quotes, section ids or practice terms: the
worker's own words go through the plain-words glossary, and a sentence that still has
jargon in it is left out.
"""

from __future__ import annotations

import re
from datetime import date

from assistant.core.plans.exports.common import unique_dates
from assistant.core.plans.exports.inert import inert_markdown
from assistant.core.plans.exports.plain_words import BRANCH_PLAIN, plain, plain_or_none
from assistant.core.plans.model import AnswerStatus, Plan
from assistant.core.plans.presenting import ActionView, DateView, PlanView, QuestionView
from assistant.core.timescales.formatting import long_date

TITLE = "Your assessment plan"
WHEN = "When things will happen"
WHAT_WE_WILL_DO = "What we will do"
ABOUT = "What this plan is about"
ENDING = "If anything here is wrong or unclear, tell your social worker."
_TIMESCALES_QUESTION = "timescales"
# "Tell your manager if …, so that …" (said to the worker) as the family would hear it.
_TELL_MANAGER = re.compile(r"^tell your manager if (.+?), so that (.+)$", re.IGNORECASE)
_SOCIAL_WORKER = {"me", "i", "myself", "social worker", "the social worker", "your social worker"}


def _names(references: list[str]) -> str:
    if not references:
        return "your family"
    if len(references) == 1:
        return references[0]
    return f"{', '.join(references[:-1])} and {references[-1]}"


def _assessment_due(view: PlanView) -> date | None:
    return next((d.when for d in view.dates if d.label == "Assessment to conclude"), None)


def _youngest(plan: Plan) -> str:
    born = [c for c in plan.children if c.date_of_birth]
    if len(born) == 1 or len(plan.children) == 1:
        return born[0].reference if born else plan.children[0].reference
    return "The youngest child"


def _when_line(item: DateView, view: PlanView, due: date | None) -> str | None:
    label, when = item.label.lower(), long_date(item.when)
    if label.startswith("assessment to conclude"):
        return f"We will finish the assessment by {when}."
    if "pre-birth" in label:
        return f"We will finish the assessment well before the baby is due, by {when}."
    if label == "18th birthday":
        return f"{_youngest(view.plan)} turns 18 on {when}."
    if "checkpoint" in label:
        return f"We will check how the assessment is going by {when}."
    if label.startswith(("assessment reviewed", "assessment updated")):
        return f"We will look at the assessment again by {when}."
    if "visit recorded" in label:
        return f"We will write up our visit by {when}."
    words = plain_or_none(item.label, due)
    return f"{words.rstrip('.')} by {when}." if words else None


def _who(who: str) -> str:
    words = plain(who).strip().rstrip(".")
    lowered = words.lower()
    if lowered in _SOCIAL_WORKER:
        return "Your social worker"
    if lowered.startswith(("social worker", "the social worker")):
        rest = lowered.split("social worker", 1)[1]
        rest = re.sub(r"\b(?:team )?manager\b", "their manager", rest)
        return f"Your social worker{rest}"
    return words[:1].upper() + words[1:]


def _what(what: str, due: date | None) -> str | None:
    what = _TELL_MANAGER.sub(r"make sure that, if \1, \2", what)
    words = plain_or_none(what.replace("your manager", "their manager"), due)
    if not words:
        return None
    # "Visit school" → "visit school", but "GP appointment" keeps its capitals.
    if not words[1:2].isupper():
        words = words[:1].lower() + words[1:]
    return words.rstrip(".")


def _action_line(action: ActionView, due: date | None) -> str | None:
    what = _what(action.what, due)
    who = plain_or_none(_who(action.who))
    if not what or not who:
        return None
    when = f" by {long_date(action.due)}" if action.due else ""
    return f"{who} will {what}{when}."


def _sentence(words: str) -> str:
    return words if words.endswith((".", "!", "?")) else f"{words}."


def _answer(question: QuestionView, due: date | None) -> str | None:
    if question.status is not AnswerStatus.ANSWERED:
        return None
    words = plain_or_none(question.answer, due) if question.answer else None
    words = _sentence(words) if words else None
    if question.decision is not None and question.decision.decided is not None:
        verdict = "Yes." if question.decision.decided else "No."
        return f"{verdict} {words}" if words else verdict
    return words


def _when_section(view: PlanView, due: date | None, answer: str | None) -> list[str]:
    lines = [f"## {WHEN}", ""]
    dated = [line for d in unique_dates(view) if (line := _when_line(d, view, due))]
    lines += [f"- {line}" for line in dict.fromkeys(dated)]
    if not dated:
        lines.append("We will tell you the dates soon.")
    if answer:
        lines += ["", answer]
    return [*lines, ""]


def plan_for_family(view: PlanView) -> str:
    plan = view.plan
    due = _assessment_due(view)
    names = _names([c.reference for c in plan.children])
    lines = [
        f"# {TITLE}",
        "",
        f"This is the plan for the assessment of {names}. "
        "It says who we will talk to, what we will do and when.",
        "",
    ]
    about = [BRANCH_PLAIN[b] for b in sorted(plan.branches) if b in BRANCH_PLAIN]
    if about:
        lines += [f"## {ABOUT}", "", "This plan is also about:", ""]
        lines += [f"- {words[:1].upper()}{words[1:]}." for words in about]
        lines.append("")

    shown_when = False
    for question in view.questions:
        answer = _answer(question, due)
        if question.id == _TIMESCALES_QUESTION:
            lines += _when_section(view, due, answer)
            shown_when = True
        elif answer:
            heading = plain_or_none(question.family_heading) or "More about the plan"
            lines += [f"## {heading}", "", answer, ""]
    if not shown_when:
        lines += _when_section(view, due, None)

    to_do = sorted(
        (a for a in view.actions if not a.done),
        key=lambda a: (a.due is None, a.due or date.min),
    )
    actions = [line for a in to_do if (line := _action_line(a, due))]
    if actions:
        lines += [f"## {WHAT_WE_WILL_DO}", ""]
        lines += [f"- {line}" for line in dict.fromkeys(actions)]
        lines.append("")

    lines += [ENDING, "", f"Plan number: {plan.id}", ""]
    return inert_markdown("\n".join(lines))
