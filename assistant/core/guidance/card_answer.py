"""A guidance card as a reply, in the house style (ANSWER_STYLE.md).

The direct answer first; numbered steps, Must or Should from the quote; who decides; the
judgement line where a decision is at stake; the sources once. Where the worker's chapter is
silent, say so in one line, then what other authorities' chapters say, each labelled as theirs.
A concern of significant harm puts the worker's own procedure's escalation before anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.core.authorities import possessive
from assistant.core.guidance.cards import AuthorityAnswer, Card, CardKind, CardLibrary, Supported
from assistant.core.guidance.style import JUDGEMENT_LINE, numbered, source_name, sources_line, step
from assistant.core.procedures.citations import cite_statements, shorten
from assistant.core.procedures.model import Section
from assistant.core.replies import Button, Citation, Reply

# Said before anything else when a message raises a concern of significant harm.
SAFETY_FIRST_LINE = (
    "Tell your manager now; call the police on 999 if a child is in immediate danger."
)
ESCALATION_CARD = "safety-escalation"
# Other authorities shown when the worker's chapter is silent, and their steps each.
OTHERS_SHOWN = 2
OTHER_STEPS_EACH = 2
# Steps of a second card after the escalation: enough to answer, short enough for a phone.
SECOND_CARD_STEPS = 3
DECISION_KINDS = frozenset({CardKind.WHO})
DECISION_TOPICS = frozenset(
    {"s47-enquiries", "accommodation-s20", "homeless-16-17", "trafficking-nrm",
     "outcomes-and-decisions"}
)  # fmt: skip
NEXT_STEP_PAYLOAD = "/ask_next_step"
PLAN_PAYLOAD = "/plan_assessment"


@dataclass(frozen=True)
class CardContext:
    """What rendering needs from the knowledge base, as plain lookups."""

    library: CardLibrary
    section: Callable[[str], Section]
    short_name: Callable[[str], str]


def _steps_text(steps: Sequence[Supported]) -> str:
    return numbered(step(s.force, s.say) for s in steps)


def _citations(items: Sequence[Supported], context: CardContext) -> tuple[Citation, ...]:
    by_section: dict[str, list[str]] = {}
    for item in items:
        by_section.setdefault(item.section, []).append(item.quote)
    return tuple(
        cite_statements(context.section(section_id), quotes)
        for section_id, quotes in by_section.items()
    )


def _sources(items: Sequence[Supported], context: CardContext) -> str:
    sections = [context.section(s) for s in dict.fromkeys(i.section for i in items)]
    return sources_line(source_name(s, context.short_name(s.authority)) for s in sections)


def _show_text_buttons(items: Sequence[Supported], context: CardContext) -> tuple[Button, ...]:
    first = next(iter(items), None)
    if first is None:
        return ()
    section = context.section(first.section)
    return (
        Button(
            f"Show me the text: {shorten(section.title, 40)}",
            f'/show_section{{"section_id": "{section.id}"}}',
        ),
    )


def _own_lines(card: Card, answer: AuthorityAnswer, steps: Sequence[Supported]) -> list[str]:
    lines = [answer.answer, _steps_text(steps)]
    if answer.decides is not None:
        lines.append(f"Who decides: {answer.decides.say}")
    if card.kind in DECISION_KINDS or card.topic in DECISION_TOPICS:
        lines.append(JUDGEMENT_LINE)
    return lines


def _silent_lines(
    card: Card, authority: str, context: CardContext
) -> tuple[list[str], list[Supported]]:
    own = possessive(context.short_name(authority))
    lines = [f"{own} procedure doesn't cover this ({card.title.lower()})."]
    others = card.answered_elsewhere(authority)[:OTHERS_SHOWN]
    used: list[Supported] = []
    if not others:
        lines.append("No other authority's procedure covers it either; check with your manager.")
        return lines, used
    lines.append(
        "Other authorities' procedures say (not yours; check how it applies with your manager):"
    )
    labelled = []
    for other in others:
        theirs = possessive(context.short_name(other.authority))
        for item in other.steps[:OTHER_STEPS_EACH]:
            labelled.append(f"{theirs} procedure — {step(item.force, item.say)}")
            used.append(item)
    lines.append(numbered(labelled))
    return lines, used


def answer_card(
    card: Card, authority: str, context: CardContext, extra_buttons: Sequence[Button] = ()
) -> Reply:
    """The card's answer for the worker's authority, or its silence and others' answers."""
    answer = card.for_authority(authority)
    if answer is None or answer.silent:
        lines, used = _silent_lines(card, authority, context)
    else:
        used = list(answer.steps) + ([answer.decides] if answer.decides else [])
        lines = _own_lines(card, answer, answer.steps)
    lines.append(_sources(used, context))
    buttons = _show_text_buttons(used, context) + tuple(extra_buttons)
    return Reply("\n".join(line for line in lines if line), buttons, _citations(used, context))


def answer_with_escalation(
    card: Card | None, authority: str, context: CardContext, second: Card | None = None
) -> Reply:
    """A concern of significant harm: the safety line, then the worker's own procedure's
    escalation, then the question the message also asked (briefly)."""
    escalation = card if card is not None and card.urgent else context.library.get(ESCALATION_CARD)
    own = escalation.for_authority(authority)
    if own is None or own.silent:
        own = context.library.get(ESCALATION_CARD).for_authority(authority)
    lines = [SAFETY_FIRST_LINE]
    used: list[Supported] = []
    if own is not None and not own.silent:
        lines += [own.answer, _steps_text(own.steps)]
        used += own.steps
    follow = second if second is not None and not second.urgent else None
    if card is not None and not card.urgent:
        follow = card
    if follow is not None:
        theirs = follow.for_authority(authority)
        if theirs is not None and not theirs.silent:
            lines.append(f"On {follow.title.lower()}: {theirs.answer}")
            lines.append(_steps_text(theirs.steps[:SECOND_CARD_STEPS]))
            used += theirs.steps[:SECOND_CARD_STEPS]
    lines.append(JUDGEMENT_LINE)
    lines.append(_sources(used, context))
    return Reply(
        "\n".join(line for line in lines if line),
        _show_text_buttons(used, context),
        _citations(used, context),
    )
