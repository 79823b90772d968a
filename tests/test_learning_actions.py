"""Learning mode's actions with Tracker.from_dict fixtures and a CollectingDispatcher, over a
real SQLite store: a quiz, progress that lasts across conversations, a practice case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters_learning import learner_repository, learning_bank
from actions.adapters_store import app_database
from actions.learning import (
    NOTE,
    ActionAskPracticeStep,
    ActionAskQuizStep,
    ActionLearningProgress,
    ActionStartPractice,
    ActionStartQuiz,
    ValidatePracticeForm,
    ValidateQuizForm,
)
from assistant.core.access import Principal, development_principal
from assistant.core.learning.quiz import LETTERS
from tests.principals import turn_metadata

# The web page's learner id names the record only for the development user.
DEVELOPER = development_principal()


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    for cached in (learner_repository, app_database):
        cached.cache_clear()
    yield
    for cached in (learner_repository, app_database):
        cached.cache_clear()


def tracker(
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    form: str | None = None,
    sender: str = "web-1",
    learner: str | None = "learner-1",
    who: Principal | None = DEVELOPER,
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    metadata: dict[str, Any] = turn_metadata(who, authority="kent")
    if learner:
        metadata["learner"] = learner
    requested = {"quiz_form": "quiz_step", "practice_form": "practice_step"}.get(form or "")
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {**({"requested_slot": requested} if requested else {}), **(slots or {})},
            "latest_message": latest,
            "events": [{"event": "user", "text": text, "parse_data": latest, "metadata": metadata}],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": form} if form else {},
            "latest_action_name": "action_listen",
        }
    )


def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, {})
    return [m["custom"] for m in dispatcher.messages], events


def slots_after(events: list[Any], slots: dict[str, Any]) -> dict[str, Any]:
    return {**slots, **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}


def test_a_quiz_of_five_with_feedback_said_with_the_next_question() -> None:
    messages, events = run(ActionStartQuiz(), tracker("quiz me on timescales", "quiz_me"))
    assert "A quiz of 5 questions on Timescales and checkpoints" in messages[0]["text"]
    slots = slots_after(events, {})
    assert slots["quiz_scope"] == "timescales"
    bank = learning_bank()
    for number in range(1, 6):
        question = bank.question(slots["quiz_question"])
        assert question is not None and question.topic == "timescales"
        [asked], events = run(ActionAskQuizStep(), tracker("", "nlu_fallback", slots, "quiz_form"))
        assert f"Question {number} (Timescales and checkpoints)" in asked["text"]
        if number > 1:  # the last answer's feedback comes first, with its source
            assert asked["text"].startswith(("Right.", "Not quite"))
            assert asked["citations"]
        slots = slots_after(events, slots)
        answer = LETTERS[question.answer] if number != 2 else LETTERS[(question.answer + 1) % 3]
        messages, events = run(
            ValidateQuizForm(), tracker(answer, "nlu_fallback", slots, "quiz_form")
        )
        slots = slots_after(events, slots)
    assert slots["quiz_step"] == "done"
    assert messages[0]["text"].startswith("Right.")
    assert "You got 4 of 5 right." in messages[0]["text"]
    learner = learner_repository().get("learner-1")
    # The one missed (question 2) came back as question 5, two questions later.
    assert learner.asked == 5
    assert [r.attempts for r in learner.questions.values()].count(2) == 1


def test_an_unclear_answer_is_asked_again_and_a_question_is_left_to_the_rules() -> None:
    _, events = run(ActionStartQuiz(), tracker("quiz me", "quiz_me"))
    slots = slots_after(events, {})
    messages, events = run(ValidateQuizForm(), tracker("hmm", "nlu_fallback", slots, "quiz_form"))
    assert messages == [] and events[0] == SlotSet(NOTE, events[0]["value"])
    assert events[0]["value"]["text"].startswith("Answer with A, B, C or D")
    messages, events = run(
        ValidateQuizForm(), tracker("what does s47 mean?", "explain_term", slots, "quiz_form")
    )
    assert (messages, events) == ([], [])


def test_progress_lasts_across_conversations_for_the_same_learner() -> None:
    _, events = run(ActionStartQuiz(), tracker("quiz me on the NRM", "quiz_me", sender="web-1"))
    slots = slots_after(events, {})
    run(ValidateQuizForm(), tracker("Z", "nlu_fallback", slots, "quiz_form"))  # unclear
    question = learning_bank().question(slots["quiz_question"])
    assert question is not None
    wrong = LETTERS[(question.answer + 1) % len(question.choices)]
    run(ValidateQuizForm(), tracker(wrong, "nlu_fallback", slots, "quiz_form"))
    [progress], _ = run(
        ActionLearningProgress(), tracker("how am I doing?", "how_am_i_doing", sender="web-2")
    )
    assert "You've answered 1 questions and got 0 right" in progress["text"]
    assert progress["progress"]["answered"] == 1
    assert progress["buttons"][0]["payload"] == f"quiz me on {question.topic}"


def test_a_practice_case_is_compared_with_the_procedures_key_actions() -> None:
    _, events = run(
        ActionStartPractice(), tracker("give me a practice case on trafficking", "practice_case")
    )
    slots = slots_after(events, {})
    case = learning_bank().case(slots["practice_case"])
    assert case is not None and case.topic == "trafficking-nrm"
    [asked], _ = run(ActionAskPracticeStep(), tracker("", "nlu_fallback", slots, "practice_form"))
    assert asked["text"].startswith(f"Practice case: {case.title}")
    _, events = run(
        ValidatePracticeForm(), tracker("no idea", "nlu_fallback", slots, "practice_form")
    )
    assert events[0]["value"]["text"].startswith("Say what you would do")
    messages, events = run(
        ValidatePracticeForm(),
        tracker("Tell the family it will be fine", "nlu_fallback", slots, "practice_form"),
    )
    assert messages[0]["text"].startswith(f"You covered 0 of {len(case.key_actions)}")
    assert "Missed:" in messages[0]["text"] and messages[0]["citations"]
    assert events == [SlotSet("practice_step", "done")]
    assert learner_repository().get("learner-1").cases[case.id].covered == 0


def test_the_progress_view_and_topics_over_http(client: Any) -> None:
    state = client.app.state
    learner = state.learners.get("learner-9")
    question = state.learning_bank.questions[0]
    state.learners.save(learner.answered(question.id, False, learner.updated_at or _now()))
    progress = client.get("/api/learning/progress", params={"learner_id": "learner-9"}).json()
    row = next(t for t in progress["topics"] if t["topic"] == question.topic)
    assert (row["attempts"], row["correct"], row["to_revisit"]) == (1, 0, 1)
    fresh = client.get("/api/learning/progress", params={"learner_id": "nobody-yet"}).json()
    assert fresh["answered"] == 0
    assert client.get("/api/learning/progress").status_code == 422
    topics = client.get("/api/learning/topics").json()
    assert sum(t["questions"] for t in topics["topics"]) >= 80 and topics["practice_cases"] >= 10


def _now() -> datetime:
    return datetime.now(UTC)
