"""Reading a message: safety concerns (not concepts), honest limits, the reading's round trip,
and the engine's routing rule that follows it (engine/reading_route.py, no Rasa needed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.core.guidance.card_matcher import OTHER, CardMatch
from assistant.core.guidance.understanding import (
    Reading,
    Understanding,
    is_concept_question,
    limits_reading,
    raises_safety_concern,
    understand,
)
from engine.reading_route import follows_reading

_ENGLISH_TEXT = """
the child told me his dad hit him with a belt do i need to see alone what counts as
significant harm is mum says bruise on her arm from kent how long have i got for the
assessment interpreter school
"""
ENGLISH = frozenset(_ENGLISH_TEXT.split())


def _knows(word: str) -> bool:
    return word in ENGLISH


@pytest.mark.parametrize(
    "text",
    [
        "the child told me his dad hit him with a belt",
        "8yo disclosed that mums partner punched her last night",
        "bruise on her arm, she says mum did it",
        "he is in immediate danger at home",
        "dad is threatening to kill her",
        "marks on his back, told teacher they were from the belt",
    ],
)
def test_a_live_concern_is_urgent(text: str) -> None:
    assert raises_safety_concern(text)


@pytest.mark.parametrize(
    "text",
    [
        "what counts as significant harm",
        "what is a disclosure",
        "define significant harm",
        "how do we judge whether a bruise is an injury we worry about",
        "what does domestic abuse mean for the assessment",
        "how long have i got for the assessment",
    ],
)
def test_a_concept_question_is_not(text: str) -> None:
    assert not raises_safety_concern(text)


def test_a_concept_word_with_a_live_case_is_not_a_concept() -> None:
    assert is_concept_question("what counts as significant harm")
    assert not is_concept_question("what counts as significant harm, she told me he hit her")


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("<script>alert(1)</script>", Reading.UNCLEAR),
        ('{"message": "hi"}', Reading.UNCLEAR),
        ("SELECT * FROM plans", Reading.UNCLEAR),
        ("asdkjh qwoeiu zxcmn", Reading.UNCLEAR),
        ("?!?!", Reading.UNCLEAR),
        ("Sut mae gwneud asesiad plentyn?", Reading.OTHER_LANGUAGE),
        ("ما هو التقييم الذي يجب أن أقوم به", Reading.OTHER_LANGUAGE),
        ("如何评估儿童", Reading.OTHER_LANGUAGE),
    ],
)
def test_what_the_assistant_cannot_read_is_named(text: str, reading: Reading) -> None:
    assert limits_reading(text, _knows) is reading


@pytest.mark.parametrize(
    "text",
    ["do i need to see the child alone", "/affirm", "14/12/2026", "the 3rd", "yes", ""],
)
def test_english_payloads_and_dates_are_read(text: str) -> None:
    assert limits_reading(text, lambda w: w in ENGLISH or w in {"rd", "yes"}) is None


def _matcher(label: str, confidence: float, runner_up: str = OTHER, second: float = 0.0):  # type: ignore[no-untyped-def]
    return lambda text: CardMatch(label, confidence, runner_up, second)


def test_a_confident_card_is_a_card_and_an_unsure_one_is_left_to_the_engine() -> None:
    sure = understand(
        "do i need to see the child alone",
        _matcher("see-child-alone", 0.8),
        _knows,
        lambda c: False,
    )
    assert (sure.reading, sure.card, sure.urgent) == (Reading.CARD, "see-child-alone", False)
    unsure = understand(
        "do i need to see the child alone",
        _matcher("see-child-alone", 0.1),
        _knows,
        lambda c: False,
    )
    assert (unsure.reading, unsure.card) == (Reading.OTHER, None)


def test_an_urgent_card_is_urgent_unless_the_question_is_a_concept() -> None:
    urgent = {"safety-escalation"}.__contains__
    live = understand(
        "the child told me his dad hit him", _matcher("safety-escalation", 0.7), _knows, urgent
    )
    assert live.urgent
    concept = understand(
        "what counts as significant harm", _matcher("safety-escalation", 0.7), _knows, urgent
    )
    assert not concept.urgent


def test_a_second_card_is_kept_for_a_message_that_asks_two_things() -> None:
    reading = understand(
        "the child told me his dad hit him with a belt, also not in school",
        _matcher("disclosure", 0.6, "child-not-in-school", 0.2),
        lambda w: _knows(w) or w in {"also", "not"},
        lambda c: c == "disclosure",
    )
    assert reading.second_card == "child-not-in-school" and reading.urgent


@given(
    st.sampled_from(list(Reading)),
    st.one_of(st.none(), st.text(min_size=1, max_size=20)),
    st.floats(min_value=0, max_value=1),
    st.booleans(),
)
def test_the_reading_survives_the_trip_through_the_engine(
    reading: Reading, card: str | None, confidence: float, urgent: bool
) -> None:
    original = Understanding(reading, card, confidence, urgent)
    back = Understanding.from_metadata(original.to_metadata())
    assert back is not None
    assert (back.reading, back.card, back.urgent) == (reading, card, urgent)
    assert back.confidence == pytest.approx(confidence, abs=1e-3)


@pytest.mark.parametrize("raw", [None, "card", {"reading": "nonsense"}, {"confidence": "x"}, 3])
def test_anything_else_in_the_metadata_is_no_reading(raw: object) -> None:
    assert Understanding.from_metadata(raw) is None


# The engine's rule ------------------------------------------------------------------------

PROTECTED = ["report_danger", "affirm", "deny", "homeless_16_17"]
DATED = ["ask_timescale"]


def _route(reading: dict[str, object] | None, intent: str, text: str = "a question", entities=()):  # type: ignore[no-untyped-def]
    metadata = {"understanding": reading} if reading is not None else {}
    return follows_reading(metadata, text, intent, list(entities), PROTECTED, DATED)


@pytest.mark.parametrize(
    "intent", ["choose_authority", "resume_plan", "out_of_scope", "ask_procedure", "nlu_fallback"]
)
def test_a_confident_card_takes_the_message_from_a_misleading_intent(intent: str) -> None:
    assert _route({"reading": "card", "card": "consent-for-assessment"}, intent)


def test_the_engine_keeps_what_its_own_rules_do_best() -> None:
    card = {"reading": "card", "card": "timescale-overall"}
    assert not _route(card, "affirm")
    assert not _route(card, "homeless_16_17")
    assert not _route(card, "ask_timescale", entities=[{"entity": "date"}])
    assert _route(card, "ask_timescale")  # a rule question, no date to count from
    assert not _route(card, "ask_procedure", text="/affirm")  # a button's payload
    assert not _route({"reading": "other"}, "resume_plan")
    assert not _route(None, "ask_procedure")


def test_unclear_messages_and_safety_concerns_go_to_the_answer() -> None:
    assert _route({"reading": "unclear"}, "greet")
    assert _route({"reading": "other_language"}, "affirm") is False  # yes/no stay the engine's
    assert _route({"reading": "other", "urgent": True}, "ask_education")


def test_a_card_the_intents_own_action_answers_stays_with_it() -> None:
    own = {"ask_timescale": ["timescale-overall"]}
    due = {"reading": "card", "card": "timescale-overall"}
    assert not follows_reading(
        {"understanding": due}, "when is it due", "ask_timescale", [], PROTECTED, DATED, own
    )
    extension = {"reading": "card", "card": "extension"}
    assert follows_reading(
        {"understanding": extension}, "need more time", "ask_timescale", [], PROTECTED, DATED, own
    )
