"""The plan actions with Tracker.from_dict fixtures and a CollectingDispatcher, over a real
SQLite store: start, answer, digress, carry on later, resume from another conversation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters_plans import plan_service
from actions.branches import ActionExplainQuestion
from actions.plans import (
    DIGRESSIONS,
    ActionAskPlanStep,
    ActionResumePlan,
    ActionStartPlan,
    ValidatePlanForm,
    is_digression,
)
from assistant.core.access import Principal
from assistant.settings import PROJECT_ROOT
from tests.principals import KIM, turn_metadata


@pytest.fixture(autouse=True)
def plan_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-11-23")
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    plan_service.cache_clear()
    yield
    plan_service.cache_clear()


def tracker(
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    in_form: bool = False,
    authority: str | None = "kent",
    confidence: float = 0.95,
    sender: str = "worker-1",
    who: Principal | None = KIM,
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {**({"requested_slot": "plan_step"} if in_form else {}), **(slots or {})},
            "latest_message": latest,
            "events": [
                {"event": "action", "name": "action_listen"},
                {
                    "event": "user",
                    "text": text,
                    "parse_data": latest,
                    "metadata": turn_metadata(
                        who, **({"authority": authority} if authority else {})
                    ),
                },
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": "plan_form"} if in_form else {},
            "latest_action_name": "action_listen",
        }
    )


def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, {})
    return [m["custom"] for m in dispatcher.messages], events


def start(**slots: Any) -> str:
    messages, events = run(
        ActionStartPlan(), tracker("help me plan my assessment", "plan_assessment", slots)
    )
    [intro] = messages
    assert "one question at a time" in intro["text"]
    plan_id = next(e["value"] for e in events if e["name"] == "plan_id")
    assert intro["plan"]["id"] == plan_id
    assert SlotSet("plan_step", None) in events
    return str(plan_id)


def answer(
    plan_id: str, text: str, intent: str = "nlu_fallback", **kw: Any
) -> tuple[list[dict[str, Any]], list[Any]]:
    return run(ValidatePlanForm(), tracker(text, intent, {"plan_id": plan_id}, in_form=True, **kw))


def asked(plan_id: str) -> str:
    [question], _ = run(
        ActionAskPlanStep(), tracker("", "nlu_fallback", {"plan_id": plan_id}, in_form=True)
    )
    return str(question["text"])


def test_starting_a_plan_uses_what_the_conversation_knows() -> None:
    plan_id = start(referral_date="2026-11-02", branch="trafficking-nrm")
    plan = plan_service().repository.get(plan_id)
    assert plan.referral_date.isoformat() == "2026-11-02"  # type: ignore[union-attr]
    assert plan.branches == {"trafficking-nrm"}
    assert asked(plan_id).startswith("Question 1 of 19: Children")
    answer(plan_id, "AB")
    # The referral date the worker already gave is not asked again.
    assert asked(plan_id).startswith("Question 3 of 19: Procedure branches")


def test_without_an_authority_the_plan_waits_for_one() -> None:
    messages, events = run(
        ActionStartPlan(), tracker("help me plan", "plan_assessment", authority=None)
    )
    assert "authority" in messages[0]["text"].lower() or messages[0]["buttons"]
    assert events == [SlotSet("plan_step", "no_plan")]


def test_answers_are_recorded_and_the_next_question_asked() -> None:
    plan_id = start()
    messages, events = answer(plan_id, "AB")
    assert events == [SlotSet("plan_step", None)]
    messages, events = answer(plan_id, "2/11/2026")
    assert "due by Thursday 7 January 2027" in messages[0]["text"]
    # Remembered for the rest of the conversation ("what are my checkpoints?").
    assert events == [SlotSet("plan_step", None), SlotSet("referral_date", "2026-11-02")]
    assert plan_service().repository.get(plan_id).version == 3
    [question], _ = run(
        ActionAskPlanStep(), tracker("", "nlu_fallback", {"plan_id": plan_id}, in_form=True)
    )
    assert question["text"].startswith("Question 3 of 19: Procedure branches")
    # The plan card lets the web page show the plan growing.
    assert question["plan"]["version"] == 3 and question["plan"]["children"] == ["AB"]


def test_a_question_in_the_middle_is_left_to_the_rules() -> None:
    plan_id = start()
    for text, intent in [
        ("what does s47 mean?", "explain_term"),
        ("how long have I got for the assessment?", "ask_timescale"),
        ("the child is in danger right now", "report_danger"),
        ("why are you asking", "why_asking"),
    ]:
        messages, events = answer(plan_id, text, intent)
        assert (messages, events) == ([], []), text
    assert plan_service().repository.get(plan_id).version == 1  # nothing recorded


def test_danger_in_the_words_is_answered_even_when_not_classified_as_such() -> None:
    plan_id = start()
    messages, events = answer(
        plan_id, "the child is at risk of immediate harm right now", "nlu_fallback", confidence=0.3
    )
    assert messages[0]["text"].startswith("Tell your manager now; call the police on 999")
    assert events == [SlotSet("plan_step", None)]  # the question is asked again
    assert plan_service().repository.get(plan_id).version == 1  # nothing recorded


def test_an_answer_that_merely_sounds_like_an_intent_is_still_an_answer() -> None:
    plan_id = start()
    answer(plan_id, "AB")
    answer(plan_id, "2/11/2026")
    answer(plan_id, "none of these")
    # Classified as a branch or a planning question, but it is the answer to "who undertakes".
    _, events = answer(plan_id, "Me and a student social worker", "ask_planning", confidence=0.7)
    assert events[0] == SlotSet("plan_step", None)
    plan = plan_service().repository.get(plan_id)
    assert plan.answers["who_undertakes"].text == "Me and a student social worker"


def test_carry_on_later_ends_the_form_and_the_plan_resumes_elsewhere() -> None:
    plan_id = start()
    answer(plan_id, "AB")
    messages, events = answer(plan_id, "Carry on later")
    assert events == [SlotSet("plan_step", "paused")]
    assert plan_id in messages[0]["text"]
    # Another conversation (another device or Teams), by reference.
    messages, events = run(
        ActionResumePlan(),
        tracker(f"carry on with plan {plan_id}", "resume_plan", sender="teams:worker-1"),
    )
    assert "at question 2 of 19" in messages[0]["text"]
    assert SlotSet("plan_id", plan_id) in events and SlotSet("plan_step", None) in events
    assert asked(plan_id).startswith("Question 2 of 19: Referral date")


def test_resuming_without_a_reference_offers_the_unfinished_plans() -> None:
    plan_id = start()
    answer(plan_id, "CD")
    messages, events = run(ActionResumePlan(), tracker("carry on with my plan", "resume_plan"))
    [choice] = messages
    assert choice["buttons"][0] == {
        "title": f"CD ({plan_id})",
        "payload": f"carry on with plan {plan_id}",
    }
    assert events == [SlotSet("plan_step", "no_plan")]


def test_resuming_a_finished_plan_goes_through_its_open_questions() -> None:
    plan_id = start()
    for text in ["AB", "2/11/2026", "None of these", "Me"]:
        answer(plan_id, text)
    service = plan_service()
    plan = service.repository.get(plan_id)
    service.repository.save(
        plan.with_changes(finished=True, cursor=None), "test", plan_service_now()
    )
    messages, events = run(
        ActionResumePlan(), tracker(f"carry on with plan {plan_id}", "resume_plan")
    )
    assert "open questions" in messages[0]["text"]
    assert SlotSet("plan_step", None) in events
    assert asked(plan_id).startswith("Question 5 of 19: Who in the family")


def test_resuming_an_unknown_reference_says_so() -> None:
    messages, events = run(
        ActionResumePlan(), tracker("carry on with plan 0123456789", "resume_plan")
    )
    assert "can't find a plan" in messages[0]["text"]
    assert events == [SlotSet("plan_step", "no_plan")]


def test_why_asking_in_the_plan_quotes_the_planning_question() -> None:
    plan_id = start()
    plan = plan_service().repository.get(plan_id)
    plan_service().repository.save(plan.with_changes(cursor="consent"), "test", plan_service_now())
    messages, _ = run(
        ActionExplainQuestion(),
        tracker("why are you asking?", "why_asking", {"plan_id": plan_id}, in_form=True),
    )
    assert "consent of family members" in messages[0]["text"]
    assert messages[0]["citations"][0]["section_id"].startswith("kent/")


def plan_service_now() -> datetime:
    return datetime.now(UTC)


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "expected"),
    [
        ("what is a strategy discussion?", "explain_term", 0.9, True),
        ("Police and school, by phone", "ask_police", 0.9, False),
        ("someone is hurting him now", "report_danger", 0.8, True),
        ("someone is hurting him now", "report_danger", 0.3, False),
        ("carry on with plan 3fa2b1c9d0", "resume_plan", 0.95, True),
        ("plan to see mum first", "plan_assessment", 0.7, False),
        ("AB and CD", "greet", 0.99, False),
    ],
)
def test_digressions_are_told_from_answers(
    text: str, intent: str, confidence: float, expected: bool
) -> None:
    assert is_digression(text, intent, confidence) is expected


def test_every_digression_has_a_rule_that_returns_to_the_plan() -> None:
    rules = yaml.safe_load((PROJECT_ROOT / "nlu" / "rules_plan.yml").read_text())["rules"]
    returning = {
        r["steps"][0]["intent"]
        for r in rules
        if r.get("condition") == [{"active_loop": "plan_form"}]
        and r["steps"][-1] == {"active_loop": "plan_form"}
    }
    assert DIGRESSIONS | {"report_danger"} - {"start_again"} <= returning | {"start_again"}
    assert returning <= DIGRESSIONS | {"report_danger"}
