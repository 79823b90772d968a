"""POST /api/messages against a fake Bot Connector on loopback: tokens checked, answers sent
back to the connector in the background, retries answered once, the engine down said plainly."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Button, Citation, Reply
from assistant.teams.agent import ENGINE_DOWN_TEXT
from assistant.web.app import create_app
from tests.conftest import LOCAL_CLIENT, FakeEngineClient
from tests.teams.conftest import (
    APP_ID,
    KENT_TENANT_ID,
    TENANT_ID,
    USER_AAD_ID,
    FakeTokenProvider,
    TeamsHarness,
    message_activity,
    teams_settings,
)
from tests.teams.fake_connector import FakeConnector

KENT_CITATION = Citation("kent", "kent/11-timescales", "11. Timescales", "v3 2025-04")


def test_a_valid_request_is_acknowledged_and_answered_through_the_connector(
    teams: TeamsHarness,
) -> None:
    teams.engine.replies = [
        Reply("Hello.", (Button("Help", "/help"),), (KENT_CITATION,)),
    ]
    activity = teams.activity("hi")
    response = teams.post(activity)
    assert response.status_code == 202

    (received,) = teams.connector.wait_for(1)
    conversation = activity["conversation"]["id"]
    assert received.path == f"/v3/conversations/{conversation}/activities/{activity['id']}"
    assert received.authorization == "Bearer fake-outbound-token"
    sent = received.activity
    print("\nThe fake connector received:\n" + json.dumps(sent, indent=2))
    assert sent["type"] == "message"
    assert sent["text"] == "Hello."
    assert sent["textFormat"] == "plain"
    assert sent["replyToId"] == activity["id"]
    assert sent["conversation"]["id"] == conversation
    assert sent["recipient"]["aadObjectId"] == USER_AAD_ID
    (attachment,) = sent["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["actions"] == [
        {
            "type": "Action.Submit",
            "title": "Help",
            "data": {
                "payload": "/help",
                "msteams": {
                    "type": "messageBack",
                    "displayText": "Help",
                    "text": "/help",
                    "value": {"payload": "/help"},
                },
            },
        }
    ]
    facts = next(b for b in card["body"] if b["type"] == "FactSet")["facts"]
    assert facts == [{"title": "Kent", "value": "11. Timescales (v3 2025-04)"}]

    (turn,) = teams.engine.sent
    assert turn["message"] == "hi"
    assert turn["conversation_id"].startswith("teams:")
    # This tenant has no authority configured: the user picks. Their learning progress follows
    # them (the Teams user) from conversation to conversation.
    # Nor do they see anyone's plans but their own (Principal.may_see).
    assert turn["metadata"] == {
        "learner": f"teams:{TENANT_ID}:{USER_AAD_ID}",
        "principal": {
            "subject": f"teams:{TENANT_ID}:{USER_AAD_ID}",
            "role": "practitioner",
            "authority": None,
            "method": "teams",
        },
    }


@pytest.mark.parametrize(
    ("problem", "status"),
    [
        ("no token", 401),
        ("wrong audience", 401),
        ("expired", 401),
        ("wrong issuer", 401),
        ("another key", 401),
        ("not bearer", 401),
        ("garbage", 401),
        ("service url differs", 401),
    ],
)
def test_requests_without_a_good_token_are_refused_and_not_answered(
    teams: TeamsHarness, problem: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    activity = teams.activity("hi")
    url = activity["serviceUrl"]
    make = teams.tokens.token
    tokens = {
        "no token": None,
        "wrong audience": make(url, audience="00000000-0000-0000-0000-000000000000"),
        "expired": make(url, expires_in=-3600),
        "wrong issuer": make(url, issuer="https://sts.windows.net/attacker/"),
        "another key": make(
            url, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ),
        "garbage": "not.a.jwt",
        "service url differs": make("https://smba.trafficmanager.net/uk/"),
    }
    with caplog.at_level(logging.WARNING, logger="assistant.teams.channel"):
        if problem == "not bearer":
            response = teams.client.post(
                "/api/messages", json=activity, headers={"Authorization": make(url)}
            )
        else:
            response = teams.post(activity, token=tokens[problem])
    assert response.status_code == status
    assert response.json()["error"] == "unauthorized"
    assert "Teams request refused" in caplog.text
    teams.settle()
    assert teams.connector.snapshot() == []
    assert teams.engine.sent == []


def test_a_key_that_does_not_endorse_the_channel_is_refused(teams: TeamsHarness) -> None:
    activity = teams.activity("hi")
    activity["channelId"] = "webchat"  # the test key is endorsed for msteams only
    response = teams.post(activity)
    assert response.status_code == 403
    assert teams.engine.sent == []


def test_a_service_url_not_on_the_allow_list_gets_nothing_sent(
    teams: TeamsHarness, caplog: pytest.LogCaptureFixture
) -> None:
    # A correctly signed token (its serviceurl matching the activity's) for somewhere else.
    activity = teams.activity("hi")
    activity["serviceUrl"] = "http://127.0.0.2:9/"
    with caplog.at_level(logging.WARNING):
        response = teams.post(activity)
    assert response.status_code == 403
    assert response.json()["error"] == "service_url_not_allowed"
    assert "not on ASSISTANT_TEAMS_SERVICE_URL_ALLOWLIST" in caplog.text
    teams.settle()
    assert teams.connector.snapshot() == []
    assert teams.engine.sent == []
    assert teams.token_provider.calls == 0


def test_a_retried_activity_is_acknowledged_and_answered_once(teams: TeamsHarness) -> None:
    activity = teams.activity("hi")
    assert teams.post(activity).status_code == 202
    assert teams.post(activity).status_code == 202  # Teams' retry: same id
    teams.settle()
    assert teams.post(activity).status_code == 202
    teams.settle()
    assert len(teams.connector.snapshot()) == 1
    assert len(teams.engine.sent) == 1


def test_the_same_message_id_in_another_conversation_is_answered(teams: TeamsHarness) -> None:
    first = teams.activity("hi", activity_id="1700000000000")
    second = dict(first, conversation={**first["conversation"], "id": "a:another"})
    teams.post(first)
    teams.post(second)
    teams.settle()
    assert len(teams.engine.sent) == 2


def test_a_retry_to_another_instance_is_caught_through_the_database(
    teams: TeamsHarness, teams_database_folder: Path, knowledge_base: KnowledgeBase
) -> None:
    activity = teams.activity("hi")
    teams.post(activity)
    teams.settle()
    other_engine = FakeEngineClient()
    other = create_app(
        teams_settings(teams_database_folder, teams.connector),  # the same database
        engine_client=other_engine,  # type: ignore[arg-type]
        knowledge_base=knowledge_base,
        teams_token_provider=FakeTokenProvider(),
    )
    with TestClient(other, client=LOCAL_CLIENT) as client:
        token = teams.tokens.token(activity["serviceUrl"])
        response = client.post(
            "/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 202
        client.portal.call(other.state.teams.agent.turns.wait, 10.0)
    assert other_engine.sent == []
    assert len(teams.connector.snapshot()) == 1


def test_the_engine_down_is_said_plainly_and_the_next_message_is_answered(
    teams: TeamsHarness,
) -> None:
    teams.engine.down = True
    teams.post(teams.activity("what are the timescales?"))
    (apology,) = teams.connector.wait_for(1)
    assert apology.activity["text"] == ENGINE_DOWN_TEXT
    assert "999" in apology.activity["text"]

    teams.engine.down = False
    teams.post(teams.activity("what are the timescales?"))
    received = teams.connector.wait_for(2)
    assert received[1].activity["text"] == "Hello."


def test_the_tenant_sets_the_authority(teams: TeamsHarness) -> None:
    teams.post(teams.activity("hi", tenant_id=KENT_TENANT_ID))
    teams.settle()
    (turn,) = teams.engine.sent
    assert turn["metadata"] == {
        "authority": "kent",
        "learner": f"teams:{KENT_TENANT_ID}:{USER_AAD_ID}",
        "principal": {
            "subject": f"teams:{KENT_TENANT_ID}:{USER_AAD_ID}",
            "role": "practitioner",
            "authority": "kent",
            "method": "teams",
        },
    }
    assert turn["conversation_id"].startswith("teams:")


def test_a_button_press_sends_its_payload_as_the_message(teams: TeamsHarness) -> None:
    activity = teams.activity("", value={"payload": '/choose_authority{"authority": "kent"}'})
    del activity["text"]
    teams.post(activity)
    teams.settle()
    assert teams.engine.sent[0]["message"] == '/choose_authority{"authority": "kent"}'


def test_the_bot_mention_is_taken_out_of_a_channel_message(teams: TeamsHarness) -> None:
    activity = teams.activity("<at>Practice assistant</at> what is a strategy discussion?")
    activity["entities"] = [
        {
            "type": "mention",
            "text": "<at>Practice assistant</at>",
            "mentioned": {"id": f"28:{APP_ID}", "name": "Practice assistant"},
        }
    ]
    teams.post(activity)
    teams.settle()
    assert teams.engine.sent[0]["message"] == "what is a strategy discussion?"


def test_each_user_and_conversation_has_its_own_sender_id(teams: TeamsHarness) -> None:
    teams.post(teams.activity("hi"))
    teams.post(teams.activity("hi", user_aad_id="0f0f0f0f-1111-2222-3333-444444444444"))
    teams.post(teams.activity("hi", conversation_id="a:someone-else"))
    teams.post(teams.activity("again"))
    teams.settle()
    senders = [turn["conversation_id"] for turn in teams.engine.sent]
    assert len(set(senders)) == 3
    assert senders[0] == senders[3]


def test_replies_of_one_message_arrive_in_order_as_separate_messages(
    teams: TeamsHarness,
) -> None:
    teams.engine.replies = [Reply("First."), Reply("Second."), Reply("Third.")]
    teams.post(teams.activity("hi"))
    received = teams.connector.wait_for(3)
    assert [r.activity["text"] for r in received] == ["First.", "Second.", "Third."]
    assert all("attachments" not in r.activity for r in received)


def test_an_empty_or_too_long_message_is_answered_without_the_engine(teams: TeamsHarness) -> None:
    teams.post(teams.activity("   "))
    teams.post(teams.activity("x" * 2001))
    received = teams.connector.wait_for(2)
    assert "typed messages" in received[0].activity["text"]
    assert "2000 characters" in received[1].activity["text"]
    assert teams.engine.sent == []


def test_a_connector_refusal_is_logged_not_raised(
    teams: TeamsHarness, caplog: pytest.LogCaptureFixture
) -> None:
    teams.connector.refuse_with = 403
    with caplog.at_level(logging.ERROR, logger="assistant.teams.proactive"):
        assert teams.post(teams.activity("hi")).status_code == 202
        teams.settle()
    assert "not delivered" in caplog.text


def test_installing_the_app_stores_where_to_reach_the_user(teams: TeamsHarness) -> None:
    update = teams.activity("")
    update.update(type="conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}])
    del update["text"]
    assert teams.post(update).status_code == 202
    teams.settle()
    assert teams.connector.snapshot() == []  # nothing said unasked
    assert teams.engine.sent == []


def test_teams_not_configured_is_503_saying_what_to_set(client: TestClient) -> None:
    response = client.post("/api/messages", json=message_activity("hi", "https://x/"))
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "teams_not_configured"
    assert "ASSISTANT_TEAMS_APP_ID" in body["message"]
    assert "ASSISTANT_TEAMS_ALLOW_ANONYMOUS" in body["message"]


def test_anonymous_development_mode_accepts_no_token_and_sends_none(
    tmp_path: Path,
    fake_connector: FakeConnector,
    fake_engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
) -> None:
    settings = teams_settings(
        tmp_path,
        fake_connector,
        environment="development",
        teams_app_id="",
        teams_app_password="",
        teams_tenant_id="",
        teams_allow_anonymous=True,
    )
    app = create_app(settings, engine_client=fake_engine, knowledge_base=knowledge_base)  # type: ignore[arg-type]
    with TestClient(app, client=LOCAL_CLIENT) as client:
        activity = message_activity("hi", fake_connector.service_url)
        assert client.post("/api/messages", json=activity).status_code == 202
        (received,) = fake_connector.wait_for(1)
    assert received.authorization is None
    assert received.activity["text"] == "Hello."
