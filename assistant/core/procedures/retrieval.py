"""BM25 over passages, scored per section, nudged towards the question's topics."""

from __future__ import annotations

from dataclasses import dataclass

import bm25s
import numpy as np

from assistant.core.procedures.citations import SNIPPET_CHARS, shorten
from assistant.core.procedures.model import Passage, Section
from assistant.core.procedures.text_analysis import Analyzer, SynonymExpander
from assistant.core.procedures.topics import TopicTagger

# How much a section sharing the question's topics gains, relative to the best BM25 match.
TOPIC_WEIGHT = 0.35
SHORT_PASSAGE_CHARS = 160


@dataclass(frozen=True)
class SearchHit:
    section: Section
    score: float
    snippet: str


def _snippet(passage: Passage) -> str:
    return shorten(passage.text, SNIPPET_CHARS)


class SectionIndex:
    """One authority's sections (or all of them), indexed by passage."""

    def __init__(self, sections: list[Section], analyzer: Analyzer) -> None:
        self.sections = sections
        self._owner: list[int] = []
        self._passages: list[Passage] = []
        corpus: list[list[str]] = []
        for number, section in enumerate(sections):
            title_tokens = analyzer.tokens(section.title)
            for passage in section.passages:
                self._owner.append(number)
                self._passages.append(passage)
                corpus.append(title_tokens + analyzer.tokens(passage.text))
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)

    def section_scores(self, query_tokens: list[str]) -> tuple[np.ndarray, list[int]]:
        """Best passage score per section, and the passage to show for it.

        The passage shown favours one long enough to read as an answer: a one-line
        cross-reference can score highest on a word and still say nothing.
        """
        best = np.zeros(len(self.sections))
        shown = [-1] * len(self.sections)
        shown_weight = np.zeros(len(self.sections))
        if not query_tokens or not self._passages:
            return best, shown
        scores = self._bm25.get_scores(query_tokens)
        for number, score in enumerate(scores):
            owner = self._owner[number]
            best[owner] = max(best[owner], score)
            weight = score * min(1.0, len(self._passages[number].text) / SHORT_PASSAGE_CHARS)
            if weight > shown_weight[owner]:
                shown_weight[owner] = weight
                shown[owner] = number
        return best, shown

    def passage(self, number: int) -> Passage:
        return self._passages[number]


class Retriever:
    def __init__(
        self,
        index: SectionIndex,
        analyzer: Analyzer,
        expander: SynonymExpander,
        tagger: TopicTagger,
    ) -> None:
        self._index = index
        self._analyzer = analyzer
        self._expander = expander
        self._tagger = tagger

    def search(self, question: str, k: int) -> list[SearchHit]:
        expanded = self._expander.expand(question)
        bm25, best_passage = self._index.section_scores(self._analyzer.tokens(expanded))
        top = float(bm25.max()) if bm25.size else 0.0
        wanted = self._tagger.question_topics(expanded)
        hits = []
        for number, section in enumerate(self._index.sections):
            lexical = float(bm25[number]) / top if top > 0 else 0.0
            if lexical <= 0:
                continue
            topical = min(1.0, sum(wanted.get(t, 0.0) for t in section.topics))
            passage = self._index.passage(best_passage[number])
            hits.append(SearchHit(section, lexical + TOPIC_WEIGHT * topical, _snippet(passage)))
        hits.sort(key=lambda hit: (-hit.score, hit.section.id))
        return hits[:k]
