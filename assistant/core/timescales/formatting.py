"""Dates as a British practitioner writes them: "Thursday 18 February 2027"."""

from __future__ import annotations

from datetime import date


def long_date(when: date) -> str:
    return f"{when:%A} {when.day} {when:%B %Y}"


def short_date(when: date) -> str:
    return f"{when.day} {when:%B %Y}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
