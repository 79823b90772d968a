"""The pieces every answer shares: the situation line, marked steps, the sources line."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.core.procedures.model import Section
from assistant.core.procedures.statements import Force

JUDGEMENT_LINE = "The decision rests with you and your manager."
_MARK = {Force.REQUIREMENT: "Must", Force.GUIDANCE: "Should"}


def step(force: Force, text: str) -> str:
    """ "Must: ..." or "Should: ..."; information is stated without a mark."""
    text = text.strip()
    mark = _MARK.get(force)
    return f"{mark}: {text}" if mark else text


def numbered(steps: Iterable[str]) -> str:
    return "\n".join(f"{n}. {s}" for n, s in enumerate(steps, start=1))


def source_name(section: Section, authority_short_name: str) -> str:
    return f"{authority_short_name} — {section.title} ({section.source_version})"


def sources_line(names: Iterable[str]) -> str:
    unique = list(dict.fromkeys(names))
    return "Sources: " + "; ".join(unique) + "." if unique else ""
