"""Procedure knowledge: search, sections, comparison across authorities, glossary."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assistant.core.procedures.citations import cite, opening
from assistant.core.procedures.statements import statements
from assistant.web.dependencies import KnowledgeDep, SearchRateDep
from assistant.web.schemas import (
    MAX_QUERY_CHARS,
    NOT_FOUND_OR_INVALID,
    AuthorityPositionOut,
    CitationOut,
    ComparedSectionOut,
    CompareOut,
    GlossaryOut,
    SearchOut,
    SearchResultOut,
    SectionOut,
    StatementOut,
)

router = APIRouter(prefix="/api", tags=["knowledge"])


@router.get("/search", response_model=SearchOut, responses=NOT_FOUND_OR_INVALID)
def search(
    knowledge: KnowledgeDep,
    rate: SearchRateDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, pattern=r"\S")],
    authority: Annotated[str | None, Query()] = None,
    k: Annotated[int, Query(ge=1, le=20)] = 5,
) -> SearchOut:
    rate.spend()
    hits = knowledge.search(q, authority or None, k)
    return SearchOut(
        results=[
            SearchResultOut(
                section_id=h.section.id,
                authority=h.section.authority,
                title=h.section.title,
                topics=list(h.section.topics),
                score=round(h.score, 4),
                snippet=h.snippet,
            )
            for h in hits
        ]
    )


@router.get(
    "/sections/{section_id:path}", response_model=SectionOut, responses=NOT_FOUND_OR_INVALID
)
def section(section_id: str, knowledge: KnowledgeDep) -> SectionOut:
    found = knowledge.section(section_id)
    return SectionOut(
        section_id=found.id,
        authority=found.authority,
        authority_name=knowledge.authorities.get(found.authority).name,
        title=found.title,
        heading_path=list(found.heading_path),
        text=found.text,
        topics=list(found.topics),
        source_version=found.source_version,
        last_updated=found.last_updated,
        source_lines=list(found.lines),
        statements=[
            StatementOut(text=s.text, force=s.force.value)
            for p in found.passages
            for s in statements(p.text)
        ],
    )


@router.get("/compare", response_model=CompareOut, responses=NOT_FOUND_OR_INVALID)
def compare(
    topic: Annotated[str, Query(min_length=1)], knowledge: KnowledgeDep, rate: SearchRateDep
) -> CompareOut:
    rate.spend()
    by_authority = knowledge.compare(topic)
    return CompareOut(
        topic=topic,
        title=knowledge.tagger.topics[topic].title,
        authorities=[
            AuthorityPositionOut(
                authority=a.id,
                name=a.name,
                source_version=a.source_version,
                covered=bool(by_authority[a.id]),
                sections=[
                    ComparedSectionOut(section_id=s.id, title=s.title, snippet=opening(s))
                    for s in by_authority[a.id]
                ],
            )
            for a in knowledge.authorities
        ],
    )


@router.get("/glossary/{term}", response_model=GlossaryOut, responses=NOT_FOUND_OR_INVALID)
def glossary(term: str, knowledge: KnowledgeDep) -> GlossaryOut:
    entry = knowledge.glossary.lookup(term)
    return GlossaryOut(
        term=entry.term,
        meaning=entry.meaning,
        aliases=list(entry.aliases),
        citations=[
            CitationOut.model_validate(cite(knowledge.section(s)).to_json())
            for s in entry.section_ids
        ],
    )
