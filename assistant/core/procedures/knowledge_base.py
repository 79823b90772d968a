"""The procedures of every authority, ingested, tagged and searchable: built once at start-up."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from assistant.core.authorities import AuthorityDirectory, load_authorities
from assistant.core.procedures.glossary import Glossary, load_glossary
from assistant.core.procedures.ingest import ingest, with_topics
from assistant.core.procedures.model import Section
from assistant.core.procedures.retrieval import Retriever, SearchHit, SectionIndex
from assistant.core.procedures.text_analysis import Analyzer, SynonymExpander, load_synonyms
from assistant.core.procedures.topics import TopicTagger, load_topic_tagger


class UnknownSectionError(LookupError):
    def __init__(self, section_id: str) -> None:
        self.section_id = section_id
        super().__init__(f"No section {section_id!r}. Section ids look like 'kent/11-timescales'.")


class UnknownTopicError(LookupError):
    def __init__(self, topic: str, valid: tuple[str, ...]) -> None:
        self.topic = topic
        self.valid_ids = valid
        super().__init__(f"Unknown topic {topic!r}. Valid topics: {', '.join(valid)}.")


@dataclass(frozen=True)
class TopicCoverage:
    authority: str
    covered: tuple[str, ...]
    missing: tuple[str, ...]


# A paragraph that opens like this continues the one before it ("Where this is the case,
# the social worker should: ..."), so it is about the same topics too.
CONTINUES_PREVIOUS = re.compile(
    r"^(where this is the case|in (such|these|this) cases?|within this context|this |these |"
    r"such )",
    re.IGNORECASE,
)


def ingest_authority_sections(
    knowledge_dir: Path, authorities: AuthorityDirectory, tagger: TopicTagger
) -> list[Section]:
    sections: list[Section] = []
    for authority in authorities:
        raw = (knowledge_dir / authority.procedure_file).read_text(encoding="utf-8")
        previous: tuple[str, ...] = ()
        for section in ingest(authority.id, raw, authority.source_version, authority.last_updated):
            topics = tagger.tag(section.id, section.title, [p.text for p in section.passages])
            if CONTINUES_PREVIOUS.match(section.text):
                topics = tuple(t for t in tagger.topics if t in set(topics) | set(previous))
            sections.append(with_topics(section, topics))
            previous = topics
    return sections


class KnowledgeBase:
    def __init__(
        self,
        authorities: AuthorityDirectory,
        sections: list[Section],
        tagger: TopicTagger,
        retrievers: dict[str | None, Retriever],
        glossary: Glossary,
        analyzer: Analyzer,
        expander: SynonymExpander,
    ) -> None:
        self.authorities = authorities
        self.tagger = tagger
        self.glossary = glossary
        self.analyzer = analyzer
        self.expander = expander
        self.sections = {s.id: s for s in sections}
        self._idf = _inverse_document_frequencies(analyzer, sections)
        self.section_hashes = {s.id: s.content_hash for s in sections}
        self._retrievers = retrievers

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(self.tagger.topics)

    def section(self, section_id: str) -> Section:
        try:
            return self.sections[section_id]
        except KeyError:
            raise UnknownSectionError(section_id) from None

    def sections_of(self, authority: str) -> list[Section]:
        return [s for s in self.sections.values() if s.authority == authority]

    def search(self, question: str, authority: str | None = None, k: int = 5) -> list[SearchHit]:
        """The worker's authority first; others only to fill places it cannot."""
        if authority is None:
            return self._retrievers[None].search(question, k)
        self.authorities.get(authority)  # raises UnknownAuthorityError with the valid ids
        own = self._retrievers[authority].search(question, k)
        if len(own) >= k:
            return own
        others = [
            h
            for h in self._retrievers[None].search(question, k * 2)
            if h.section.authority != authority
        ]
        return own + others[: k - len(own)]

    def idf(self, token: str) -> float:
        """How telling a word is: rare in the procedures means telling; unseen counts as rare."""
        return self._idf.get(token, self._idf_unseen)

    @property
    def _idf_unseen(self) -> float:
        return math.log(1 + len(self.sections))

    def question_topics(self, question: str) -> dict[str, float]:
        """Topics a question is about, read after expanding practitioners' words."""
        return self.tagger.question_topics(self.expander.expand(question))

    def compare(self, topic: str, per_authority: int = 3) -> dict[str, list[Section]]:
        """One topic across every authority, in the order sources.yml lists them."""
        if topic not in self.tagger.topics:
            raise UnknownTopicError(topic, self.topic_ids)
        return {
            a.id: [s for s in self.sections_of(a.id) if topic in s.topics][:per_authority]
            for a in self.authorities
        }

    def coverage(self) -> list[TopicCoverage]:
        report = []
        for authority in self.authorities:
            tagged = {t for s in self.sections_of(authority.id) for t in s.topics}
            report.append(
                TopicCoverage(
                    authority.id,
                    tuple(t for t in self.topic_ids if t in tagged),
                    tuple(t for t in self.topic_ids if t not in tagged),
                )
            )
        return report


def _inverse_document_frequencies(analyzer: Analyzer, sections: list[Section]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    for section in sections:
        frequency.update(set(analyzer.tokens(section.text)))
    total = len(sections)
    return {token: math.log(1 + total / count) for token, count in frequency.items()}


def build_knowledge_base(knowledge_dir: Path) -> KnowledgeBase:
    """Read, ingest, tag and index everything under `knowledge/` (about 3 s)."""
    authorities = load_authorities(knowledge_dir)
    tagger = load_topic_tagger(knowledge_dir)
    sections = ingest_authority_sections(knowledge_dir, authorities, tagger)
    orphans = set(tagger.overrides) - {s.id for s in sections}
    if orphans:
        raise ValueError(f"topic_overrides.yml names sections that do not exist: {sorted(orphans)}")
    analyzer = Analyzer()
    expander = load_synonyms(knowledge_dir)
    retrievers: dict[str | None, Retriever] = {
        None: Retriever(SectionIndex(sections, analyzer), analyzer, expander, tagger)
    }
    for authority in authorities:
        own = [s for s in sections if s.authority == authority.id]
        retrievers[authority.id] = Retriever(
            SectionIndex(own, analyzer), analyzer, expander, tagger
        )
    glossary = load_glossary(knowledge_dir, known_sections={s.id for s in sections})
    return KnowledgeBase(authorities, sections, tagger, retrievers, glossary, analyzer, expander)
