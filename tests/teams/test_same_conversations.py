"""The web chat and Teams hold the same conversation: one scripted conversation through
POST /api/chat and through POST /api/messages gets the same replies, turn by turn."""

from __future__ import annotations

from typing import Any

from assistant.core.replies import Button, Citation, Reply
from tests.teams.conftest import KENT_TENANT_ID, TeamsHarness

CITATION = Citation("kent", "kent/11-timescales", "11. Timescales", "v3 2025-04")
SCRIPT = {
    "hi": [Reply("Hello. Which authority do you work for?", (Button("Kent", "/kent"),))],
    "/kent": [Reply("Kent it is.", authority="kent")],
    "what are the timescales?": [
        Reply("The assessment is due within 45 working days.", (), (CITATION,)),
        Reply("Anything else?", (Button("Plan", "/plan"), Button("No", "/deny"))),
    ],
}


class ScriptedEngine:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(
        self, conversation_id: str, message: str, metadata: dict[str, Any]
    ) -> list[Reply]:
        self.sent.append({"conversation_id": conversation_id, "message": message, **metadata})
        return SCRIPT[message]


def _from_teams(activity: dict[str, Any]) -> dict[str, Any]:
    """What a Teams message carries, in /api/chat's terms."""
    card = (activity.get("attachments") or [{}])[0].get("content") or {}
    buttons = [
        {"title": a["title"], "payload": a["data"]["payload"]}
        for a in card.get("actions", ())
        if a["type"] == "Action.Submit"
    ]
    facts = [f for b in card.get("body", ()) if b["type"] == "FactSet" for f in b["facts"]]
    return {"text": activity["text"], "buttons": buttons, "sources": [f["value"] for f in facts]}


def _from_web(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": message["text"],
        "buttons": message["buttons"],
        "sources": [f"{c['title']} ({c['source_version']})" for c in message["citations"]],
    }


def test_web_chat_and_teams_get_the_same_replies(teams: TeamsHarness) -> None:
    engine = ScriptedEngine()
    teams.client.app.state.conversation.engine = engine  # type: ignore[attr-defined]
    web: list[dict[str, Any]] = []
    for message in SCRIPT:
        response = teams.client.post(
            "/api/chat",
            json={"conversation_id": "web-1", "message": message, "authority": "kent"},
        )
        web += [_from_web(m) for m in response.json()["messages"]]

    for number, message in enumerate(SCRIPT):
        if message.startswith("/"):  # pressed as a button: the payload comes in value
            activity = teams.activity("", tenant_id=KENT_TENANT_ID, value={"payload": message})
        else:
            activity = teams.activity(message, tenant_id=KENT_TENANT_ID)
        activity["id"] = f"17000000000{number}"
        assert teams.post(activity).status_code == 202
        teams.settle()
    received = teams.connector.wait_for(len(web))
    assert [_from_teams(r.activity) for r in received] == web

    web_turns = [t for t in engine.sent if t["conversation_id"] == "web-1"]
    teams_turns = [t for t in engine.sent if t["conversation_id"] != "web-1"]
    assert [t["message"] for t in web_turns] == [t["message"] for t in teams_turns]
    assert {t["authority"] for t in web_turns + teams_turns} == {"kent"}
    assert len({t["conversation_id"] for t in teams_turns}) == 1
