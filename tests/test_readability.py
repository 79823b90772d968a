"""The readability measure: Flesch reading ease by the formula, sentences as a phone shows them."""

from __future__ import annotations

import pytest

from assistant.core.guidance.readability import (
    body,
    flesch_reading_ease,
    measure,
    sentences,
    syllables,
)


@pytest.mark.parametrize(
    ("word", "count"),
    [("cat", 1), ("manager", 3), ("assessment", 3), ("family", 3), ("the", 1), ("sees", 1)],
)
def test_syllables_by_vowel_groups(word: str, count: int) -> None:
    assert syllables(word) == count


def test_a_short_plain_sentence_reads_easier_than_a_long_latinate_one() -> None:
    plain = "See the child alone. Tell your manager."
    hard = (
        "Consideration should be given to the appropriateness of undertaking an "
        "individualised multidisciplinary evaluation notwithstanding organisational constraints."
    )
    assert flesch_reading_ease(plain) > 80 > 0 > flesch_reading_ease(hard)


def test_numbered_steps_labels_and_sources_are_not_read_as_words() -> None:
    reply = (
        "Yes.\n1. Must: See the child alone.\n2. Record why.\n"
        "Sources: Kent — 5. Focus on the Child (v1)."
    )
    assert sentences(body(reply)) == ["Yes.", "See the child alone.", "Record why."]
    result = measure([reply])
    assert (result.replies, result.longest_sentence_words, result.median_words) == (1, 4, 7)
