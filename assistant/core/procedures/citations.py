"""From sections to the citations and snippets that answers carry."""

from __future__ import annotations

from assistant.core.procedures.model import Section
from assistant.core.replies import Citation

SNIPPET_CHARS = 280


def cite(section: Section) -> Citation:
    return Citation(
        authority=section.authority,
        section_id=section.id,
        title=section.title,
        source_version=section.source_version,
        topics=section.topics,
    )


def opening(section: Section, chars: int = SNIPPET_CHARS) -> str:
    text = " ".join(section.text.split())
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + "…"
