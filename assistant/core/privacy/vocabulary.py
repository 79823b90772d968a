"""Ordinary English words, to tell "the boy is called jayden" from "the child is called into
school": after a cue, a word typed in lower case is taken as a name only when it is not one.

The words are the adjectives, adverbs and verbs of the English lemma index that spaCy's lookup
data ships (a dependency already, for the procedures' text analysis), with the function words
that index leaves out. Nouns are not included: most names are nouns there too ("smith",
"oliver"), and a noun after "is called" is far more often a name than a practice word.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import resources

_LEMMA_INDEX = ("spacy_lookups_data", "data/en_lemma_index.json.gz")
_PARTS_OF_SPEECH = ("adj", "adv", "verb")

# Words the lemma index has no entry for (it lists only open-class words) and words that
# follow "is called" or "name:" in casework without being a name.
FUNCTION_WORDS = frozenset(
    """
    a an the this that these those it its he she they we you i me him her them us his hers their
    theirs our ours my mine your yours someone somebody anyone anybody everyone everybody nobody
    nothing something anything everything one ones who whom whose which what when where why how
    and or but nor so yet if then than as because while whilst though although unless until
    till since whether about above across after against along amongst among around at before
    behind below beneath beside besides between beyond by despite down during except for from
    in inside into near of off on onto out outside over past per round through throughout to
    toward towards under underneath unlike up upon via with within without not no yes none
    is am are was were be been being has have had having do does did doing will would shall
    should can could may might must ought also too very just only even still already again
    twice once here there now today tonight tomorrow yesterday later earlier soon ago names
    unknown unclear withheld unsure tbc tba n/a na nil various several many much more most few
    less least all both each either neither every other another such same own
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a long list
)


@cache
def _lemma_words() -> frozenset[str]:
    """The index's adjectives, adverbs and verbs; none if the data is not installed (then only
    the function words count as ordinary, and more lower-case words are masked, never fewer)."""
    package, name = _LEMMA_INDEX
    try:
        raw = resources.files(package).joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return frozenset()
    index = json.loads(gzip.decompress(raw))
    return frozenset(
        word.lower() for part in _PARTS_OF_SPEECH for word in index.get(part, ()) if word.isalpha()
    )


def _stems(word: str) -> tuple[str, ...]:
    """The word and what it may be inflected from: "names" → "name", "calling" → "call"."""
    stems = [word]
    for suffix, replacements in (
        ("ies", ("y",)),
        ("es", ("", "e")),
        ("s", ("",)),
        ("ied", ("y",)),
        ("ed", ("", "e")),
        ("ing", ("", "e")),
        ("ly", ("",)),
    ):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            base = word[: -len(suffix)]
            stems += [base + r for r in replacements]
            if len(base) > 2 and base[-1] == base[-2]:  # "stopped" → "stop"
                stems.append(base[:-1])
    return tuple(stems)


def is_ordinary_word(word: str) -> bool:
    """True for an English word that is not (only) a name: "into", "safe", "names", "calling"."""
    lowered = word.lower().replace("\u2019", "'")
    if lowered in FUNCTION_WORDS:
        return True
    lemmas = _lemma_words()
    return any(stem in lemmas or stem in FUNCTION_WORDS for stem in _stems(lowered))
