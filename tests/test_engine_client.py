"""The engine client against a scripted HTTP transport (no Rasa needed)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from assistant.engine_client import EngineClient, EngineUnavailableError, replies_from_engine

WEBHOOK = "http://engine/webhooks/assistant/webhook"
STATUS = "http://engine/webhooks/assistant/status"


def _client(handler: Any) -> EngineClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return EngineClient(http, WEBHOOK, STATUS)


def test_sends_sender_message_and_metadata_and_reads_replies() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=[{"recipient_id": "c1", "text": "Hello."}])

    replies = asyncio.run(_client(handler).send("c1", "hi", {"authority": "kent"}))
    assert seen == [{"sender": "c1", "message": "hi", "metadata": {"authority": "kent"}}]
    assert [r.text for r in replies] == ["Hello."]


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500, text="boom"),
        httpx.Response(200, text="not json"),
        httpx.Response(200, json={"not": "a list"}),
    ],
)
def test_a_bad_engine_answer_is_engine_unavailable(response: httpx.Response) -> None:
    with pytest.raises(EngineUnavailableError):
        asyncio.run(_client(lambda request: response).send("c1", "hi", {}))


def test_a_refused_connection_is_engine_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(EngineUnavailableError, match="not reachable"):
        asyncio.run(_client(handler).send("c1", "hi", {}))
    status = asyncio.run(_client(handler).status())
    assert (status.reachable, status.model_loaded) == (False, False)


def test_status_reports_a_loaded_model() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"model_loaded": True, "model_file": "model-abc.tar.gz"})

    status = asyncio.run(_client(handler).status())
    assert (status.reachable, status.model_loaded, status.detail) == (
        True,
        True,
        "model-abc.tar.gz",
    )


def test_plain_and_custom_messages_become_replies() -> None:
    citation = {
        "authority": "kent",
        "section_id": "kent/timescales",
        "title": "11. Timescales",
        "topics": ["timescales"],
        "source_version": "refreshed July 2024",
    }
    replies = replies_from_engine(
        [
            {
                "recipient_id": "c",
                "text": "Plain",
                "buttons": [{"title": "Help", "payload": "/help"}],
            },
            {
                "recipient_id": "c",
                "custom": {"text": "Custom", "citations": [citation], "authority": "kent"},
            },
            {"recipient_id": "c", "custom": {"citations": [citation]}},
            {"recipient_id": "c", "image": "http://example/x.png"},
            "not a message",
        ]
    )
    assert [r.text for r in replies] == ["Plain", "Custom"]
    assert [b.payload for b in replies[0].buttons] == ["/help"]
    assert replies[1].authority == "kent"
    # The text-less custom message's citation joined the reply before it.
    assert [c.section_id for c in replies[1].citations] == ["kent/timescales"] * 2


def test_citations_sent_on_their_own_join_the_reply_before_without_losing_its_cards() -> None:
    raw = [
        {"custom": {"text": "Dates", "timescales": {"authority": "kent"}, "plan": {"id": "p"}}},
        {
            "custom": {
                "citations": [
                    {
                        "authority": "kent",
                        "section_id": "kent/x",
                        "title": "X",
                        "source_version": "v1",
                    }
                ]
            }
        },
    ]
    [reply] = replies_from_engine(raw)
    assert reply.extras == {"timescales": {"authority": "kent"}, "plan": {"id": "p"}}
    assert [c.section_id for c in reply.citations] == ["kent/x"]
