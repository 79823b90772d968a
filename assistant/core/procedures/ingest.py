"""Turn a captured procedure page into sections: drop page furniture, find headings, split.

Deterministic: the same text always gives the same sections and ids. Two shapes occur:
- numbered chapters (Kent, Lewisham): "7. What to Include..." starts a section, and title
  lines inside one start a subsection;
- unnumbered chapters (Gateshead, Blackpool, the regional partnership), whose captured text
  has few headings: every paragraph with its list becomes a section, titled by its opening.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from assistant.core.procedures.model import Passage, Section

FURNITURE = (
    re.compile(r"^(Skip to content|Company Logo)$", re.IGNORECASE),
    re.compile(r"^[a-z]+(?:_[a-z]+)+$"),  # image names: heart_head_hand, chapter_blue_triangle
    re.compile(r"^Last Updated:", re.IGNORECASE),
    re.compile(r"^v\d+$"),  # version lines
)
NUMBERED_HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(\S.*)$")
DATE_LINE = re.compile(r"^[A-Z][a-z]+ \d{1,2}, \d{4}$")
BULLET = re.compile(r"^\s*(?:[•\-*]|\d+[.)]|[a-z][.)])\s")
MAX_HEADING_CHARS = 100
TITLE_WORDS = 9


def is_furniture(line: str) -> bool:
    stripped = line.strip()
    return any(pattern.search(stripped) for pattern in FURNITURE)


def _is_heading_candidate(line: str) -> bool:
    # Headings start at column 0; numbered list items are indented, so "1. Title" is not one.
    if not line or line[0].isspace() or line[0] in "•-*":
        return False
    stripped = line.strip()
    if len(stripped) > MAX_HEADING_CHARS or DATE_LINE.match(stripped):
        return False
    if stripped[-1] in ".;:,?)" or not stripped[0].isalnum():
        return False
    return stripped[0].isupper() or stripped[0].isdigit()


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    kind: str  # "heading", "paragraph" or "item"


def classify_lines(raw: str) -> Iterator[_Line]:
    """Content lines with their kind; blank lines and furniture are left out."""
    lines = [(n, line.rstrip()) for n, line in enumerate(raw.splitlines(), start=1)]
    content = [(n, t) for n, t in lines if t.strip() and not is_furniture(t)]
    for index, (number, text) in enumerate(content):
        if _is_heading_candidate(text):
            following = content[index + 1][1] if index + 1 < len(content) else ""
            numbered = NUMBERED_HEADING.match(text.strip()) is not None
            # A title line is a heading only when text follows it; a run of title lines
            # with nothing under them is a list of links or captions, so it is content.
            heads_text = numbered or text.isupper() or not _is_heading_candidate(following)
            if index == 0 or (heads_text and following):
                yield _Line(number, text.strip(), "heading")
                continue
        kind = "item" if text[0].isspace() or BULLET.match(text) else "paragraph"
        yield _Line(number, text, kind)


def _passages(lines: Iterable[_Line]) -> list[Passage]:
    """Group each paragraph with the list items (and their continuations) after it."""
    groups: list[list[_Line]] = []
    for line in lines:
        if line.kind == "paragraph" or not groups:
            groups.append([line])
        else:
            groups[-1].append(line)
    return [
        Passage("\n".join(line.text for line in group), tuple(line.number for line in group))
        for group in groups
    ]


def slugify(text: str, max_chars: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "").replace("\u2019", "")).strip(
        "-"
    )
    if len(slug) <= max_chars:
        return slug
    return slug[:max_chars].rsplit("-", 1)[0]


def derived_title(text: str) -> str:
    """A short title from a passage's opening words, for chapters without headings."""
    first = re.split(r"(?<=[.;:?])\s", text.split("\n", 1)[0].strip().lstrip("•-* "), maxsplit=1)[0]
    words = first.split()
    title = " ".join(words[:TITLE_WORDS]).rstrip(".;:,")
    return title + ("…" if len(words) > TITLE_WORDS else "")


@dataclass
class _Draft:
    title: str
    slug: str
    heading_path: tuple[str, ...]
    heading_lines: list[int]
    body: list[_Line]


def _numbered_drafts(lines: list[_Line], doc_title: str) -> list[_Draft]:
    drafts: list[_Draft] = [_Draft(doc_title, slugify(doc_title), (doc_title,), [], [])]
    parent: _Draft | None = None
    for line in lines:
        if line.kind != "heading":
            drafts[-1].body.append(line)
            continue
        match = NUMBERED_HEADING.match(line.text)
        if match:
            number, words = match.groups()
            draft = _Draft(
                line.text,
                f"{number.replace('.', '-')}-{slugify(words)}",
                (doc_title, line.text),
                [line.number],
                [],
            )
            parent = draft
        elif parent is not None and not line.text.isupper():
            number = parent.slug.split("-", 1)[0]
            draft = _Draft(
                f"{line.text} ({parent.title})",
                f"{number}-{slugify(line.text)}",
                (*parent.heading_path, line.text),
                [line.number],
                [],
            )
        else:
            draft = _Draft(line.text, slugify(line.text), (doc_title, line.text), [line.number], [])
        drafts.append(draft)
    return drafts


def _paragraph_drafts(lines: list[_Line], doc_title: str) -> list[_Draft]:
    drafts: list[_Draft] = []
    heading: _Line | None = None
    pending_headings: list[int] = []
    for passage_lines in _split_at_paragraphs(lines):
        head = passage_lines[0]
        if head.kind == "heading":
            heading = head
            pending_headings.append(head.number)
            continue
        # The captured text of these chapters lost most of its headings, so a title line
        # cannot be trusted to head everything up to the next one: it heads one passage.
        path = (doc_title, heading.text) if heading is not None else (doc_title,)
        heading = None
        passage = _passages(passage_lines)[0]
        title = derived_title(passage.text)
        drafts.append(_Draft(title, slugify(title), path, pending_headings, passage_lines))
        pending_headings = []
    if pending_headings and drafts:  # headings after the last paragraph: keep their lines
        drafts[-1].heading_lines.extend(pending_headings)
    return drafts


def _split_at_paragraphs(lines: list[_Line]) -> Iterator[list[_Line]]:
    group: list[_Line] = []
    for line in lines:
        if line.kind in ("heading", "paragraph") and group:
            yield group
            group = []
        group.append(line)
        if line.kind == "heading":
            yield group
            group = []
    if group:
        yield group


def _unique_slugs(drafts: list[_Draft]) -> None:
    seen: dict[str, int] = {}
    for draft in drafts:
        count = seen.get(draft.slug, 0) + 1
        seen[draft.slug] = count
        if count > 1:
            draft.slug = f"{draft.slug}-{count}"


def ingest(authority: str, raw: str, source_version: str, last_updated: str) -> list[Section]:
    """Split one authority's captured procedure text into citable sections."""
    lines = list(classify_lines(raw))
    if not lines:
        return []
    title_line, body = lines[0], lines[1:]
    numbered = any(line.kind == "heading" and NUMBERED_HEADING.match(line.text) for line in body)
    drafts = (_numbered_drafts if numbered else _paragraph_drafts)(body, title_line.text)
    drafts = [d for d in drafts if d.body or d.heading_lines]
    if drafts:
        drafts[0].heading_lines.insert(0, title_line.number)
    _unique_slugs(drafts)
    return [
        Section(
            id=f"{authority}/{draft.slug}",
            authority=authority,
            title=draft.title,
            heading_path=draft.heading_path,
            passages=tuple(_passages(draft.body)),
            heading_lines=tuple(draft.heading_lines),
            source_version=source_version,
            last_updated=last_updated,
        )
        for draft in drafts
    ]


def with_topics(section: Section, topics: Iterable[str]) -> Section:
    return replace(section, topics=tuple(topics))
