"""Sending to a Teams conversation later (checkpoint reminders) from its stored reference."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Button, Reply
from assistant.teams.identity import sender_id
from assistant.teams.proactive import TeamsMessenger
from assistant.web.app import create_app
from tests.conftest import LOCAL_CLIENT, FakeEngineClient
from tests.teams.conftest import (
    APP_ID,
    TENANT_ID,
    USER_AAD_ID,
    FakeTokenProvider,
    TeamsHarness,
    teams_settings,
)


def _messenger(client: TestClient) -> TeamsMessenger:
    return client.app.state.teams.messenger  # type: ignore[attr-defined,no-any-return]


def test_a_proactive_message_reaches_a_conversation_seen_before(teams: TeamsHarness) -> None:
    teams.post(teams.activity("hi"))
    teams.connector.wait_for(1)
    teams.settle()
    sender = teams.engine.sent[0]["conversation_id"]
    assert sender == sender_id(TENANT_ID, USER_AAD_ID, teams.conversation_id)

    reminder = Reply(
        "The 10 working day checkpoint is tomorrow.", (Button("Show dates", "/dates"),)
    )
    assert teams.client.portal.call(_messenger(teams.client).send, sender, [reminder]) is True

    received = teams.connector.wait_for(2)[1]
    # A new message in the conversation, not a reply to an earlier one.
    assert received.path == f"/v3/conversations/{teams.conversation_id}/activities"
    assert "replyToId" not in received.activity
    assert received.activity["text"] == reminder.text
    assert received.activity["attachments"][0]["content"]["actions"][0]["title"] == "Show dates"
    assert received.authorization == "Bearer fake-outbound-token"


def test_no_stored_conversation_sends_nothing_and_says_false(teams: TeamsHarness) -> None:
    messenger = _messenger(teams.client)
    assert teams.client.portal.call(messenger.send, "teams:nobody", [Reply("x")]) is False
    assert teams.connector.snapshot() == []


def test_installing_the_app_is_enough_for_a_reminder(teams: TeamsHarness) -> None:
    update = teams.activity("")
    update.update(type="conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}])
    del update["text"]
    teams.post(update)
    sender = sender_id(TENANT_ID, USER_AAD_ID, teams.conversation_id)
    assert teams.client.portal.call(_messenger(teams.client).send, sender, [Reply("Hi")]) is True
    assert teams.connector.wait_for(1)[0].activity["text"] == "Hi"


def test_the_reference_survives_a_restart(
    teams: TeamsHarness, teams_database_folder: Path, knowledge_base: KnowledgeBase
) -> None:
    teams.post(teams.activity("hi"))
    teams.connector.wait_for(1)
    teams.settle()
    sender = teams.engine.sent[0]["conversation_id"]
    restarted = create_app(
        teams_settings(teams_database_folder, teams.connector),
        engine_client=FakeEngineClient(),  # type: ignore[arg-type]
        knowledge_base=knowledge_base,
        teams_token_provider=FakeTokenProvider(),
    )
    with TestClient(restarted, client=LOCAL_CLIENT) as client:
        assert client.portal.call(_messenger(client).send, sender, [Reply("Later.")]) is True
    assert teams.connector.wait_for(2)[1].activity["text"] == "Later."
