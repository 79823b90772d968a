"""Which action the worker's reply goes back to (engine/awaited_reply.py, the logic of the
engine's ExpectedReplyPolicy), over Rasa's event dictionaries, newest first."""

from __future__ import annotations

from typing import Any

from engine.awaited_reply import answered_by, awaiting_action, should_take


def user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text}


def action(name: str, policy: str | None = None) -> dict[str, Any]:
    return {"event": "action", "name": name, "policy": policy}


def slot(value: str | None) -> dict[str, Any]:
    return {"event": "slot", "name": "expected_reply", "value": value}


ASKED = [
    user("when's it due"),
    action("action_timescales"),
    slot("action_timescales"),
    action("action_listen"),
    user("the 3rd"),
]


def newest_first(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(reversed(events))


def test_the_reply_right_after_the_question_goes_to_the_action_that_asked() -> None:
    assert awaiting_action(newest_first(ASKED)) == "action_timescales"


def test_a_question_two_turns_back_captures_nothing() -> None:
    later = [*ASKED, action("action_answer_procedure"), action("action_listen"), user("14/12")]
    assert awaiting_action(newest_first(later)) is None


def test_an_answered_question_cleared_its_slot() -> None:
    cleared = [*ASKED[:-1], slot(None), action("action_listen"), user("14/12")]
    assert awaiting_action(newest_first(cleared)) is None


def test_listening_follows_the_policy_s_own_prediction_only() -> None:
    ran = [*ASKED, action("action_timescales", "policy_0_ExpectedReplyPolicy")]
    assert answered_by(newest_first(ran), "ExpectedReplyPolicy")
    by_rule = [*ASKED, action("action_timescales", "policy_2_RulePolicy")]
    assert not answered_by(newest_first(by_rule), "ExpectedReplyPolicy")
    assert not answered_by(newest_first(ASKED), "ExpectedReplyPolicy")


def test_only_a_date_that_is_not_a_safety_message_is_taken() -> None:
    date = [{"entity": "date", "value": "the 3rd"}]
    never = ["report_danger", "start_again"]
    assert should_take("action_timescales", date, "nlu_fallback", "date", never)
    assert not should_take("action_timescales", date, "report_danger", "date", never)
    assert not should_take("action_timescales", [], "nlu_fallback", "date", never)
    assert not should_take(None, date, "nlu_fallback", "date", never)
