"""Tokens for retrieval: spaCy's blank English tokenizer with lookup lemmas (no model)."""

from __future__ import annotations

import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

import yaml

# Keep legal shorthand ("s20", "s47") and numbers ("45", "16") as tokens.
_KEEP = re.compile(r"^[a-z0-9][a-z0-9'-]*$")
# Enough for every sentence of the five procedures several times over.
TOKEN_CACHE_SIZE = 50_000


class Analyzer:
    """Lower-cased lemmas without stop words or punctuation. Loading takes ~2 s (tables)."""

    def __init__(self) -> None:
        import spacy  # imported here: loading spaCy is not something an import should do

        nlp = spacy.blank("en")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        self._nlp = nlp
        self._stop_words: set[str] = set(nlp.Defaults.stop_words) - {"alone", "own", "first"}
        # The procedures' sentences are tokenised again for every answer: remember them.
        self._known: OrderedDict[str, tuple[str, ...]] = OrderedDict()

    def tokens(self, text: str) -> list[str]:
        known = self._known.get(text)
        if known is None:
            known = tuple(self._tokenise(text))
            self._known[text] = known
            if len(self._known) > TOKEN_CACHE_SIZE:
                self._known.popitem(last=False)
        return list(known)

    def _tokenise(self, text: str) -> list[str]:
        doc = self._nlp(text.lower().replace("\u2019", "'"))
        out = []
        for token in doc:
            lemma = token.lemma_ or token.text
            if token.is_punct or token.is_space or lemma in self._stop_words:
                continue
            lemma = lemma.strip("'-")
            if _KEEP.match(lemma):
                out.append(lemma)
        return out


class SynonymExpander:
    """Adds the procedures' words for what a practitioner wrote ("sofa surfing" → homeless)."""

    def __init__(self, synonyms: dict[str, list[str]]) -> None:
        self._rules = [
            (re.compile(rf"(?<![\w-]){re.escape(key)}(?![\w-])", re.IGNORECASE), words)
            for key, words in sorted(synonyms.items(), key=lambda kv: -len(kv[0]))
        ]

    def expand(self, question: str) -> str:
        extra = [w for pattern, words in self._rules if pattern.search(question) for w in words]
        return question if not extra else f"{question} {' '.join(extra)}"


# A country named in a question means family, agencies or a child's past abroad.
# Weak evidence on its own (a child may come from, or be trafficked from, a country too).
COUNTRY_EXPANSION = ["abroad", "country"]


def load_synonyms(knowledge_dir: Path) -> SynonymExpander:
    raw: dict[str, Any] = yaml.safe_load((knowledge_dir / "synonyms.yml").read_text("utf-8"))
    synonyms = {str(k): [str(w) for w in v] for k, v in raw["synonyms"].items()}
    countries = yaml.safe_load((knowledge_dir / "countries.yml").read_text("utf-8"))
    for country in countries["countries"]:
        synonyms.setdefault(str(country).lower(), COUNTRY_EXPANSION)
    return SynonymExpander(synonyms)
