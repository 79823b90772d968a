"""The guidance actions with Tracker.from_dict fixtures and a CollectingDispatcher."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guidance import (
    ActionAnswerProcedure,
    ActionCheckpoints,
    ActionExplainTerm,
    ActionReportDanger,
    ActionShowSection,
    ActionTimescales,
)
from assistant.core.guidance.card_answer import SAFETY_FIRST_LINE
from tests.test_actions import make_tracker


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-11-23")


def run(
    action: Any,
    text: str,
    intent: str,
    authority: str | None = "kent",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], list[Any]]:
    tracker = make_tracker(
        text,
        intent,
        entities=entities,
        metadata={"authority": authority} if authority else {},
        slots=slots,
    )
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return [m["custom"] for m in dispatcher.messages], events


def test_a_procedural_question_is_answered_with_citations_and_remembers_the_topic() -> None:
    messages, events = run(
        ActionAnswerProcedure(), "do I need consent for an NRM referral", "ask_procedure"
    )
    [answer] = messages
    # The direct answer first (the consent question answered), then Kent's steps and sources.
    first = answer["text"].splitlines()[0]
    assert "National Referral Mechanism" in first and "consent" in first
    assert "Sources: Kent —" in answer["text"]
    assert answer["citations"] and all(c["authority"] == "kent" for c in answer["citations"])
    assert events == [SlotSet("last_topic", "trafficking-nrm")]


def test_a_follow_up_uses_the_conversation_topic() -> None:
    messages, _ = run(
        ActionAnswerProcedure(),
        "which other services should she be referred on to?",
        "ask_procedure",
        slots={"last_topic": "trafficking-nrm"},
    )
    assert "ICTG" in messages[0]["text"]


def test_without_an_authority_the_worker_is_asked_for_one() -> None:
    messages, events = run(
        ActionAnswerProcedure(), "what do I do next", "ask_procedure", authority=None
    )
    assert "Which authority" in messages[0]["text"]
    assert len(messages[0]["buttons"]) == 5
    # Kept, and answered once the authority is chosen (tests/test_card_actions.py).
    assert events == [SlotSet("pending_question", "what do I do next")]


def test_a_disclosure_gets_police_and_manager_before_anything_else() -> None:
    messages, _ = run(
        ActionReportDanger(), "he says his dad punched him", "report_danger", authority="blackpool"
    )
    assert messages[0]["text"].startswith(SAFETY_FIRST_LINE)
    # Then Blackpool's own escalation, cited from Blackpool's chapter.
    assert messages[0]["citations"]
    assert all(c["authority"] == "blackpool" for c in messages[0]["citations"])
    unknown, _ = run(
        ActionReportDanger(), "he says his dad punched him", "report_danger", authority=None
    )
    assert unknown[0]["text"] == SAFETY_FIRST_LINE
    assert "Which authority" in unknown[1]["text"]


def test_terms_are_explained_with_citations() -> None:
    messages, _ = run(ActionExplainTerm(), "what does s20 mean", "explain_term")
    assert "accommodation" in messages[0]["text"].lower()
    assert messages[0]["citations"][0]["authority"] == "kent"  # the worker's own first


def test_timescales_from_the_message_and_checkpoints_from_memory() -> None:
    messages, events = run(
        ActionTimescales(),
        "referral came in on 20 November, when's it due?",
        "ask_timescale",
        authority="blackpool",
    )
    text = messages[0]["text"]
    assert "Wednesday 27 January 2027" in text
    assert "I've taken 20 November as 20 November 2026, the most recent one." in text
    assert messages[0]["timescales"]["referral_date"] == "2026-11-20"
    assert SlotSet("referral_date", "2026-11-20") in events
    follow_up, _ = run(
        ActionCheckpoints(),
        "what about the checkpoints?",
        "ask_checkpoints",
        authority="blackpool",
        slots={"referral_date": "2026-11-20"},
    )
    assert "Friday 4 December 2026" in follow_up[0]["text"]
    assert "Wednesday 6 January 2027" in follow_up[0]["text"]


def test_an_impossible_date_is_said_back_not_guessed() -> None:
    messages, events = run(ActionTimescales(), "referral 31/02/2027 when due", "ask_timescale")
    assert "not a real date" in messages[0]["text"]
    assert events == [SlotSet("expected_reply", "action_timescales")]  # the date, again


def test_no_date_yet_asks_for_the_referral_date() -> None:
    messages, events = run(ActionTimescales(), "when is it due?", "ask_timescale")
    assert "When did the referral come in?" in messages[0]["text"]
    # The engine sends the next message back here when it holds a date, whatever its intent.
    assert SlotSet("expected_reply", "action_timescales") in events


def test_the_reply_to_the_question_is_read_as_the_referral_date_whatever_its_form() -> None:
    # The test clock says Monday 23 November 2026; the classifier's guess does not matter.
    for said, expected in [
        ("the 3rd", "Tuesday 3 November 2026"),
        ("tues just gone", "Tuesday 17 November 2026"),
        ("a week last Monday", "Monday 9 November 2026"),
        ("14/12", "Sunday 14 December 2025"),
        ("2nd october", "Friday 2 October 2026"),
    ]:
        messages, events = run(ActionTimescales(), said, "nlu_fallback", authority="kent")
        assert f"referral on {expected}" in messages[0]["text"], said
        assert SlotSet("expected_reply", None) in events


def test_a_referral_date_in_the_future_is_questioned_then_used_when_said_again() -> None:
    messages, events = run(
        ActionTimescales(), "referral came in on 14/12/2026", "ask_timescale", authority="kent"
    )
    text = messages[0]["text"]
    assert "which is after today (Monday 23 November 2026)" in text
    assert "45 working days" not in text  # nothing counted from a date that may be a slip
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Yes, 14 December 2026",
        "It was 14 December 2025",
    ]
    assert SlotSet("unconfirmed_referral_date", "2026-12-14") in events
    assert SlotSet("expected_reply", "action_timescales") in events
    again, _ = run(
        ActionTimescales(),
        messages[0]["buttons"][0]["payload"],
        "ask_timescale",
        authority="kent",
        slots={"unconfirmed_referral_date": "2026-12-14"},
    )
    assert "Timescales for a referral on Monday 14 December 2026" in again[0]["text"]
    assert "in the future" in again[0]["text"]


def test_show_section_gives_the_text_and_its_citation() -> None:
    messages, _ = run(
        ActionShowSection(),
        '/show_section{"section_id": "kent/11-timescales"}',
        "show_section",
        entities=[{"entity": "section_id", "value": "kent/11-timescales"}],
    )
    assert "45 working days" in messages[0]["text"]
    assert messages[0]["citations"][0]["section_id"] == "kent/11-timescales"


def test_show_section_typed_without_a_source_answers_from_the_procedure() -> None:
    # "section 47" is the Children Act's, not a section of ours: no dead end, an answer.
    messages, _ = run(
        ActionShowSection(),
        "mum rang about the section 47 enquiry, what happens next",
        "show_section",
    )
    [answer] = messages
    assert "couldn't find that section" not in answer["text"]
    assert "section 47" in answer["text"].lower() and "Sources: Kent —" in answer["text"]
    assert answer["citations"] and all(c["authority"] == "kent" for c in answer["citations"])


def test_an_unknown_section_reference_says_so() -> None:
    messages, _ = run(
        ActionShowSection(),
        '/show_section{"section_id": "kent/99-nothing"}',
        "show_section",
        entities=[{"entity": "section_id", "value": "kent/99-nothing"}],
    )
    assert messages[0]["text"].startswith("I couldn't find that section.")


def test_an_edd_alone_gives_the_pre_birth_date_and_asks_for_the_referral() -> None:
    messages, events = run(
        ActionTimescales(),
        "pre-birth, EDD 14 November 2027, when must the assessment be complete?",
        "ask_timescale",
    )
    text = messages[0]["text"]
    assert "by Friday 15 October 2027" in text
    assert "Tell me the referral date" in text
    assert messages[0]["citations"][0]["section_id"] == "kent/11-1-pre-birth-good-practice-steps"
    assert SlotSet("expected_delivery_date", "2027-11-14") in events


def test_an_extension_question_without_a_date_is_answered_not_asked_for_a_referral() -> None:
    messages, events = run(
        ActionTimescales(), "who can agree an extension?", "ask_timescale", authority="blackpool"
    )
    [answer] = messages
    assert "When did the referral come in?" not in answer["text"]
    assert "Your procedure doesn't say who agrees an extension" in answer["text"]
    assert "team manager" not in answer["text"]
    assert answer["citations"][0]["section_id"].startswith("blackpool/")
    assert SlotSet("referral_date", None) in events  # nothing remembered is invented
