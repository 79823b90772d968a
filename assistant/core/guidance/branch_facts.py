"""Facts from what the worker says: their first message, or an answer to a question."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from assistant.core.guidance.branches import Branch, FactValue, Question
from assistant.core.timescales.compute import add_months
from assistant.core.timescales.dates import Tense, find_dates

_EDD_WORDS = ("edd", "due", "deliver", "baby", "birth")
_REFERRAL_WORDS = ("referral", "referred", "came in", "received")
_DOB_WORDS = ("born", "dob", "date of birth", "birthday", "d.o.b")
_YES = re.compile(
    r"^\s*(y|yes|yeah|yep|yup|correct|right|she is|he is|she's|he's|they are|they're|"
    r"she does|he does|they do)\b"
)
_NO = re.compile(
    r"^\s*(n|no|nope|nah|not|she isn't|he isn't|she's not|he's not|they aren't|"
    r"she doesn't|he doesn't|they don't)\b"
)
_UNSURE = re.compile(r"\b(not sure|don't know|dont know|no idea|unknown|unsure|not known)\b")
_CURLY_APOSTROPHE = "\u2019"
SHORT_REPLY_WORDS = 5
# "16", "she's 17", "17 and a half": a bare age, only when the question asked for one.
_BARE_AGE = re.compile(r"\b(1[0-9]|[1-9])(\s+and\s+a\s+half)?\b")


# An answer that moves the conversation on without changing the steps.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Entity:
    """An entity the engine found (`age`, `date`, `country`, `relationship`, ...)."""

    name: str
    value: str


def _first(entities: Iterable[Entity], name: str) -> str | None:
    return next((e.value for e in entities if e.name == name), None)


def age_on(born: date, today: date) -> int:
    years = today.year - born.year
    return years - 1 if add_months(born, years * 12) > today else years


def _age(value: str) -> int | None:
    try:
        return int(float(value))
    except ValueError:
        return None


def _dated(text: str, today: date, words: tuple[str, ...]) -> date | None:
    """The first date in the text with one of `words` near it (or the only date).

    A birth has happened and a delivery is to come: a date without a year is read so.
    """
    found = find_dates(text, today, Tense.FUTURE if words is _EDD_WORDS else Tense.PAST)
    for item in found:
        window = text[max(0, item.start - 40) : item.start + len(item.text) + 15].lower()
        if any(w in window for w in words):
            return item.when
    return found[0].when if len(found) == 1 else None


def _mentions(text: str, phrases: tuple[str, ...]) -> bool:
    lowered = text.lower().replace(_CURLY_APOSTROPHE, "'")
    return any(p in lowered for p in phrases)


def facts_from_message(
    branch: Branch, text: str, entities: Iterable[Entity], today: date
) -> dict[str, FactValue]:
    """The facts a worker's description of the situation already gives.

    Raises DateParseError for an impossible date.
    """
    entities = list(entities)
    facts: dict[str, FactValue] = {}
    for question in branch.questions:
        value = _from_description(question, text, entities, today)
        if value is not None:
            facts[question.slot] = value
    if branch.question("young_person_age") is not None:
        born = _dated(text, today, _DOB_WORDS) if _mentions(text, _DOB_WORDS) else None
        if born is not None:
            facts["date_of_birth"] = born.isoformat()
            facts["young_person_age"] = age_on(born, today)
    country = _first(entities, "country")
    if country:
        facts["country"] = country
    relative = _first(entities, "relationship")
    if relative:
        facts["relative"] = relative
    return facts


def _from_description(
    question: Question, text: str, entities: list[Entity], today: date
) -> FactValue | None:
    if question.kind == "yes_no":
        if _mentions(text, question.no_words):
            return False
        if _mentions(text, question.yes_words):
            return True
        return None
    if question.kind == "age":
        age = _first(entities, "age")
        return _age(age) if age else None
    if question.kind == "date":
        when = _dated(text, today, _EDD_WORDS) if _mentions(text, _EDD_WORDS) else None
        return when.isoformat() if when else None
    return _first(entities, "country")


def read_answer(
    question: Question,
    text: str,
    intent: str | None,
    entities: Iterable[Entity],
    today: date,
) -> dict[str, FactValue]:
    """The facts an answer to `question` gives; empty when it does not answer it.

    Raises DateParseError for an impossible date.
    """
    entities = list(entities)
    if question.kind == "yes_no":
        lowered = text.lower().replace(_CURLY_APOSTROPHE, "'")
        if intent == "deny":
            return {question.slot: False}
        if intent == "affirm":
            return {question.slot: True}
        # Only a short reply is read as yes or no: "she's been trafficked" is not a "yes".
        if len(lowered.split()) > SHORT_REPLY_WORDS:
            return {}
        if _UNSURE.search(lowered):
            return {question.slot: UNKNOWN}
        # "she's not" before "she's": a denial can start like an affirmation.
        if _NO.match(lowered):
            return {question.slot: False}
        if _YES.match(lowered):
            return {question.slot: True}
        return {}
    if question.kind == "age":
        born = _dated(text, today, _DOB_WORDS)
        if born is not None:
            return {"date_of_birth": born.isoformat(), question.slot: age_on(born, today)}
        age = _first(entities, "age")
        bare = _BARE_AGE.search(text) if len(text.split()) <= 6 else None
        value = _age(age) if age else (int(bare.group(1)) if bare else None)
        return {question.slot: value} if value is not None else {}
    if question.kind == "date":
        # A referral date in a question about timescales is not the baby's due date.
        when = None if _mentions(text, _REFERRAL_WORDS) else _dated(text, today, _EDD_WORDS)
        return {question.slot: when.isoformat()} if when and when >= today else {}
    country = _first(entities, "country")
    return {question.slot: country} if country else {}
