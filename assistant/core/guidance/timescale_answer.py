"""Answering "when is it due?" in conversation: dates from the worker's words, explained."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assistant.core.guidance.style import numbered, source_name, sources_line, step
from assistant.core.procedures.citations import cite
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.procedures.statements import Force, classify
from assistant.core.replies import Button, Citation, Reply
from assistant.core.timescales.compute import (
    TimescaleInputs,
    TimescaleResult,
    pre_birth_complete_by,
)
from assistant.core.timescales.dates import FoundDate, Tense, find_dates, in_tense
from assistant.core.timescales.formatting import long_date, short_date
from assistant.core.timescales.service import TimescaleService

_EDD_WORDS = ("edd", "expected delivery", "due date", "baby", "birth", "pregnan", "deliver")
_DOB_WORDS = ("born", "dob", "date of birth", "birthday")
_VISIT_WORDS = ("visit", "visited", "saw the child", "seen")
# A date without a year points the way of what it dates: a delivery is to come, the rest
# have happened ("the referral came in on 14 December", said on 2 December 2026, is 2025).
_TENSE_OF_ROLE = {
    "expected_delivery_date": Tense.FUTURE,
    "date_of_birth": Tense.PAST,
    "visit_date": Tense.PAST,
    "referral_date": Tense.PAST,
}
ASK_FOR_REFERRAL = (
    "When did the referral come in? Tell me the date (for example 14 December, 14/12/2026 or "
    "last Tuesday) and I'll work out every deadline in working days."
)


@dataclass(frozen=True)
class RememberedDates:
    """Dates from earlier in the conversation (slots), as ISO strings."""

    referral_date: str | None = None
    expected_delivery_date: str | None = None
    date_of_birth: str | None = None
    # A referral date after today, said back to the worker: used once they say it again.
    unconfirmed_referral_date: str | None = None

    def get(self, name: str) -> date | None:
        value = getattr(self, name)
        return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class TimescaleAnswer:
    reply: Reply
    remembered: RememberedDates
    # True when the reply asks for the referral date: the next message is read as that date.
    asks_for_referral_date: bool = False


def _role(text: str, found: FoundDate) -> str:
    before = text[max(0, found.start - 40) : found.start].lower()
    after = text[found.start + len(found.text) : found.start + len(found.text) + 15].lower()
    window = before + " " + after
    if any(w in window for w in _EDD_WORDS):
        return "expected_delivery_date"
    if any(w in window for w in _DOB_WORDS):
        return "date_of_birth"
    if any(w in before for w in _VISIT_WORDS):
        return "visit_date"
    return "referral_date"


def _force_of_limit(knowledge: KnowledgeBase, section_id: str, phrase: str) -> Force:
    """Whether the procedure's own sentence about the limit says must or should."""
    section = knowledge.sections.get(section_id)
    if section is None:
        return Force.INFORMATION
    for sentence in section.text.replace("\n", " ").split(". "):
        if phrase in sentence:
            return classify(sentence)
    return Force.INFORMATION


def _steps(result: TimescaleResult, knowledge: KnowledgeBase, checkpoints_only: bool) -> list[str]:
    steps = []
    due = result.assessment_due
    for checkpoint in result.checkpoints:
        steps.append(f"{checkpoint.label}: {long_date(checkpoint.when)} ({checkpoint.status}).")
    if checkpoints_only:
        if not result.checkpoints:
            steps.append("This procedure sets no local checkpoints before the 45 working days.")
        steps.append(f"The assessment concludes by {long_date(due.when)} ({due.status}).")
        return steps
    force = _force_of_limit(knowledge, due.section or "", f"{due.working_days} working days")
    steps.append(
        step(
            force,
            f"the assessment concludes within {due.working_days} working days "
            f"of the referral: by {long_date(due.when)} ({due.status}).",
        )
    )
    if result.pre_birth_complete_by is not None:
        pre = result.pre_birth_complete_by
        steps.append(
            step(
                Force.GUIDANCE,
                f"complete the pre-birth assessment at least 4 weeks "
                f"before the expected delivery date: by "
                f"{long_date(pre.when)} ({pre.status}).",
            )
        )
    for other in result.others:
        steps.append(f"{other.label}: {long_date(other.when)}.")
    steps.append(
        f"Going past the time limit needs {result.extension_approver}: {result.extension_how}"
    )
    return steps


def answer_timescales(
    text: str,
    authority: str,
    service: TimescaleService,
    knowledge: KnowledgeBase,
    today: date,
    remembered: RememberedDates,
    checkpoints_only: bool = False,
) -> TimescaleAnswer:
    """Read the dates in the worker's message (or remembered ones) and explain every deadline.

    Raises DateParseError (an impossible date) and OutsideCalendarError for the caller to say.
    """
    found = [
        in_tense(item, today, _TENSE_OF_ROLE[_role(text, item)]) for item in find_dates(text, today)
    ]
    dates = {
        name: remembered.get(name)
        for name in ("referral_date", "expected_delivery_date", "date_of_birth")
    }
    visit = None
    notes = []
    said_referral = False
    for item in found:
        role = _role(text, item)
        if role == "visit_date":
            visit = item.when
        else:
            dates[role] = item.when
            said_referral = said_referral or role == "referral_date"
        if item.note:
            notes.append(item.note)
    referral = dates["referral_date"]
    authority_name = service.authorities.get(authority).short_name
    edd = dates["expected_delivery_date"]
    if referral is None and edd is not None:
        return _pre_birth_only(edd, authority, service, knowledge, today, notes, dates)
    if referral is None:
        return TimescaleAnswer(
            Reply(ASK_FOR_REFERRAL),
            RememberedDates(
                None, _iso(dates["expected_delivery_date"]), _iso(dates["date_of_birth"])
            ),
            asks_for_referral_date=True,
        )
    if (
        said_referral
        and referral > today
        and remembered.unconfirmed_referral_date != referral.isoformat()
    ):
        return _question_a_future_referral(referral, today, remembered, dates)
    inputs = TimescaleInputs(
        referral, dates["expected_delivery_date"], dates["date_of_birth"], visit
    )
    result = service.compute(authority, inputs, today)
    what = "Checkpoints" if checkpoints_only else "Timescales"
    lines = [f"{what} for a referral on {long_date(referral)} — {authority_name} procedure."]
    lines += notes
    lines.append(numbered(_steps(result, knowledge, checkpoints_only)))
    lines += [f"Warning: {w}" for w in result.warnings]
    lines.append(f"How I counted: {result.assessment_due.explanation}")
    section_ids = [i.section for i in result.all_dates if i.section] + [result.extension_section]
    sections = [
        knowledge.sections[s] for s in dict.fromkeys(section_ids) if s in knowledge.sections
    ]
    lines.append(
        sources_line(
            source_name(s, service.authorities.get(s.authority).short_name) for s in sections
        )
    )
    reply = Reply(
        "\n".join(lines),
        (),
        tuple(cite(s) for s in sections),
        extras={"timescales": _card(result)},
    )
    return TimescaleAnswer(
        reply,
        RememberedDates(
            _iso(referral), _iso(dates["expected_delivery_date"]), _iso(dates["date_of_birth"])
        ),
    )


def _pre_birth_only(
    edd: date,
    authority: str,
    service: TimescaleService,
    knowledge: KnowledgeBase,
    today: date,
    notes: list[str],
    dates: dict[str, date | None],
) -> TimescaleAnswer:
    """An EDD with no referral date: the pre-birth date alone, and ask for the referral."""
    complete_by, explanation = pre_birth_complete_by(edd, service.calendar(authority))
    section_id = service.rules[authority].pre_birth_section or service.national_pre_birth_section
    section = knowledge.sections.get(section_id or "")
    short_name = service.authorities.get(authority).short_name
    lines = [f"A pre-birth assessment, baby due {long_date(edd)} — {short_name} procedure.", *notes]
    lines.append(
        numbered(
            [
                step(
                    Force.GUIDANCE,
                    f"complete the assessment at least 4 weeks before the expected "
                    f"delivery date: by {long_date(complete_by)}.",
                ),
                "Tell me the referral date for the 45 working day date and any checkpoints.",
            ]
        )
    )
    lines.append(f"How I counted: {explanation}")
    citations: tuple[Citation, ...] = ()
    if section is not None:
        owner = service.authorities.get(section.authority).short_name
        lines.append(sources_line([source_name(section, owner)]))
        citations = (cite(section),)
    remembered = RememberedDates(None, _iso(edd), _iso(dates["date_of_birth"]))
    return TimescaleAnswer(Reply("\n".join(lines), (), citations), remembered)


def _question_a_future_referral(
    referral: date, today: date, remembered: RememberedDates, dates: dict[str, date | None]
) -> TimescaleAnswer:
    """A referral cannot have come in after today: ask, rather than count from a slip."""
    try:
        last_year: date | None = referral.replace(year=referral.year - 1)
    except ValueError:  # 29 February
        last_year = None
    text = (
        f"You gave the referral date as {long_date(referral)}, which is after today "
        f"({long_date(today)}). When did the referral come in? If {long_date(referral)} is "
        "right, tell me the date again and I'll count from it."
    )
    buttons = [Button(f"Yes, {short_date(referral)}", f"the referral date is {referral:%d/%m/%Y}")]
    if last_year is not None and last_year <= today:
        buttons.append(
            Button(f"It was {short_date(last_year)}", f"the referral date is {last_year:%d/%m/%Y}")
        )
    return TimescaleAnswer(
        Reply(text, tuple(buttons)),
        RememberedDates(
            remembered.referral_date,
            _iso(dates["expected_delivery_date"]),
            _iso(dates["date_of_birth"]),
            unconfirmed_referral_date=referral.isoformat(),
        ),
        asks_for_referral_date=True,
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _card(result: TimescaleResult) -> dict[str, object]:
    """What a channel needs to draw a timescales card and offer the .ics download."""
    inputs = result.inputs
    return {
        "authority": result.authority,
        "referral_date": inputs.referral_date.isoformat(),
        "expected_delivery_date": _iso(inputs.expected_delivery_date),
        "date_of_birth": _iso(inputs.date_of_birth),
        "dates": [
            {
                "label": i.label,
                "date": i.when.isoformat(),
                "date_text": long_date(i.when),
                "status": i.status,
            }
            for i in result.all_dates
        ],
    }
