"""Building a plan in conversation: one question at a time, with skip, back, "not sure" and
"carry on later". The plan keeps its place (`cursor`), so it resumes from any channel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from assistant.core.guidance.style import source_name, sources_line
from assistant.core.plans.dates import plan_dates, what_moved
from assistant.core.plans.editing import (
    with_action,
    with_answer,
    with_branches,
    with_children,
    with_date_of_birth,
    with_decision,
)
from assistant.core.plans.model import AnswerStatus, Plan, PlanValidationError
from assistant.core.plans.presenting import plan_card, plan_summary
from assistant.core.plans.template import AuthorityPlan
from assistant.core.privacy.redaction import redact
from assistant.core.procedures.citations import cite
from assistant.core.replies import Button, Reply
from assistant.core.timescales.dates import DateParseError, Tense, find_dates
from assistant.core.timescales.formatting import long_date
from assistant.core.timescales.service import TimescaleService

CHILDREN, REFERRAL, BRANCHES, EDD, BIRTH, ACTIONS = (
    "children",
    "referral_date",
    "branches",
    "expected_delivery_date",
    "date_of_birth",
    "actions",
)
NONE_OF_THESE = "None of these"
MIN_BRANCH_WEIGHT = 1.0


class Command(StrEnum):
    SKIP = "skip"
    BACK = "back"
    NOT_SURE = "not_sure"
    LATER = "later"


_COMMANDS: Mapping[Command, tuple[str, ...]] = {
    Command.SKIP: ("skip", "skip this", "skip it", "skip that", "next", "pass", "next question"),
    Command.BACK: ("back", "go back", "previous", "previous question", "undo"),
    Command.NOT_SURE: (
        "not sure",
        "unsure",
        "dont know",
        "don't know",
        "do not know",
        "no idea",
        "not yet known",
        "i'm not sure",
        "im not sure",
        "i don't know",
        "i dont know",
        "tbc",
        "to be confirmed",
    ),
    Command.LATER: (
        "carry on later",
        "continue later",
        "later",
        "pause",
        "save for later",
        "finish later",
        "i'll finish later",
        "ill finish later",
        "stop for now",
        "save and exit",
        "stop",
        "come back later",
        "i'll come back later",
        "do the rest later",
        "finish it later",
    ),
}
_FINISHED_WORDS = (
    "done",
    "no",
    "none",
    "nothing",
    "no more",
    "that's all",
    "thats all",
    "finish",
    "finished",
    "no thanks",
    "nope",
    "that's it",
    "thats it",
)
_YES_NO = re.compile(
    r"^\s*(?P<word>yes|yeah|yep|y|agreed|no|nope|n|not needed)\b[\s,.:;!-]*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_WORKING_DAYS = re.compile(r"\bwithin\s+(?P<days>\d{1,2})\s+working\s+days?\b", re.IGNORECASE)
_BY = re.compile(r"\s*\b(?:by|before|on)\s*$", re.IGNORECASE)
COMMAND_BUTTONS = (
    Button("Skip", "Skip"),
    Button("Not sure", "Not sure"),
    Button("Back", "Back"),
    Button("Carry on later", "Carry on later"),
)


def read_command(text: str) -> Command | None:
    said = " ".join(text.lower().replace("\u2019", "'").strip(" .!").split())
    return next((c for c, words in _COMMANDS.items() if said in words), None)


@dataclass(frozen=True)
class PlanContext:
    """What the walkthrough needs besides the plan."""

    sources: AuthorityPlan
    timescales: TimescaleService
    branch_titles: Mapping[str, str]
    # Topic weights of a message's words (KnowledgeBase.question_topics), to read branches.
    topic_weights: Callable[[str], Mapping[str, float]]
    today: date


@dataclass(frozen=True)
class Turn:
    plan: Plan
    replies: tuple[Reply, ...]
    finished: bool = False
    paused: bool = False


def steps(plan: Plan, ctx: PlanContext) -> list[str]:
    """The questions this plan asks, in order: the flags decide the dates asked for."""
    order = [CHILDREN, REFERRAL, BRANCHES]
    if "pre-birth" in plan.branches:
        order.append(EDD)
    if "homeless-16-17" in plan.branches:
        order.append(BIRTH)
    return [*order, *ctx.sources.question_ids, ACTIONS]


def current_step(plan: Plan, ctx: PlanContext) -> str:
    order = steps(plan, ctx)
    if plan.cursor in order:
        return plan.cursor
    return next((s for s in order if s not in plan.settled), order[0])


def _back(plan: Plan, ctx: PlanContext, step: str) -> Plan:
    order = steps(plan, ctx)
    at = order.index(step) if step in order else 0
    return plan.with_changes(cursor=order[max(at - 1, 0)])


def _forward(plan: Plan, ctx: PlanContext, step: str) -> Plan:
    """Settle `step` and go to the next step not yet dealt with; past the last, finished."""
    plan = plan.with_changes(settled=plan.settled | {step})
    order = steps(plan, ctx)
    at = order.index(step) if step in order else -1
    cursor = next((s for s in order[at + 1 :] if s not in plan.settled), None)
    return plan.with_changes(cursor=cursor, finished=cursor is None)


def reopen(plan: Plan, ctx: PlanContext) -> Plan:
    """A finished plan opened again at its open questions (not answered, or not sure), then
    its actions; answered questions are passed over."""
    open_steps = {
        s
        for s in ctx.sources.question_ids
        if s not in plan.answers or plan.answers[s].status is not AnswerStatus.ANSWERED
    }
    settled = plan.settled - open_steps - {ACTIONS}
    order = steps(plan, ctx)
    cursor = next(s for s in order if s not in settled)
    return plan.with_changes(settled=settled, cursor=cursor, finished=False)


def _heading(step: str, ctx: PlanContext) -> str:
    sourced = ctx.sources.question(step)
    if sourced:
        return sourced.item.heading
    return {
        CHILDREN: "Children",
        REFERRAL: "Referral date",
        BRANCHES: "Procedure branches",
        EDD: "Expected delivery date",
        BIRTH: "Date of birth",
        ACTIONS: "Actions",
    }[step]


def _current_answer(plan: Plan, step: str) -> str | None:
    if step == CHILDREN and plan.children:
        return ", ".join(c.reference for c in plan.children)
    if step == REFERRAL and plan.referral_date:
        return long_date(plan.referral_date)
    if step == EDD and plan.expected_delivery_date:
        return long_date(plan.expected_delivery_date)
    if step == BIRTH and plan.date_of_birth:
        return long_date(plan.date_of_birth)
    answer = plan.answers.get(step)
    return answer.text if answer and answer.text else None


def ask(plan: Plan, ctx: PlanContext) -> Reply:
    """The question the plan is at, with its number, the answer so far and the commands."""
    step = current_step(plan, ctx)
    order = steps(plan, ctx)
    lines = [f"Question {order.index(step) + 1} of {len(order)}: {_heading(step, ctx)}"]
    buttons: tuple[Button, ...] = COMMAND_BUTTONS
    if step == CHILDREN:
        lines.append(
            "Who is the assessment about? Give initials or case references only, not names "
            "(for example “AB, CD”)."
        )
    elif step == REFERRAL:
        lines.append("What date was the referral received?")
    elif step == BRANCHES:
        lines.append(
            "Do any of these apply? Tap one, or type them all (for example “trafficking and "
            "family abroad”)."
        )
        buttons = (
            *(Button(title, title) for title in ctx.branch_titles.values()),
            Button(NONE_OF_THESE, NONE_OF_THESE),
            *COMMAND_BUTTONS[2:],
        )
    elif step == EDD:
        lines.append("When is the baby due (the expected delivery date)?")
    elif step == BIRTH:
        lines.append(
            "What is the young person's date of birth? I'll check it against their 18th birthday."
        )
    elif step == ACTIONS:
        lines.append(
            "Any other actions? Say who, what and by when, for example “Me: visit school by "
            "4 December” or “Manager: review within 10 working days”. Say “done” to finish."
        )
        buttons = (Button("Done", "done"), *COMMAND_BUTTONS[2:])
    else:
        sourced = ctx.sources.question(step)
        assert sourced is not None  # steps() only lists the authority's own questions
        lines.append(sourced.item.ask)
        if sourced.item.kind == "decision":
            buttons = (Button("Yes", "Yes"), Button("No", "No"), *COMMAND_BUTTONS)
    said = _current_answer(plan, step)
    if said:
        # Masked again: a plan stored before masking existed may hold what it would catch.
        said = redact(said, ctx.timescales.authorities.name_words).text
        lines.append(f"So far: “{said}”. Answer again to change it, or skip to keep it.")
    return Reply("\n".join(lines), buttons, extras={"plan": plan_card(plan)})


def respond(plan: Plan, text: str, ctx: PlanContext) -> Turn:
    """Take the worker's reply to the question the plan is at."""
    step = current_step(plan, ctx)
    command = read_command(text)
    if command is Command.LATER:
        paused = plan.with_changes(cursor=step)
        return Turn(paused, (_paused_reply(paused),), paused=True)
    if command is Command.BACK:
        return Turn(_back(plan, ctx, step), ())
    if command is Command.SKIP:
        if step in ctx.sources.question_ids and step not in plan.answers:
            plan = with_answer(plan, step, "", AnswerStatus.SKIPPED)
        return _advance(plan, ctx, step, ())
    if command is Command.NOT_SURE:
        if step in ctx.sources.question_ids:
            plan = with_answer(plan, step, "", AnswerStatus.NOT_SURE)
        note = Reply("Noted as not sure yet: it stays open in the plan for you to come back to.")
        return _advance(plan, ctx, step, (note,))
    try:
        return _answer(plan, step, text, ctx)
    except (PlanValidationError, DateParseError) as error:
        return Turn(plan, (Reply(f"{error} Try again, or say skip."),))


def _advance(plan: Plan, ctx: PlanContext, step: str, replies: tuple[Reply, ...]) -> Turn:
    moved = _forward(plan, ctx, step)
    if moved.finished:
        return Turn(
            moved,
            (*replies, plan_summary(moved, ctx.sources, ctx.timescales, ctx.today)),
            finished=True,
        )
    return Turn(moved, replies)


def _one_date(text: str, today: date, tense: Tense) -> date:
    found = find_dates(text, today, tense)
    if len(found) != 1:
        raise PlanValidationError("Please give one date, day first (for example 14/11/2026).")
    return found[0].when


def _answer(plan: Plan, step: str, text: str, ctx: PlanContext) -> Turn:
    if step == CHILDREN:
        references = [r for r in re.split(r",|;|\band\b|&", text) if r.strip()]
        return _advance(with_children(plan, references), ctx, step, ())
    if step == REFERRAL:
        when = _one_date(text, ctx.today, Tense.PAST)
        if when > ctx.today:
            raise PlanValidationError(f"{long_date(when)} is in the future.")
        changed = plan.with_changes(referral_date=when)
        return _advance(changed, ctx, step, _dates_note(plan, changed, ctx))
    if step == EDD:
        changed = plan.with_changes(expected_delivery_date=_one_date(text, ctx.today, Tense.FUTURE))
        return _advance(changed, ctx, step, _dates_note(plan, changed, ctx))
    if step == BIRTH:
        changed = with_date_of_birth(plan, _one_date(text, ctx.today, Tense.PAST))
        return _advance(changed, ctx, step, _dates_note(plan, changed, ctx))
    if step == BRANCHES:
        chosen = read_branches(text, ctx)
        changed = with_branches(plan, chosen, ctx.sources)
        added = len(changed.actions) - len(plan.actions)
        said = f"Added {added} action{'s' if added != 1 else ''} from your procedure."
        return _advance(changed, ctx, step, (Reply(said),) if added > 0 else ())
    if step == ACTIONS:
        if text.lower().strip(" .!") in _FINISHED_WORDS:
            return _advance(plan, ctx, step, ())
        what, who, due = read_action(text, ctx.today)
        changed = with_action(plan, what, who, due)
        return Turn(changed, (Reply(f"Added: {who}: {what}. Another, or say “done”."),))
    sourced = ctx.sources.question(step)
    if sourced and sourced.item.kind == "decision":
        decided, reason = read_decision(text)
        changed = with_decision(plan, step, decided, reason)
        ask_reason = Reply("Noted. Add the reason when you can: the record needs it.")
        return _advance(changed, ctx, step, () if reason else (ask_reason,))
    return _advance(with_answer(plan, step, text), ctx, step, ())


def _dates_note(before: Plan, after: Plan, ctx: PlanContext) -> tuple[Reply, ...]:
    """What an input changed: the dates that moved, or the new assessment due date."""
    moved = what_moved(before, after, ctx.timescales, ctx.today)
    if moved:
        return (Reply("Dates that moved:\n" + "\n".join(f"• {line}" for line in moved)),)
    result = plan_dates(after, ctx.timescales, ctx.today).timescales
    if result is None or before.referral_date == after.referral_date:
        warnings = result.warnings if result else ()
        return tuple(Reply(w) for w in warnings)
    return (
        Reply(
            f"The assessment is due by {long_date(result.assessment_due.when)}: "
            f"{result.assessment_due.explanation}",
        ),
        *(Reply(w) for w in result.warnings),
    )


def read_branches(text: str, ctx: PlanContext) -> frozenset[str]:
    """The branches a reply names: a button's title, or the branches its words are about."""
    said = text.strip().lower()
    if said.strip(" .") in {NONE_OF_THESE.lower(), "none", "no", "neither", "n/a", "nope"}:
        return frozenset()
    exact = {b for b, title in ctx.branch_titles.items() if title.lower() == said}
    if exact:
        return frozenset(exact)
    weights = ctx.topic_weights(text)
    chosen = frozenset(b for b in ctx.branch_titles if weights.get(b, 0.0) >= MIN_BRANCH_WEIGHT)
    if not chosen:
        raise PlanValidationError(
            "I couldn't tell which of these applies. Tap one, or say “none of these”."
        )
    return chosen


def read_decision(text: str) -> tuple[bool | None, str]:
    """“Yes, mother's first language is Tigrinya” → (True, "mother's first language …")."""
    match = _YES_NO.match(text)
    if not match:
        return None, text.strip()
    word = match.group("word").lower()
    return word in {"yes", "yeah", "yep", "y", "agreed"}, match.group("rest").strip()


def read_action(text: str, today: date) -> tuple[str, str, str]:
    """“Me: visit school by 4 December” → ("visit school", "Me", "2026-12-04")."""
    who, sep, what = text.partition(":")
    if not sep or len(who.split()) > 4:
        who, what = "Social worker", text
    within = _WORKING_DAYS.search(what)
    if within:
        due = f"working_days:{int(within.group('days'))}"
        what = what[: within.start()] + what[within.end() :]
    else:
        found = find_dates(what, today)
        if not found:
            raise PlanValidationError(
                "By when? Add a date (“by 4 December”) or “within 10 working days”."
            )
        last = found[-1]
        due = last.when.isoformat()
        what = what[: last.start] + what[last.start + len(last.text) :]
    what = _BY.sub("", what.strip(" .,;")).strip(" .,;")
    return what[:1].upper() + what[1:], who.strip(), due


def _paused_reply(plan: Plan) -> Reply:
    return Reply(
        f"Saved. Your plan's reference is {plan.id}. To finish it, say “carry on with my plan” "
        f"(or “carry on with plan {plan.id}” from another device or Teams).",
        (Button("Carry on with my plan", f"carry on with plan {plan.id}"),),
        extras={"plan": plan_card(plan)},
    )


_PLAN_REFERENCE = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{10}\b")
_QUESTION_START = re.compile(
    r"^\s*(what|what's|whats|how|when|who|where|why|which|do|does|did|can|could|should|"
    r"is|are|must|will|would|explain|tell me|show me)\b",
    re.IGNORECASE,
)


def find_plan_reference(text: str) -> str | None:
    """A plan's reference (ten hex digits) in a message such as “carry on with plan 3fa2…”."""
    match = _PLAN_REFERENCE.search(text.lower())
    return match.group(0) if match else None


def looks_like_question(text: str) -> bool:
    """A question to the assistant rather than an answer to the plan's question."""
    text = text.strip()
    return text.startswith("/") or text.endswith("?") or bool(_QUESTION_START.match(text))


_WHY = {
    CHILDREN: "The plan is about particular children. Initials or a case reference keep names "
    "out of it, so it can be shared safely.",
    REFERRAL: "Every deadline in the plan is counted in working days from the referral date.",
    BRANCHES: "Each of these has steps of its own in your procedure; I add them to the plan as "
    "actions with dates.",
    EDD: "A pre-birth assessment must be completed at least 4 weeks before the baby is due; I "
    "count that date from the expected delivery date.",
    BIRTH: "The assessment, and plans for what happens at 18, must be made before the young "
    "person's 18th birthday.",
    ACTIONS: "A plan's actions should be SMART: who does what, by when, so that progress can be "
    "reviewed.",
}


def explain_step(plan: Plan, ctx: PlanContext) -> Reply:
    """“Why are you asking?” during the plan: the procedure's own planning question."""
    step = current_step(plan, ctx)
    sourced = ctx.sources.question(step)
    if sourced is None:
        return Reply(_WHY[step])
    section = sourced.section
    short_name = ctx.timescales.authorities.get(plan.authority).short_name
    quote = " ".join(sourced.quote.split())
    return Reply(
        "Your procedure lists this among the things to plan: "
        f"“{quote}”\n" + sources_line([source_name(section, short_name)]),
        citations=(cite(section, quote),),
    )
