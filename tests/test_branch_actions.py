"""The branch actions with Tracker.from_dict fixtures, and their fit with domain.yml."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.branches import (
    BRANCH_OF_INTENT,
    NOT_ASKED,
    ActionAskPregnantOrCaring,
    ActionExplainQuestion,
    ActionStartBranch,
    ValidateBranchForm,
)
from actions.guidance import ActionAnswerProcedure
from assistant.core.guidance.branches import load_branches
from assistant.core.guidance.suggestions import SUGGESTION_OF_INTENT, TOPIC_OF_INTENT
from tests.conftest import KNOWLEDGE_DIR
from tests.test_actions import make_tracker
from tests.test_guidance_actions import run

DOMAIN = yaml.safe_load((KNOWLEDGE_DIR.parent / "domain.yml").read_text(encoding="utf-8"))
TOPICS = set(yaml.safe_load((KNOWLEDGE_DIR / "topics.yml").read_text(encoding="utf-8"))["topics"])
BRANCHES = load_branches(KNOWLEDGE_DIR, TOPICS)
FORM_SLOTS = [slot for branch in BRANCHES.values() for slot in branch.slots]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-11-23")


def _slots(events: list[Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_the_form_asks_every_branch_question_in_branches_yml_order() -> None:
    assert DOMAIN["forms"]["branch_form"]["required_slots"] == FORM_SLOTS
    for slot in FORM_SLOTS:
        assert f"action_ask_{slot}" in DOMAIN["actions"]
        assert slot in DOMAIN["slots"]


def test_intents_named_in_the_actions_are_in_the_domain() -> None:
    intents = set(DOMAIN["intents"])
    assert set(BRANCH_OF_INTENT) <= intents
    assert set(BRANCH_OF_INTENT.values()) == set(BRANCHES)
    assert set(SUGGESTION_OF_INTENT) <= intents
    assert set(TOPIC_OF_INTENT) <= intents
    assert set(TOPIC_OF_INTENT.values()) <= TOPICS


def test_starting_a_branch_answers_and_leaves_only_its_own_questions() -> None:
    messages, events = run(
        ActionStartBranch(),
        "17 year old lad sofa surfing, his dad won't have him back",
        "homeless_16_17",
        entities=[{"entity": "age", "value": "17"}],
        authority="lewisham",
    )
    [answer] = messages
    assert answer["text"].startswith("A 17 year old who is homeless now — Lewisham procedure.")
    assert "section 20" in answer["text"]
    assert answer["citations"]
    slots = _slots(events)
    assert slots["branch"] == "homeless-16-17"
    assert slots["young_person_age"] == 17
    assert slots["homeless_now"] is True  # given, though not a question Lewisham needs
    assert "pregnant_or_caring" not in slots  # still to ask: unset, as it was
    others = [s for s in FORM_SLOTS if s not in BRANCHES["homeless-16-17"].slots]
    assert all(slots[s] == NOT_ASKED for s in others)


def test_a_new_branch_reopens_questions_an_earlier_branch_set_aside() -> None:
    earlier = {s: NOT_ASKED for s in FORM_SLOTS} | {
        "branch": "trafficking-nrm",
        "requested_slot": "significant_harm",
        "significant_harm": None,
    }
    _, events = run(ActionStartBranch(), "16yo kicked out", "homeless_16_17", slots=earlier)
    slots = _slots(events)
    assert slots["requested_slot"] is None
    assert slots["pregnant_or_caring"] is None
    assert slots["significant_harm"] == NOT_ASKED


def test_starting_pre_birth_uses_a_remembered_due_date() -> None:
    messages, events = run(
        ActionStartBranch(),
        "it's a pre-birth",
        "pre_birth",
        slots={"expected_delivery_date": "2027-11-14"},
    )
    assert "by Friday 15 October 2027" in messages[0]["text"]
    assert _slots(events)["due_date"] == "2027-11-14"


def test_an_impossible_date_is_said_and_nothing_is_asked() -> None:
    messages, events = run(ActionStartBranch(), "pre-birth, EDD 31/02/2027", "pre_birth")
    assert "Could you give the date again" in messages[0]["text"]
    slots = _slots(events)
    assert slots["branch"] is None and all(slots[s] == NOT_ASKED for s in FORM_SLOTS)


def test_without_an_authority_the_branch_asks_for_it_first() -> None:
    tracker = make_tracker("16yo kicked out", "homeless_16_17")
    dispatcher = CollectingDispatcher()
    events = ActionStartBranch().run(dispatcher, tracker, {})
    assert "Which authority" in dispatcher.messages[0]["custom"]["text"]
    assert _slots(events)["branch"] is None


def _in_form(requested: str, **facts: Any) -> dict[str, Any]:
    slots = {s: NOT_ASKED for s in FORM_SLOTS if s not in BRANCHES["homeless-16-17"].slots}
    return {
        **slots,
        "branch": "homeless-16-17",
        "requested_slot": requested,
        "young_person_age": 17,
        "homeless_now": True,
        "pregnant_or_caring": None,
        **facts,
    }


def test_the_last_answer_fills_the_slot_and_gives_the_steps_again() -> None:
    messages, events = run(
        ValidateBranchForm(), "yes", "affirm", slots=_in_form("pregnant_or_caring")
    )
    assert events == [SlotSet("pregnant_or_caring", True)]
    [answer] = messages
    assert answer["text"].startswith(
        "A 17 year old who is homeless now and is pregnant or caring for a child — Kent"
    )
    assert "pregnant or have children in their care" in answer["text"]


def test_an_answer_that_is_not_the_last_only_fills_the_slot() -> None:
    slots = _in_form("young_person_age", young_person_age=None)
    messages, events = run(ValidateBranchForm(), "16", "nlu_fallback", slots=slots)
    assert events == [SlotSet("young_person_age", 16)]
    assert messages == []


def test_a_question_instead_of_an_answer_is_left_to_the_digression_rules() -> None:
    messages, events = run(
        ValidateBranchForm(),
        "what does s20 mean?",
        "explain_term",
        slots=_in_form("pregnant_or_caring"),
    )
    assert (messages, events) == ([], [])


def test_a_bad_date_answer_is_explained_and_asked_again() -> None:
    slots = {s: NOT_ASKED for s in FORM_SLOTS} | {
        "branch": "pre-birth",
        "requested_slot": "due_date",
        "due_date": None,
    }
    messages, events = run(ValidateBranchForm(), "31/02/2027", "nlu_fallback", slots=slots)
    assert "Could you give the date again" in messages[0]["text"]
    assert events == [SlotSet("due_date", None)]


def test_why_are_you_asking_explains_the_requested_question() -> None:
    messages, _ = run(
        ActionExplainQuestion(),
        "why are you asking?",
        "why_asking",
        slots=_in_form("pregnant_or_caring"),
    )
    [reply] = messages
    assert "pregnant or have children in their care" in reply["text"]
    assert reply["citations"][0]["authority"] == "kent"


def test_why_are_you_asking_with_no_question_says_so() -> None:
    messages, _ = run(ActionExplainQuestion(), "why are you asking?", "why_asking")
    assert "haven't asked you anything" in messages[0]["text"]


def test_a_question_is_asked_with_answer_buttons() -> None:
    messages, events = run(ActionAskPregnantOrCaring(), "", "homeless_16_17")
    assert messages[0]["text"] == BRANCHES["homeless-16-17"].questions[2].ask
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny", "/why_asking"]
    assert events == []


def test_an_unsure_question_answers_from_the_procedure_and_offers_likely_meanings() -> None:
    tracker = make_tracker("the lad has nowhere to go and might be in a gang", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "homeless_16_17", "confidence": 0.26},
        {"name": "extra_familial_harm", "confidence": 0.24},
        {"name": "greet", "confidence": 0.1},
    ]
    # The web app's reader was not sure either: no card reading.
    tracker.events[-1]["metadata"] = {
        "authority": "kent",
        "understanding": {"reading": "other", "confidence": 0.2},
    }
    dispatcher = CollectingDispatcher()
    ActionAnswerProcedure().run(dispatcher, tracker, {})
    [reply] = [m["custom"] for m in dispatcher.messages]
    suggestions = [b for b in reply["buttons"] if b["title"].startswith("Did you mean")]
    assert [b["payload"] for b in suggestions] == ["/homeless_16_17", "/extra_familial_harm"]
    assert reply["citations"]


def test_a_topic_intent_answers_a_vague_follow_up_on_its_topic() -> None:
    messages, events = run(ActionAnswerProcedure(), "what do I have to do?", "ask_interpreter")
    assert SlotSet("last_topic", "communication-interpreters") in events
    assert "interpret" in messages[0]["text"].lower()


def test_the_nlu_country_lookup_is_the_knowledge_country_list() -> None:
    """nlu/nlu.yml copies knowledge/countries.yml (Rasa reads lookups only from NLU data)."""
    countries = yaml.safe_load((KNOWLEDGE_DIR / "countries.yml").read_text(encoding="utf-8"))
    nlu = yaml.safe_load((KNOWLEDGE_DIR.parent / "nlu" / "nlu.yml").read_text(encoding="utf-8"))
    [lookup] = [item for item in nlu["nlu"] if item.get("lookup") == "country"]
    listed = [line.strip()[2:] for line in lookup["examples"].splitlines() if line.strip()]
    assert sorted(listed) == sorted(countries["countries"])
