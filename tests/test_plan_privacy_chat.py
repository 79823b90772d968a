"""A plan answer given in chat is masked before it is stored, even when it reaches the action
server without passing the web app's masking (issue 16)."""

from __future__ import annotations

from actions.adapters_plans import plan_service
from tests.test_plan_actions import answer, asked, plan_store, start

__all__ = ["plan_store"]  # the store fixture, used by every test here


def test_an_answer_in_chat_is_stored_masked_and_the_worker_told() -> None:
    plan_id = start()
    answer(plan_id, "AB")
    answer(plan_id, "2/11/2026")
    answer(plan_id, "None of these")
    question = asked(plan_id)
    assert question.startswith("Question 4 of")
    messages, _ = answer(plan_id, "Me and the boy is called jayden, NHS 943 4765 919")
    assert messages[0]["text"].startswith("I removed identifying details")
    stored = plan_service().repository.get(plan_id)
    text = " ".join(a.text for a in stored.answers.values())
    assert "jayden" not in text and "4765" not in text
    assert "the boy is called [name], NHS [NHS number]" in text
