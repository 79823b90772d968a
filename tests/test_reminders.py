"""Checkpoint reminders: which are set, what is said on the day and when a date is missed,
each said once even with two app instances, on the fake and on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.adapters_plans import plan_service, reminder_repository
from actions.adapters_store import app_database
from actions.reminders import ActionMarkReminderDone, ActionSetReminders
from assistant.core.access import Principal, Role, development_principal
from assistant.core.conversations import InMemoryConversationDirectory
from assistant.core.plans.repository import PlanNotFoundError
from assistant.core.reminders.delivery import (
    OwnerCheck,
    ReminderNotFoundError,
    ReminderRepository,
    deliver_due,
    mark_done,
)
from assistant.core.reminders.model import Channel, Reminder, ReminderOwner, ReminderStatus
from assistant.core.reminders.planning import (
    choose_reminder,
    confirmation,
    reminders_for,
    what_is_due,
)
from assistant.core.replies import Reply
from assistant.core.timescales.compute import TimescaleInputs
from assistant.core.timescales.service import TimescaleService, load_timescale_service
from assistant.store.database import create_database_engine
from assistant.store.migrate import upgrade_to_latest
from assistant.store.reminders import SqlReminderRepository
from tests.conftest import KNOWLEDGE_DIR
from tests.principals import turn_metadata

BEA = Principal("bea", Role.PRACTITIONER, "blackpool", "oidc")  # Blackpool practitioner

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class NoPlans:
    """Plan access for reminders of no plan (tests/test_reminder_owners.py covers plans)."""

    def open(self, principal: Principal, plan_id: str) -> object:
        raise PlanNotFoundError(plan_id)


def bea_check(*conversations: str) -> OwnerCheck:
    """Delivery's owner check with Bea owning the conversations."""
    directory = InMemoryConversationDirectory()
    for conversation in conversations or ("web-1", "teams:t:u:c"):
        directory.claim(conversation, BEA.subject, BEA.authority, NOW)
    return OwnerCheck(directory, NoPlans())


CHECK = bea_check()


class FakeReminderRepository:
    def __init__(self) -> None:
        self.items: dict[str, Reminder] = {}

    def add_all(self, reminders: Sequence[Reminder]) -> None:
        self.items.update({r.id: r for r in reminders})

    def get(self, reminder_id: str) -> Reminder:
        if reminder_id not in self.items:
            raise ReminderNotFoundError(reminder_id)
        return self.items[reminder_id]

    def open_due_by(self, today: date) -> list[Reminder]:
        open_ = (ReminderStatus.PENDING, ReminderStatus.SENT)
        return sorted(
            (r for r in self.items.values() if r.status in open_ and r.due <= today),
            key=lambda r: (r.due, r.id),
        )

    def move(
        self, reminder_id: str, expected: ReminderStatus, to: ReminderStatus, at: datetime
    ) -> bool:
        if self.items[reminder_id].status is not expected:
            return False
        self.items[reminder_id] = self.items[reminder_id].with_status(to, at)
        return True

    def for_owner(self, owner_subject: str, conversation_id: str) -> list[Reminder]:
        return [
            r
            for r in self.items.values()
            if r.conversation_id == conversation_id
            and r.owner is not None
            and r.owner.subject == owner_subject
        ]


class RecordingMessenger:
    def __init__(self, reachable: bool = True) -> None:
        self.sent: list[tuple[str, str]] = []
        self.reachable = reachable

    async def send(self, conversation_id: str, replies: list[Reply]) -> bool:
        await asyncio.sleep(0)  # let another delivery run interleave
        self.sent += [(conversation_id, r.text) for r in replies]
        return self.reachable


@pytest.fixture(scope="module")
def timescales() -> TimescaleService:
    return load_timescale_service(KNOWLEDGE_DIR)


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReminderRepository]:
    if request.param == "fake":
        yield FakeReminderRepository()
        return
    url = (
        f"sqlite:///{tmp_path / 'reminders.db'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("postgres_database_url"))
    )
    engine = create_database_engine(url)
    upgrade_to_latest(engine)
    yield SqlReminderRepository(engine)
    engine.dispose()


def blackpool_reminders(
    timescales: TimescaleService, conversation: str = "web-1", **kw: Any
) -> list[Reminder]:
    result = timescales.compute(
        "blackpool", TimescaleInputs(referral_date=date(2026, 11, 2)), date(2026, 11, 10)
    )
    kw.setdefault("owner", ReminderOwner.of(BEA))
    return reminders_for(result, conversation, date(2026, 11, 10), **kw)


def test_reminders_are_set_for_every_date_still_to_come(timescales: TimescaleService) -> None:
    reminders = blackpool_reminders(timescales, "teams:t:u:c")
    assert [r.due for r in reminders] == [
        date(2026, 11, 16),  # 10 working days
        date(2026, 12, 14),  # 30 working days
        date(2027, 1, 7),  # 45 working days: the assessment's due date
        date(2028, 1, 7),  # Blackpool's annual review
    ]
    assert {r.channel for r in reminders} == {Channel.TEAMS}
    reply = confirmation(reminders, "Blackpool")
    assert "Monday 16 November 2026" in reply.text and "here in Teams" in reply.text


def test_reminders_for_a_saturday_referral_count_it_as_day_0(
    timescales: TimescaleService,
) -> None:
    result = timescales.compute(
        "blackpool", TimescaleInputs(referral_date=date(2027, 8, 7)), date(2027, 8, 9)
    )
    reminders = reminders_for(result, "web-1", date(2027, 8, 9), owner=ReminderOwner.of(BEA))
    assert [r.due for r in reminders][:3] == [
        date(2027, 8, 20),  # 10 working days: Monday 9 August is working day 1
        date(2027, 9, 20),  # 30
        date(2027, 10, 11),  # 45: not Tuesday 12 October, a Monday referral's date
    ]


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        (ReminderStatus.PENDING, date(2026, 11, 23), ReminderStatus.SENT),
        (ReminderStatus.PENDING, date(2026, 11, 24), None),
        (ReminderStatus.PENDING, date(2026, 11, 20), ReminderStatus.MISSED),
        (ReminderStatus.SENT, date(2026, 11, 23), None),
        (ReminderStatus.SENT, date(2026, 11, 20), ReminderStatus.MISSED),
        (ReminderStatus.DONE, date(2026, 11, 20), None),
        (ReminderStatus.MISSED, date(2026, 11, 1), None),
    ],
)
def test_what_falls_due(status: ReminderStatus, due: date, expected: ReminderStatus | None) -> None:
    reminder = Reminder(
        "r1", "web-1", Channel.WEB, "kent", "Day 10", due, date(2026, 11, 2), status=status
    )
    assert what_is_due(reminder, date(2026, 11, 23)) is expected


def test_a_reminder_is_said_on_the_day_once_and_a_missed_date_copies_the_manager(
    repository: ReminderRepository, timescales: TimescaleService
) -> None:
    reminders = blackpool_reminders(timescales, copy_manager=True)
    repository.add_all(reminders)
    web, teams = RecordingMessenger(), RecordingMessenger()
    messengers = {Channel.WEB: web, Channel.TEAMS: teams}
    managers = {"blackpool": ["teams:tenant:manager-aad:conv"]}

    on_the_day = asyncio.run(
        deliver_due(repository, messengers, managers, date(2026, 11, 16), NOW, CHECK)
    )
    assert on_the_day.sent == [reminders[0].id]
    assert web.sent[0][0] == "web-1" and web.sent[0][1].startswith("Reminder:")
    again = asyncio.run(
        deliver_due(repository, messengers, managers, date(2026, 11, 16), NOW, CHECK)
    )
    assert again.sent == [] and len(web.sent) == 1

    next_day = asyncio.run(
        deliver_due(repository, messengers, managers, date(2026, 11, 17), NOW, CHECK)
    )
    assert next_day.missed == [reminders[0].id]
    assert next_day.managers_told == ["teams:tenant:manager-aad:conv"]
    assert "has passed without being marked done" in web.sent[-1][1]
    assert teams.sent[0][0] == "teams:tenant:manager-aad:conv"


def test_a_date_marked_done_is_not_missed(
    repository: ReminderRepository, timescales: TimescaleService
) -> None:
    reminders = blackpool_reminders(timescales, copy_manager=True)
    repository.add_all(reminders)
    messenger = RecordingMessenger()
    messengers = {Channel.WEB: messenger, Channel.TEAMS: messenger}
    asyncio.run(deliver_due(repository, messengers, {}, date(2026, 11, 16), NOW, CHECK))
    assert mark_done(repository, reminders[0].id, NOW).status is ReminderStatus.DONE
    later = asyncio.run(
        deliver_due(repository, messengers, {"blackpool": ["m"]}, date(2026, 11, 17), NOW, CHECK)
    )
    assert later.missed == [] and later.managers_told == []


def test_two_instances_delivering_at_once_say_each_reminder_once(
    repository: ReminderRepository, timescales: TimescaleService
) -> None:
    reminders = blackpool_reminders(timescales)
    repository.add_all(reminders)
    messenger = RecordingMessenger()
    messengers = {Channel.WEB: messenger, Channel.TEAMS: messenger}

    async def both() -> None:
        await asyncio.gather(
            deliver_due(repository, messengers, {}, date(2026, 11, 16), NOW, CHECK),
            deliver_due(repository, messengers, {}, date(2026, 11, 16), NOW, CHECK),
        )

    asyncio.run(both())
    assert len(messenger.sent) == 1


def test_an_unreachable_channel_is_reported_not_retried(
    repository: ReminderRepository, timescales: TimescaleService
) -> None:
    reminders = blackpool_reminders(timescales, "teams:t:u:c")
    repository.add_all(reminders)
    teams = RecordingMessenger(reachable=False)
    report = asyncio.run(
        deliver_due(
            repository,
            {Channel.TEAMS: teams, Channel.WEB: teams},
            {},
            date(2026, 11, 16),
            NOW,
            CHECK,
        )
    )
    assert report.undelivered == [reminders[0].id]


def test_the_reminder_marked_done_is_the_named_one_or_the_latest_said(
    timescales: TimescaleService,
) -> None:
    reminders = blackpool_reminders(timescales)
    said = [replace(reminders[0], status=ReminderStatus.SENT), *reminders[1:]]
    assert choose_reminder(said, None, date(2026, 11, 20)) == said[0]
    assert choose_reminder(said, reminders[2].id, date(2026, 11, 20)) == reminders[2]
    assert choose_reminder(said, "ffffffffff00", date(2026, 11, 20)) is None
    assert choose_reminder(reminders, None, date(2026, 11, 20)) is None  # nothing said yet


# --- The actions -----------------------------------------------------------------------


@pytest.fixture
def action_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-11-10")
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    caches = (plan_service, reminder_repository, app_database)
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


def run(
    action: Any,
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    who: Principal | None = BEA,
    sender: str = "web-worker-1",
) -> tuple[list[dict[str, Any]], list[Any]]:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": []}
    tracker = Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": slots or {},
            "latest_message": latest,
            "events": [
                {
                    "event": "user",
                    "text": text,
                    "parse_data": latest,
                    "metadata": turn_metadata(who, authority="blackpool"),
                }
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return [m["custom"] for m in dispatcher.messages], events


@pytest.mark.usefixtures("action_store")
def test_reminders_without_a_referral_date_ask_for_it_and_read_the_reply() -> None:
    messages, events = run(ActionSetReminders(), "remind me of my checkpoints", "set_reminders")
    assert "Which referral?" in messages[0]["text"]
    assert {"event": "slot", "timestamp": None, "name": "expected_reply",
            "value": "action_set_reminders"} in events  # fmt: skip
    answered, _ = run(ActionSetReminders(), "the 2nd", "nlu_fallback")
    # Said on Monday 23 November 2026: the most recent 2nd, a referral that has come in.
    assert "referral of Monday 2 November 2026" in answered[0]["text"]


@pytest.mark.usefixtures("action_store")
def test_setting_reminders_from_the_message_or_the_conversation() -> None:
    messages, events = run(
        ActionSetReminders(),
        "remind me of the checkpoints for the referral on 2/11/2026 and copy my manager",
        "set_reminders",
    )
    assert "I'll remind you on the day" in messages[0]["text"]
    assert "your manager is told too" in messages[0]["text"]
    stored = reminder_repository().for_conversation("web-worker-1")
    assert len(stored) == 4 and all(r.copy_manager for r in stored)
    # Asked again (the referral date now remembered): nothing is set twice.
    run(
        ActionSetReminders(),
        "remind me of my checkpoints",
        "set_reminders",
        {"referral_date": "2026-11-02"},
    )
    assert len(reminder_repository().for_conversation("web-worker-1")) == 4
    assert events[-1]["value"] == "2026-11-02"


@pytest.mark.usefixtures("action_store")
def test_without_a_referral_date_the_worker_is_asked_for_one() -> None:
    messages, _ = run(ActionSetReminders(), "remind me of my checkpoints", "set_reminders")
    assert "Which referral?" in messages[0]["text"]


@pytest.mark.usefixtures("action_store")
def test_marking_a_reminder_done_from_its_button_or_in_words() -> None:
    run(
        ActionSetReminders(),
        "remind me of the dates for the referral on 2/11/2026",
        "set_reminders",
    )
    first, second = reminder_repository().for_conversation("web-worker-1")[:2]
    messages, _ = run(
        ActionMarkReminderDone(), f"mark reminder {second.id} done", "mark_reminder_done"
    )
    assert messages[0]["text"].startswith("Marked done:")
    assert reminder_repository().get(second.id).status is ReminderStatus.DONE
    messages, _ = run(ActionMarkReminderDone(), "that checkpoint is done", "mark_reminder_done")
    assert "can't find a reminder" in messages[0]["text"]  # none has been said yet
    assert reminder_repository().get(first.id).status is ReminderStatus.PENDING


# --- The API ---------------------------------------------------------------------------

# The one user of the test app (no sign-in): the owner of what they set.
DEVELOPER = ReminderOwner.of(development_principal())


def test_a_conversations_reminders_are_listed_and_marked_done_over_http(
    client: TestClient, timescales: TimescaleService
) -> None:
    # Reminders are made in a conversation somebody had (only its owner may see them).
    client.post("/api/chat", json={"conversation_id": "web-abc", "message": "hi"})
    reminders = blackpool_reminders(timescales, "web-abc", owner=DEVELOPER)
    client.app.state.reminders.add_all(reminders)  # type: ignore[attr-defined]
    listed = client.get("/api/reminders", params={"conversation_id": "web-abc"}).json()
    assert [r["id"] for r in listed["reminders"]] == [r.id for r in reminders]
    done = client.post(f"/api/reminders/{reminders[0].id}/done")
    assert done.status_code == 200 and done.json()["status"] == "done"
    missing = client.post("/api/reminders/ffffffffff00/done")
    assert missing.status_code == 404 and missing.json()["error"] == "reminder_not_found"
    assert client.get("/api/reminders").status_code == 422


def test_a_web_reminder_joins_the_conversation_the_page_shows(
    client: TestClient, timescales: TimescaleService
) -> None:
    state = client.app.state  # type: ignore[attr-defined]
    client.post("/api/chat", json={"conversation_id": "web-abc", "message": "hi"})
    due_today = replace(
        blackpool_reminders(timescales, "web-abc", owner=DEVELOPER)[0], due=date(2026, 11, 23)
    )
    state.reminders.add_all([due_today])
    report = client.portal.call(state.reminder_scheduler.run_once)
    assert report.sent == [due_today.id]
    history = client.get("/api/chat/web-abc/messages").json()["messages"]
    assert history[-1]["role"] == "assistant"
    assert history[-1]["text"].startswith("Reminder: ")
    assert history[-1]["buttons"][0]["payload"] == f"mark reminder {due_today.id} done"


def test_a_reminder_for_another_authoritys_rule_says_whose_it_is(
    timescales: TimescaleService,
) -> None:
    inputs = TimescaleInputs(date(2026, 11, 2), expected_delivery_date=date(2027, 6, 1))
    owner = ReminderOwner.of(BEA)
    lewisham = reminders_for(
        timescales.compute("lewisham", inputs, date(2026, 11, 10)),
        "web-1",
        date(2026, 11, 10),
        owner=owner,
    )
    [pre_birth] = [r for r in lewisham if r.label.startswith("Pre-birth")]
    assert pre_birth.label.endswith("Gateshead's procedure, not yours")
    kent = reminders_for(
        timescales.compute("kent", inputs, date(2026, 11, 10)),
        "web-1",
        date(2026, 11, 10),
        owner=owner,
    )
    assert not any("procedure" in r.label for r in kent)
