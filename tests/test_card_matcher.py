"""The card matcher: learned from paraphrases, measured on held-out paraphrases it never saw.

The held-out sets (tests/data/heldout*/…) are never loaded by the product: only this test
reads them. tests/data/heldout_independent.yml was written by someone who never saw the
training paraphrases. Issue 17 asks for 0.90; measured 0.899 (n=915) when this floor was set,
so the floor guards against a fall while the target is still open.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from assistant.core.guidance.card_matcher import OTHER, CardMatcher, features
from assistant.core.guidance.cards import load_paraphrases
from assistant.core.guidance.reader import MessageReader, shared_reader
from assistant.core.procedures.knowledge_base import KnowledgeBase
from tests.conftest import KNOWLEDGE_DIR, PROJECT_ROOT

HELD_OUT = sorted((PROJECT_ROOT / "tests" / "data").glob("heldout*/*.yml")) + sorted(
    (PROJECT_ROOT / "tests" / "data").glob("heldout*.yml")
)
MIN_HELD_OUT_ACCURACY = 0.88


@pytest.fixture(scope="module")
def reader(knowledge_base: KnowledgeBase) -> MessageReader:
    return shared_reader(KNOWLEDGE_DIR, knowledge_base)


def _held_out(known: tuple[str, ...]) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for path in HELD_OUT:
        raw = yaml.safe_load(path.read_text("utf-8")) or {}
        for part in ("paraphrases", "done"):
            for card_id, texts in (raw.get(part) or {}).items():
                assert card_id in known, f"{path.name}: {card_id} is not a card"
                items += [(card_id, str(t)) for t in texts]
    return items


def test_the_held_out_paraphrases_are_never_trained_on(reader: MessageReader) -> None:
    trained = load_paraphrases(KNOWLEDGE_DIR / "answers" / "paraphrases", reader.library.ids)
    seen = {" ".join(t.lower().split()) for texts in trained.values() for t in texts}
    held = _held_out(reader.library.ids)
    assert held
    assert not [t for _, t in held if " ".join(t.lower().split()) in seen]


def test_held_out_accuracy(reader: MessageReader) -> None:
    held = _held_out(reader.library.ids)
    right = sum(reader.match(text).label == card for card, text in held)
    misses = Counter((card, reader.match(text).label) for card, text in held)
    accuracy = right / len(held)
    print(f"held-out accuracy {accuracy:.3f} (n={len(held)})")
    assert accuracy >= MIN_HELD_OUT_ACCURACY, misses.most_common(15)


def test_every_card_has_enough_paraphrases(reader: MessageReader) -> None:
    trained = load_paraphrases(KNOWLEDGE_DIR / "answers" / "paraphrases", reader.library.ids)
    assert {
        c: len(trained.get(c, [])) for c in reader.library.ids if len(trained.get(c, [])) < 20
    } == {}


def test_the_matcher_learns_what_it_is_shown_and_says_other_for_the_rest() -> None:
    matcher = CardMatcher(
        {
            "interpreters": [
                "need an interpreter for mum",
                "how do i book an interpreter",
                "dad speaks only polish who translates",
                "interpreter for the visit",
            ],
            "see-child-alone": [
                "do i have to see the child alone",
                "seeing the kid on his own",
                "can mum sit in when i see her",
                "child seen alone?",
            ],
            OTHER: ["hello", "thanks", "carry on with my plan", "quiz me", "yes", "no"],
        },
        epochs=30,
    )
    assert matcher.match("booking an interpreter for the dad").label == "interpreters"
    assert matcher.match("must the child be seen on their own").label == "see-child-alone"
    assert matcher.match("carry on with my plan please").label == OTHER
    found = matcher.match("interpreter")
    assert 0.0 < found.runner_up_confidence <= found.confidence <= 1.0


def test_the_same_data_always_gives_the_same_matcher() -> None:
    data = {"a": ["one two", "two three"], "b": ["four five", "five six"], OTHER: ["hi"]}
    first = CardMatcher(data).probabilities("two five")
    assert CardMatcher(data).probabilities("two five") == first


def test_features_survive_typos_and_keep_word_pairs() -> None:
    right = set(features("interpreter needed"))
    typo = set(features("interpretor needed"))
    assert "b:interpreter_needed" in right
    assert len(right & typo) > len(right) / 2  # character n-grams and prefixes overlap


def test_an_unknown_card_in_the_paraphrases_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.yml").write_text("paraphrases:\n  not-a-card: [hello]\n", "utf-8")
    with pytest.raises(ValueError, match="not-a-card"):
        load_paraphrases(tmp_path, ("interpreters",))
