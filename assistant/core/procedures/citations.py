"""From sections to the citations and snippets that answers carry."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.core.procedures.model import Section
from assistant.core.replies import Citation

SNIPPET_CHARS = 280


def cite(section: Section, quote: str = "") -> Citation:
    """The citation of `section`; `quote` is the statement (or statements, one per line) of it
    that the answer relied on."""
    return Citation(
        authority=section.authority,
        section_id=section.id,
        title=section.title,
        source_version=section.source_version,
        topics=section.topics,
        quote=quote,
    )


def cite_statements(section: Section, texts: Iterable[str]) -> Citation:
    """The citation of `section` quoting the statements of it that an answer's steps use."""
    return cite(section, "\n".join(dict.fromkeys(t for t in texts if t)))


def shorten(text: str, chars: int, ellipsis: str = "…") -> str:
    """White space folded, then cut at a word boundary within `chars` when longer."""
    text = " ".join(text.split())
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + ellipsis


def opening(section: Section, chars: int = SNIPPET_CHARS) -> str:
    return shorten(section.text, chars)
