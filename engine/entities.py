"""Entities practitioners mention, found with spaCy rules (blank English, no model).

Plain spaCy, no Rasa: the engine's NLU component (engine/spacy_entities.py) wraps it, and
the app's tests exercise it directly. Kept to Python 3.10 syntax: the engine runs on 3.10.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

RELATIONSHIPS: dict[str, list[str]] = {
    "mother": ["mum", "mummy", "mam", "mom", "mother", "birth mother"],
    "father": ["dad", "daddy", "father", "birth father"],
    "stepmother": ["stepmum", "step mum", "step-mum", "stepmother"],
    "stepfather": ["stepdad", "step dad", "step-dad", "stepfather"],
    "mother's partner": ["mum's partner", "mum's boyfriend", "mums boyfriend", "mums partner"],
    "father's partner": ["dad's partner", "dad's girlfriend", "dads girlfriend", "dads partner"],
    "grandparent": [
        "nan",
        "nana",
        "nanna",
        "gran",
        "granny",
        "grandma",
        "grandmother",
        "grandad",
        "grandpa",
        "grandfather",
        "grandparent",
        "grandparents",
    ],
    "aunt": ["aunt", "auntie", "aunty"],
    "uncle": ["uncle"],
    "sibling": ["brother", "sister", "sibling", "siblings", "half-brother", "half-sister"],
    "cousin": ["cousin"],
    "carer": ["carer", "foster carer", "kinship carer", "special guardian"],
    "partner": ["boyfriend", "girlfriend", "partner"],
}
_NUMBER_WORDS = {
    "sixteen": 16,
    "seventeen": 17,
    "fifteen": 15,
    "fourteen": 14,
    "thirteen": 13,
    "twelve": 12,
    "eighteen": 18,
}
_AGE = re.compile(
    r"\b(?P<n>1[0-8]|[1-9]|sixteen|seventeen|fifteen|fourteen|thirteen|twelve|eighteen)"
    r"(?P<half>\s+and\s+a\s+half)?\s*(?:-|\s)?\s*"
    r"(?:yo|y/o|yrs?\s*old|years?[- ]old|years?\b|yr\b)",
    re.IGNORECASE,
)
# "aged 15", "she is 17 and a half", "turned 16": a bare number only after such words, and
# not when a unit follows ("is 2 weeks").
_AGED = re.compile(
    r"\b(?:aged|is|turned|turns|turning|now)\s+(?P<n>1[0-8]|[1-9])(?P<half>\s+and\s+a\s+half)?"
    r"\b(?!\s*(?:weeks?|months?|days?|hours?|minutes?|%|/|-|\.\d))",
    re.IGNORECASE,
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|weds|thu(?:rs?)?|thurs|fri|sat(?:ur)?|sun)(?:day)?"
# The forms assistant/core/timescales/dates.py reads (the engine only needs to know that a
# date is there: the action reads it). A weekday needs a cue, so "Monday to Friday" is none.
_DATE = re.compile(
    r"\b(\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|"
    r"nov|dec)[a-z]*\.?(?:,?\s+\d{4})?|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+"
    r"\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|"
    r"\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{2,4}|"
    r"today|yesterday|tomorrow|"
    r"(?:\d{1,3}|a|one|two|three|four)\s+(?:days?|weeks?)\s+ago|a\s+fortnight\s+ago|"
    r"(?:a\s+(?:week|fortnight)\s+)?(?:last|this|on|next)\s+" + _WEEKDAY + r"|"
    r"" + _WEEKDAY + r"\s+(?:just\s+gone|just\s+past|gone)|"
    r"the\s+\d{1,2}(?:st|nd|rd|th))\b",
    re.IGNORECASE,
)
# A reply that is only a weekday or an ordinal ("Tuesday", "14th") answers "when?".
_DATE_REPLY = re.compile(
    r"^\s*(?:the\s+)?(?:" + _WEEKDAY + r"|\d{1,2}(?:st|nd|rd|th))\s*[.!]?\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class Found:
    entity: str
    value: str
    start: int
    end: int
    text: str

    def as_rasa(self, extractor: str) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "confidence": 1.0,
            "extractor": extractor,
        }


class EntityFinder:
    """Ages, dates, countries and family relationships in a practitioner's message."""

    def __init__(self, countries: Iterable[str]) -> None:
        import spacy  # the engine imports spaCy only when this component is built

        nlp = spacy.blank("en")
        ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
        patterns: list[dict[str, Any]] = []
        for canonical, words in RELATIONSHIPS.items():
            patterns += [{"label": "relationship", "pattern": w, "id": canonical} for w in words]
        for country in countries:
            patterns.append({"label": "country", "pattern": country, "id": country})
        ruler.add_patterns(patterns)
        self._nlp = nlp

    def find(self, text: str) -> list[Found]:
        found: list[Found] = []
        for match in list(_AGE.finditer(text)) + list(_AGED.finditer(text)):
            raw = match.group("n").lower()
            years = _NUMBER_WORDS.get(raw) or int(raw)
            value = f"{years}.5" if match.group("half") else str(years)
            found.append(Found("age", value, match.start(), match.end(), match.group(0)))
        for match in _DATE.finditer(text):
            found.append(Found("date", match.group(0), match.start(), match.end(), match.group(0)))
        reply = _DATE_REPLY.match(text)
        if reply and not any(f.entity == "date" for f in found):
            words = text.strip().rstrip(".!").strip()
            start = text.index(words)
            found.append(Found("date", words, start, start + len(words), words))
        for ent in self._nlp(text).ents:
            value = ent.ent_id_ or ent.text
            found.append(Found(ent.label_, value, ent.start_char, ent.end_char, ent.text))
        return _without_overlaps(found)


def _without_overlaps(found: list[Found]) -> list[Found]:
    """The longest match wins where two overlap ("16 year old" over "16")."""
    kept: list[Found] = []
    for item in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept
