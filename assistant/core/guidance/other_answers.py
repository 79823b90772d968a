"""Glossary answers and the immediate-danger answer."""

from __future__ import annotations

import re

from assistant.core.guidance.card_answer import SAFETY_FIRST_LINE
from assistant.core.guidance.procedure_answer import answer_from_procedure
from assistant.core.guidance.style import source_name, sources_line
from assistant.core.procedures.citations import cite, shorten
from assistant.core.procedures.glossary import GlossaryEntry
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.procedures.model import Section
from assistant.core.procedures.statements import statements
from assistant.core.replies import Button, Reply

# Said first, before any procedure text (ANSWER_STYLE.md): a disclosure or immediate danger.
# The house style's first line (ANSWER_STYLE.md), the same wherever a concern is raised.
DANGER_FIRST_LINE = SAFETY_FIRST_LINE


# "In a sentence" is the default; these words ask for the longer explanation.
_MORE_DETAIL = re.compile(
    r"\b(?:in (?:more )?detail|more detail|in depth|tell me more|fully)\b", re.I
)


def wants_detail(text: str) -> bool:
    return bool(_MORE_DETAIL.search(text))


def explain_term(
    text: str, knowledge: KnowledgeBase, authority: str | None, detail: bool | None = None
) -> Reply | None:
    """The glossary entry a message names, at two depths: in a sentence (with a button for
    more), or in more detail with the worker's own procedure's words; sources cited, the
    worker's authority's first."""
    found = knowledge.glossary.find_in(text)
    if not found:
        return None
    entry = found[0]
    detail = wants_detail(text) if detail is None else detail
    sections = [knowledge.sections[s] for s in entry.section_ids if s in knowledge.sections]
    sections.sort(key=lambda s: s.authority != authority)
    names = (source_name(s, knowledge.authorities.get(s.authority).short_name) for s in sections)
    if not detail:
        first = next(iter(statements(entry.meaning)), None)
        short = first.text if first else entry.meaning
        return Reply(
            f"{entry.term}, in a sentence: {short}\n{sources_line(names)}",
            (Button("In more detail", f"explain {entry.term} in more detail"),),
            tuple(cite(s) for s in sections),
        )
    lines = [f"{entry.term}: {entry.meaning}"]
    own = next((s for s in sections if s.authority == authority), None)
    quote = _sentence_naming(own, entry) if own else ""
    if own and quote:
        lines.append(f"Your procedure puts it like this: “{shorten(quote, 400)}”")
    lines.append(sources_line(names))
    citations = tuple(cite(s, quote if s is own else "") for s in sections)
    return Reply("\n".join(lines), (), citations)


def _sentence_naming(section: Section, entry: GlossaryEntry) -> str:
    names = [n.lower() for n in (entry.term, *entry.aliases, entry.key) if len(n) > 2]
    for passage in section.passages:
        for statement in statements(passage.text):
            lowered = f" {statement.text.lower()} "
            if any(
                f" {n} " in lowered or f" {n}," in lowered or f"({n})" in lowered for n in names
            ):
                return statement.text
    return ""


# Words that say a child is in danger now. A safety net where the worker's words are otherwise
# taken as something else (an answer to a planning question): better a danger answer too
# many than one too few.
_DANGER_NOW = re.compile(
    r"\b(?:immediate(?:ly)?\s+(?:danger|harm|risk)|in\s+(?:immediate\s+)?danger|"
    r"at\s+risk\s+of\s+(?:immediate|serious)\s+harm|unsafe\s+(?:tonight|now|to\s+go\s+home)|"
    r"(?:being|getting)\s+(?:hit|hurt|beaten|abused|assaulted|attacked)\s+(?:now|right\s+now|"
    r"tonight|at\s+home)|(?:hurting|hitting|beating)\s+(?:him|her|them|the\s+child)\s+"
    r"(?:now|right\s+now|tonight)|threatening\s+to\s+(?:kill|hurt)|call(?:ed)?\s+999)\b",
    re.IGNORECASE,
)


def sounds_like_danger_now(text: str) -> bool:
    return bool(_DANGER_NOW.search(text))


def answer_danger(text: str, authority: str, knowledge: KnowledgeBase) -> Reply:
    """Police and manager first, before anything else; then what the procedure says."""
    procedure = answer_from_procedure(
        text, authority, knowledge, context_topic="police-notification"
    )
    body = procedure.reply.text
    return Reply(f"{DANGER_FIRST_LINE}\n{body}", procedure.reply.buttons, procedure.reply.citations)


SECTION_TEXT_CHARS = 1500


def section_text_reply(section: Section, knowledge: KnowledgeBase) -> Reply:
    """A section's own words, with its heading and version, trimmed for a phone screen."""
    name = knowledge.authorities.get(section.authority).short_name
    # Keep the lines: lists read better on a phone than one long paragraph.
    body = section.text
    if len(body) > SECTION_TEXT_CHARS:
        body = body[:SECTION_TEXT_CHARS].rsplit(" ", 1)[0] + " … (continues)"
    return Reply(f"{source_name(section, name)}:\n{body}", (), (cite(section),))
