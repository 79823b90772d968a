"""Tenancy in the chat (issue 16, part 1): the actions know who is asking from the message
metadata the web app (or Teams) sets, and open plans, reminders and learning progress by the
same rules as the API. Plans are made and read through the API and the actions over one
database, as a worker would across channels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters import NOBODY_SIGNED_IN
from actions.adapters_learning import learner_repository, learning_bank
from actions.adapters_plans import plan_service, reminder_repository
from actions.adapters_store import app_database
from actions.branches import ActionExplainQuestion
from actions.learning import ActionLearningProgress, ActionStartPractice, ActionStartQuiz
from actions.plans import ActionAskPlanStep, ActionResumePlan, ActionStartPlan, ValidatePlanForm
from actions.reminders import ActionMarkReminderDone, ActionSetReminders
from assistant.core.access import Principal, development_principal
from assistant.core.reminders.model import ReminderStatus
from tests import test_sign_in as sign_in
from tests.principals import KATE, KEN, KIM, KIM_IN_TEAMS, LEO, UNMAPPED_TEAMS, turn_metadata
from tests.test_sign_in import Users

# The signed-in app of tests/test_sign_in.py, on the same database file as the actions.
users, api = sign_in.users, sign_in.api

DEVELOPER = development_principal()
KIM_ANSWER = "Kim and a family support worker, with an interpreter booked"


@pytest.fixture(autouse=True)
def action_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The action server's stores on the same database file as the `api` fixture's app."""
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-11-23")
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    caches = (plan_service, reminder_repository, learner_repository, app_database)
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


def tracker(
    text: str,
    intent: str,
    who: Principal | None,
    slots: dict[str, Any] | None = None,
    in_form: bool = False,
    sender: str = "c-1",
    **metadata: Any,
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": []}
    if who is not None and who.authority is not None:
        metadata.setdefault("authority", who.authority)  # as the web app sends it
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
                    "metadata": turn_metadata(who, **metadata),
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


def said(messages: list[dict[str, Any]]) -> str:
    return " ".join(str(m) for m in messages)


def api_plan(api: TestClient, headers: dict[str, str], authority: str = "kent") -> str:
    response = api.post(
        "/api/plans",
        json={
            "authority": authority,
            "referral_date": "2026-11-02",
            "children": [{"reference": "AB"}],
            "answers": {"who_undertakes": {"text": KIM_ANSWER}},
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["plan"]["id"])


def chat_plan(who: Principal, sender: str = "c-1") -> str:
    _, events = run(
        ActionStartPlan(),
        tracker("help me plan my assessment", "plan_assessment", who, sender=sender),
    )
    return str(next(e["value"] for e in events if e["name"] == "plan_id"))


# --- Plans: another authority's plan, by reference or from the conversation ----------------


def test_another_authority_s_plan_is_not_carried_on_in_chat(api: TestClient, users: Users) -> None:
    """The issue's case: a Kent plan made over the API, a Lewisham worker in the chat."""
    plan_id = api_plan(api, users.kim)
    unknown = "0a1b2c3d4e"

    messages, events = run(
        ActionResumePlan(), tracker(f"carry on with plan {plan_id}", "resume_plan", LEO)
    )
    assert [m["text"] for m in messages] == [f"I can't find a plan with the reference {plan_id}."]
    assert events == [SlotSet("plan_step", "no_plan")]  # the plan is not the conversation's
    # Word for word what an unknown reference gets: nothing says the plan exists.
    unknown_messages, _ = run(
        ActionResumePlan(), tracker(f"carry on with plan {unknown}", "resume_plan", LEO)
    )
    assert [m["text"].replace(unknown, plan_id) for m in unknown_messages] == [
        m["text"] for m in messages
    ]

    # Even with the plan as the conversation's (a slot is not proof of anything): no answer is
    # saved, no question or card shown, no reason quoted.
    slots = {"plan_id": plan_id}
    for text in ("not sure", "skip", "back", "AB"):
        messages, events = run(ValidatePlanForm(), tracker(text, "nlu_fallback", LEO, slots, True))
        assert events == [SlotSet("plan_step", "no_plan")], text
        assert plan_id not in said(messages) and KIM_ANSWER not in said(messages)
    messages, _ = run(ActionAskPlanStep(), tracker("", "nlu_fallback", LEO, slots, True))
    assert plan_id not in said(messages) and "plan" not in messages[0]
    messages, _ = run(
        ActionExplainQuestion(), tracker("why are you asking?", "why_asking", LEO, slots, True)
    )
    assert "Question" not in said(messages)

    stored = api.get(f"/api/plans/{plan_id}", headers=users.kim).json()["plan"]
    assert stored["version"] == 1
    assert [
        v["saved_by"]
        for v in api.get(f"/api/plans/{plan_id}/versions", headers=users.kim).json()["versions"]
    ] == [KIM.subject]


def test_a_colleague_and_kim_in_teams_carry_on_a_kent_plan_by_its_reference(
    api: TestClient, users: Users
) -> None:
    """Same authority, as the API allows (PATCH by a colleague): the plan moves between
    channels and people of the team, and each version says who saved it."""
    plan_id = api_plan(api, users.kim)
    for who, sender in ((KATE, "c-kate"), (KIM_IN_TEAMS, "teams:kent-tenant:kim:chat")):
        messages, events = run(
            ActionResumePlan(),
            tracker(f"carry on with plan {plan_id}", "resume_plan", who, sender=sender),
        )
        assert f"Carrying on with plan {plan_id}" in messages[0]["text"]
        assert SlotSet("plan_id", plan_id) in events
    slots = {"plan_id": plan_id}
    run(ValidatePlanForm(), tracker("not sure", "nlu_fallback", KIM_IN_TEAMS, slots, True))
    versions = api.get(f"/api/plans/{plan_id}/versions", headers=users.kim).json()["versions"]
    assert [v["saved_by"] for v in versions] == [KIM.subject, KIM_IN_TEAMS.subject]


def test_a_plan_started_in_chat_is_the_worker_s_own_in_the_api(
    api: TestClient, users: Users
) -> None:
    plan_id = chat_plan(KIM)
    listed = api.get("/api/plans", params={"authority": "kent"}, headers=users.kim).json()
    assert [p["id"] for p in listed["plans"]] == [plan_id]
    versions = api.get(f"/api/plans/{plan_id}/versions", headers=users.kim).json()
    assert versions["versions"][0]["saved_by"] == KIM.subject
    assert api.get(
        "/api/plans", params={"authority": "kent"}, headers=users.header("kate", "kent")
    ).json() == {"plans": []}
    assert (
        api.get(f"/api/plans/{plan_id}", headers=users.header("leo", "lewisham")).status_code == 404
    )


# --- Plans: "carry on with my plan" ---------------------------------------------------------


def choices(who: Principal, **metadata: Any) -> list[str]:
    messages, events = run(
        ActionResumePlan(), tracker("carry on with my plan", "resume_plan", who, **metadata)
    )
    assert events == [SlotSet("plan_step", "no_plan")]
    return [b["payload"].removeprefix("carry on with plan ") for b in messages[0]["buttons"]]


def test_carry_on_with_my_plan_offers_only_the_worker_s_own(api: TestClient, users: Users) -> None:
    kims = chat_plan(KIM)
    kates = api_plan(api, users.header("kate", "kent"))
    leos = api_plan(api, users.header("leo", "lewisham"), authority="lewisham")
    assert choices(KIM) == [kims]
    assert choices(KATE) == [kates]
    assert set(choices(KEN)) == {kims, kates}  # a manager: the authority's, as GET /api/plans
    assert choices(LEO) == [leos]
    # A slot or a typed authority does not widen it: the channel's authority is the worker's.
    assert choices(LEO, authority="lewisham") == [leos]
    # The development user (no sign-in) still sees every plan of the authority.
    assert set(choices(DEVELOPER, authority="kent")) == {kims, kates}


def test_a_teams_user_without_an_authority_sees_only_their_own_plans() -> None:
    kims = chat_plan(KIM)
    slots = {"authority": "kent"}  # they picked Kent in the conversation
    run(ActionStartPlan(), tracker("help me plan", "plan_assessment", UNMAPPED_TEAMS, slots))
    [theirs] = [s.id for s in plan_service().repository.list("kent") if s.id != kims]
    messages, _ = run(
        ActionResumePlan(), tracker("carry on with my plan", "resume_plan", UNMAPPED_TEAMS, slots)
    )
    assert [b["payload"] for b in messages[0]["buttons"]] == [f"carry on with plan {theirs}"]
    messages, _ = run(
        ActionResumePlan(),
        tracker(f"carry on with plan {kims}", "resume_plan", UNMAPPED_TEAMS, slots),
    )
    assert "can't find a plan" in messages[0]["text"]


# --- A turn that names nobody ---------------------------------------------------------------


def test_a_turn_without_a_principal_opens_no_plan() -> None:
    """The engine used directly (no web app, no Teams): no metadata, so nobody."""
    kims = chat_plan(KIM)
    slots = {"plan_id": kims}
    turns = [
        (ActionStartPlan(), tracker("help me plan", "plan_assessment", None, authority="kent")),
        (ActionResumePlan(), tracker(f"carry on with plan {kims}", "resume_plan", None)),
        (
            ActionResumePlan(),
            tracker("carry on with my plan", "resume_plan", None, authority="kent"),
        ),
        (ValidatePlanForm(), tracker("not sure", "nlu_fallback", None, slots, True)),
        (ActionAskPlanStep(), tracker("", "nlu_fallback", None, slots, True)),
    ]
    for action, t in turns:
        messages, _ = run(action, t)
        assert [m["text"] for m in messages] == [NOBODY_SIGNED_IN], action.name()
    assert plan_service().repository.get(kims).version == 1
    assert len(plan_service().repository.list("kent")) == 1


# --- Reminders -----------------------------------------------------------------------------


def test_reminders_take_no_dates_from_another_authority_s_plan(
    api: TestClient, users: Users
) -> None:
    plan_id = api_plan(api, users.kim)  # referral 2 November 2026
    messages, _ = run(
        ActionSetReminders(),
        tracker("remind me of my checkpoints", "set_reminders", LEO, {"plan_id": plan_id}),
    )
    assert "Which referral?" in messages[0]["text"]
    assert reminder_repository().for_conversation("c-1") == []
    # Her colleague's conversation may use it (same authority), and the reminders name it.
    run(
        ActionSetReminders(),
        tracker(
            "remind me of my checkpoints",
            "set_reminders",
            KATE,
            {"plan_id": plan_id},
            sender="c-kate",
        ),
    )
    set_for_kate = reminder_repository().for_conversation("c-kate")
    assert set_for_kate and {r.plan_id for r in set_for_kate} == {plan_id}


def test_reminders_are_neither_set_nor_marked_done_for_nobody() -> None:
    messages, _ = run(
        ActionSetReminders(),
        tracker(
            "remind me of the checkpoints for the referral on 2/11/2026",
            "set_reminders",
            None,
            authority="kent",
        ),
    )
    assert [m["text"] for m in messages] == [NOBODY_SIGNED_IN]
    assert reminder_repository().for_conversation("c-1") == []

    run(
        ActionSetReminders(),
        tracker("remind me of the dates for the referral on 2/11/2026", "set_reminders", KIM),
    )
    first = reminder_repository().for_conversation("c-1")[0]
    done = f"mark reminder {first.id} done"
    messages, _ = run(ActionMarkReminderDone(), tracker(done, "mark_reminder_done", None))
    assert [m["text"] for m in messages] == [NOBODY_SIGNED_IN]
    # Nor from another conversation (someone else's, or Kim's other one).
    messages, _ = run(
        ActionMarkReminderDone(), tracker(done, "mark_reminder_done", LEO, sender="c-leo")
    )
    assert "can't find a reminder" in messages[0]["text"]
    assert reminder_repository().get(first.id).status is ReminderStatus.PENDING
    messages, _ = run(ActionMarkReminderDone(), tracker(done, "mark_reminder_done", KIM))
    assert reminder_repository().get(first.id).status is ReminderStatus.DONE


# --- Learning progress ---------------------------------------------------------------------


def test_a_signed_in_worker_s_progress_is_their_own_whatever_the_learner_id() -> None:
    learners = learner_repository()
    question = learning_bank().questions[0].id
    learners.save(learners.get("amy").answered(question, True, datetime.now(UTC)))
    asking = ("how am I doing?", "how_am_i_doing")
    [kims], _ = run(ActionLearningProgress(), tracker(*asking, KIM, learner="amy"))
    assert "haven't answered any questions yet" in kims["text"]
    # The development user's page names the learner (no sign-in to say who it is).
    [amys], _ = run(ActionLearningProgress(), tracker(*asking, DEVELOPER, learner="amy"))
    assert "You've answered 1 questions and got 1 right" in amys["text"]


def test_nobody_s_progress_is_opened_for_a_turn_without_a_principal() -> None:
    for action, text, intent in (
        (ActionLearningProgress(), "how am I doing?", "how_am_i_doing"),
        (ActionStartQuiz(), "quiz me", "quiz_me"),
        (ActionStartPractice(), "give me a practice case", "practice_case"),
    ):
        messages, _ = run(
            action, tracker(text, intent, None, sender="kim", learner="kim", authority="kent")
        )
        assert [m["text"] for m in messages] == [NOBODY_SIGNED_IN], text
