"""How easy the replies are to read on a phone: Flesch reading ease and the longest sentence.

Flesch reading ease = 206.835 - 1.015 x (words per sentence) - 84.6 x (syllables per word);
60-70 is plain English, above 70 easy. Syllables are counted by vowel groups (the usual
heuristic, as textstat does without a dictionary), which is close enough to compare replies
and to watch for a change, not to grade a single sentence.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    word = word.lower().strip("'-")
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(_VOWEL_GROUPS.findall(word)))


def sentences(text: str) -> list[str]:
    """The reply's sentences: its lines, split at full stops; list numbers and labels off."""
    out = []
    for part in _SENTENCE.split(text):
        part = re.sub(r"^\s*(?:\d+\.\s*)?(?:(?:Must|Should):\s*)?", "", part).strip()
        if _WORD.search(part):
            out.append(part)
    return out


def flesch_reading_ease(text: str) -> float:
    said = sentences(text)
    words = [w for s in said for w in _WORD.findall(s)]
    if not said or not words:
        return 0.0
    per_sentence = len(words) / len(said)
    per_word = sum(syllables(w) for w in words) / len(words)
    return 206.835 - 1.015 * per_sentence - 84.6 * per_word


def body(reply_text: str) -> str:
    """A reply without its sources line (section titles are the chapter's, not ours)."""
    return "\n".join(line for line in reply_text.splitlines() if not line.startswith("Sources:"))


@dataclass(frozen=True)
class Readability:
    replies: int
    median_flesch: float
    longest_sentence_words: int
    median_words: float


def measure(reply_texts: Iterable[str]) -> Readability:
    texts = [body(t) for t in reply_texts]
    longest = max((len(_WORD.findall(s)) for t in texts for s in sentences(t)), default=0)
    return Readability(
        replies=len(texts),
        median_flesch=statistics.median(flesch_reading_ease(t) for t in texts) if texts else 0.0,
        longest_sentence_words=longest,
        median_words=(
            statistics.median(sum(len(_WORD.findall(s)) for s in sentences(t)) for t in texts)
            if texts
            else 0.0
        ),
    )
