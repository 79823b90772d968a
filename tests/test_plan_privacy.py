"""No identifying details reach a stored plan (issue 16): the API refuses them naming the field,
the guided conversation masks them as the chat does, and a plan kept from before masking is
masked when the conversation next saves it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.core.guidance.branch_answer import BranchGuide
from assistant.core.guidance.branches import load_branches
from assistant.core.plans.masking import IdentifyingDetailsError, mask_plan
from assistant.core.plans.model import Action, Answer, Child, Decision, Plan, ReviewPoint
from assistant.core.plans.service import PlanService, build_plan_service
from assistant.core.plans.walkthrough import ACTIONS, ask
from assistant.core.privacy.redaction import DetailKind
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.timescales.service import load_timescale_service
from tests.conftest import KNOWLEDGE_DIR
from tests.plan_fakes import FakePlanRepository
from tests.principals import KIM

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PLAN = {
    "authority": "kent",
    "children": [{"reference": "AB"}],
    "referral_date": "2026-11-02",
    "answers": {"who_undertakes": {"text": "Me and a family support worker"}},
    "decisions": {"interpreter": {"decided": True, "reason": "Mother speaks Tigrinya"}},
    "actions": [{"what": "Visit school", "who": "Me", "due": "2026-12-04"}],
}


@pytest.fixture(scope="module")
def guide(knowledge_base: KnowledgeBase) -> BranchGuide:
    branches = load_branches(KNOWLEDGE_DIR, set(knowledge_base.topic_ids))
    return BranchGuide(branches, knowledge_base, load_timescale_service(KNOWLEDGE_DIR))


@pytest.fixture
def service(guide: BranchGuide) -> PlanService:
    return build_plan_service(KNOWLEDGE_DIR, guide, FakePlanRepository())


# --- The API refuses, naming the field; nothing is stored --------------------------------------


def with_field(path: str, value: Any) -> dict[str, Any]:
    body: dict[str, Any] = {**PLAN}
    if path == "answer":
        body["answers"] = {"recording": {"text": value}}
    elif path == "reason":
        body["decisions"] = {"interpreter": {"decided": True, "reason": value}}
    elif path == "what":
        body["actions"] = [{"what": value, "who": "Me", "due": "2026-12-04"}]
    elif path == "who":
        body["actions"] = [{"what": "Visit", "who": value, "due": "2026-12-04"}]
    elif path == "review":
        body["review_points"] = [{"label": value, "due": "2026-12-04"}]
    else:
        body["children"] = [{"reference": value}]
    return body


@pytest.mark.parametrize(
    ("path", "value", "field", "described"),
    [
        ("answer", "his name: Jayden Smith", "answers.recording", "a name"),
        ("answer", "the boy is called jayden", "answers.recording", "a name"),
        ("answer", "Jayden Smith is 15", "answers.recording", "a name"),
        ("reason", "NHS 943 4765 919", "decisions.interpreter.reason", "an NHS number"),
        ("what", "Ring mum on \uff10\uff17\uff17\uff10\uff10 900123", "actions[0].what", "a phone"),
        ("who", "jayden(at)example.com", "actions[0].who", "an email address"),
        ("review", "Visit at NE8 1HH", "review_points[0].label", "a postcode"),
        ("child", "9434765919", "children[0].reference", "an NHS number"),
    ],
)
def test_creating_a_plan_with_an_identifying_detail_is_refused_naming_the_field(
    client: TestClient, path: str, value: str, field: str, described: str
) -> None:
    response = client.post("/api/plans", json=with_field(path, value))
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert f"{field}: {described}" in message
    assert "initials or a case reference" in message
    assert value not in message  # the detail is not repeated back (or into a log)
    assert client.get("/api/plans?authority=kent").json()["plans"] == []


def test_changing_a_plan_to_hold_a_detail_is_refused_and_the_plan_kept(client: TestClient) -> None:
    created = client.post("/api/plans", json=PLAN).json()["plan"]
    response = client.patch(
        f"/api/plans/{created['id']}",
        json={"version": 1, "answers": {"recording": {"text": "child: Jayden Smith"}}},
    )
    assert response.status_code == 422
    assert "answers.recording: a name" in response.json()["message"]
    latest = client.get(f"/api/plans/{created['id']}").json()["plan"]
    assert latest["version"] == 1 and "recording" not in latest["answers"]
    ok = client.patch(
        f"/api/plans/{created['id']}",
        json={"version": 1, "answers": {"recording": {"text": "child: JS, on the system"}}},
    )
    assert ok.status_code == 200 and ok.json()["plan"]["version"] == 2


def test_ordinary_plan_text_is_accepted(client: TestClient) -> None:
    body = with_field("answer", "The child is called into school on Monday; Kent is 15 miles away")
    assert client.post("/api/plans", json=body).status_code == 201


# --- The conversation masks, says so, and stores only masked text ------------------------------


def at_step(service: PlanService, step: str) -> Plan:
    plan = service.create(KIM, service.new(KIM, "kent"), NOW, TODAY)
    return plan.with_changes(cursor=step)


def test_an_answer_in_the_conversation_is_masked_before_it_is_stored(service: PlanService) -> None:
    plan = at_step(service, "recording")
    turn = service.walk(KIM, plan, "his name: Jayden Smith, NHS 943 4765 919", NOW, TODAY)
    stored = service.repository.get(plan.id)
    assert stored.answers["recording"].text == "his name: [name], NHS [NHS number]"
    assert turn.replies[0].text.startswith("I removed identifying details")
    assert "a name and an NHS number" in turn.replies[0].text


def test_a_decision_reason_and_an_action_are_masked(service: PlanService) -> None:
    plan = at_step(service, "interpreter")
    service.walk(KIM, plan, "Yes, mum is called sarah", NOW, TODAY)
    assert service.repository.get(plan.id).decisions["interpreter"].reason == (
        "mum is called [name]"
    )
    plan = service.repository.get(plan.id).with_changes(cursor=ACTIONS)
    service.walk(KIM, plan, "Me: ring jayden(at)example.com by 4 December", NOW, TODAY)
    action = service.repository.get(plan.id).actions[-1]
    assert action.what == "Ring [email address]" and action.due == "2026-12-04"


def test_a_reply_with_nothing_identifying_gets_no_notice(service: PlanService) -> None:
    plan = at_step(service, "recording")
    turn = service.walk(KIM, plan, "On the system within 2 days", NOW, TODAY)
    assert not any(r.text.startswith("I removed") for r in turn.replies)
    assert service.repository.get(plan.id).answers["recording"].text == (
        "On the system within 2 days"
    )


def legacy_plan(service: PlanService) -> Plan:
    """A plan stored before masking existed, its text as typed."""
    plan = service.new(KIM, "kent").with_changes(
        children=(Child("AB"),),
        answers={"recording": Answer("Jayden Smith is 15, mobile 07700 900123")},
        decisions={"interpreter": Decision(True, "his name: Jayden")},
        actions=(Action("Email jayden@example.com", "Me", "2026-12-04"),),
        review_points=(ReviewPoint("Review with child: Jayden", "2026-12-10"),),
        cursor="recording",
    )
    return service.repository.add(plan, "before", NOW)


def test_a_plan_kept_from_before_masking_is_not_repeated_raw(service: PlanService) -> None:
    plan = legacy_plan(service)
    question = ask(plan, service.context("kent", TODAY)).text
    assert "So far: “[name] is 15, mobile [phone number]”" in question
    service.walk(KIM, plan, "skip", NOW, TODAY)
    stored = service.repository.get(plan.id)
    text = str(stored)
    for detail in ("Jayden", "07700", "jayden@"):
        assert detail not in text
    assert stored.answers["recording"].text == "[name] is 15, mobile [phone number]"
    assert stored.review_points[0].label == "Review with child: [name]"


def test_mask_plan_reports_what_it_removed_and_leaves_a_clean_plan_alone(
    service: PlanService,
) -> None:
    plan = legacy_plan(service)
    masked = mask_plan(plan)
    assert masked.removed == (DetailKind.NAME, DetailKind.PHONE, DetailKind.EMAIL)
    assert mask_plan(masked.plan).plan is masked.plan
    with pytest.raises(IdentifyingDetailsError):
        service.check(plan, TODAY)
    service.check(masked.plan, TODAY)
