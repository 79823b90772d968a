"""The engine client against a scripted HTTP transport (no Rasa needed)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from typing import Any

import httpx
import pytest

from assistant.engine_client import (
    EngineClient,
    EngineEndpoint,
    EngineUnavailableError,
    replies_from_engine,
)
from assistant.engine_routing import engine_score, rank_engines
from assistant.settings import Settings

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


def test_status_says_when_the_engine_s_tracker_store_is_down() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"model_loaded": True, "model_file": "m.tar.gz", "tracker_store": "unavailable"}
        return httpx.Response(503, json=body)

    status = asyncio.run(_client(handler).status())
    assert (status.reachable, status.model_loaded) == (True, False)
    assert status.detail == "tracker store unavailable: turns are refused"


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


# --- Several engines: sticky routing, failover only when the turn was never sent ---------

ENGINES = ("http://engine-0:5005", "http://engine-1:5005")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Engines:
    """A scripted transport for several engines: each is up, refusing, or failing after send."""

    def __init__(self, names: tuple[str, ...] = ENGINES) -> None:
        self.state = dict.fromkeys(names, "up")
        self.attempts: list[tuple[str, str]] = []  # (engine, conversation)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        engine = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        state = self.state[engine]
        if request.url.path.endswith("/status"):
            if state != "up":
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(200, json={"model_loaded": True, "model_file": "m.tar.gz"})
        sender = json.loads(request.content)["sender"]
        self.attempts.append((engine, sender))
        if state == "refusing":
            raise httpx.ConnectError("refused", request=request)
        if state == "connect-timeout":
            raise httpx.ConnectTimeout("timed out", request=request)
        if state == "read-timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if state == "dropped":
            raise httpx.RemoteProtocolError("server disconnected", request=request)
        if state == "error":
            return httpx.Response(500, text="boom")
        return httpx.Response(200, json=[{"recipient_id": sender, "text": f"from {engine}"}])

    def client(self, clock: FakeClock | None = None) -> EngineClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(self))
        return EngineClient(
            http,
            engines=[EngineEndpoint.at(name) for name in self.state],
            down_seconds=5.0,
            clock=clock or FakeClock(),
        )


def _answered_by(client: EngineClient, conversation: str) -> str:
    [reply] = asyncio.run(client.send(conversation, "hi", {}))
    return reply.text.removeprefix("from ")


def test_a_conversation_always_goes_to_the_same_engine_from_every_web_app() -> None:
    engines = Engines()
    first, second = engines.client(), engines.client()  # two web apps
    for conversation in ("c1", "c2", "web-7f3a", "teams:t:u:c"):
        home = first.ranking(conversation)[0]
        assert {_answered_by(first, conversation) for _ in range(3)} == {home}
        assert _answered_by(second, conversation) == home
        assert second.ranking(conversation) == first.ranking(conversation)


def test_conversations_spread_evenly_over_two_engines() -> None:
    homes = Counter(rank_engines(f"conversation-{i}", ENGINES)[0] for i in range(1000))
    assert set(homes) == set(ENGINES)
    assert all(420 <= count <= 580 for count in homes.values()), homes


def test_removing_an_engine_moves_only_the_conversations_that_were_on_it() -> None:
    three = (*ENGINES, "http://engine-2:5005")
    before = {f"c{i}": rank_engines(f"c{i}", three)[0] for i in range(1000)}
    after = {c: rank_engines(c, ENGINES)[0] for c in before}
    moved = {c for c in before if before[c] != after[c]}
    assert moved == {c for c, home in before.items() if home == three[2]}
    assert 250 <= len(moved) <= 420  # about a third
    # ... and adding it back brings back exactly those.
    assert {c: rank_engines(c, three)[0] for c in before} == before


def test_the_ranking_is_the_same_in_every_process_whatever_the_order_of_the_engines() -> None:
    # Pinned: Python's salted hash() would give another value in each process.
    assert engine_score("http://engine-0:5005", "c1") == 0x88E883B48A595F6B
    assert rank_engines("c1", ENGINES) == rank_engines("c1", tuple(reversed(ENGINES)))


@pytest.mark.parametrize("failure", ["refusing", "connect-timeout"])
def test_an_engine_that_cannot_be_connected_to_passes_its_turns_on_and_gets_them_back(
    failure: str,
) -> None:
    engines, clock = Engines(), FakeClock()
    client = engines.client(clock)
    conversation = next(
        c for c in (f"c{i}" for i in range(100)) if client.ranking(c)[0] == ENGINES[0]
    )
    engines.state[ENGINES[0]] = failure

    assert _answered_by(client, conversation) == ENGINES[1]
    assert engines.attempts == [(ENGINES[0], conversation), (ENGINES[1], conversation)]
    # Marked down: the next turns go straight to the second engine.
    engines.attempts.clear()
    clock.now += 4.0
    assert _answered_by(client, conversation) == ENGINES[1]
    assert engines.attempts == [(ENGINES[1], conversation)]
    # Once the mark expires the first engine is tried first again; while it still refuses,
    # the turn goes on to the second and the mark is renewed.
    clock.now += 1.5
    engines.attempts.clear()
    assert _answered_by(client, conversation) == ENGINES[1]
    assert [e for e, _ in engines.attempts] == [ENGINES[0], ENGINES[1]]
    # Back up: the conversation returns to its own engine after the mark expires.
    engines.state[ENGINES[0]] = "up"
    clock.now += 5.5
    assert _answered_by(client, conversation) == ENGINES[0]
    engines.attempts.clear()
    assert _answered_by(client, conversation) == ENGINES[0]
    assert engines.attempts == [(ENGINES[0], conversation)]


def test_every_turn_answered_away_from_its_engine_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engines, clock = Engines(), FakeClock()
    client = engines.client(clock)
    conversation = next(
        c for c in (f"c{i}" for i in range(100)) if client.ranking(c)[0] == ENGINES[0]
    )
    engines.state[ENGINES[0]] = "refusing"
    with caplog.at_level(logging.WARNING, logger="assistant.engine_client"):
        _answered_by(client, conversation)
        _answered_by(client, conversation)  # while marked down: not even tried
    rerouted = [r.getMessage() for r in caplog.records if "re-routed" in r.getMessage()]
    assert rerouted == [
        f"conversation {conversation} re-routed to engine {ENGINES[1]}: its engine "
        f"{ENGINES[0]} is down ({ENGINES[0]}: ConnectError)",
        f"conversation {conversation} re-routed to engine {ENGINES[1]}: its engine "
        f"{ENGINES[0]} is down (marked down)",
    ]
    assert sum("unreachable" in r.getMessage() for r in caplog.records) == 1


@pytest.mark.parametrize("failure", ["read-timeout", "dropped", "error"])
def test_a_turn_that_reached_its_engine_is_never_sent_to_another(failure: str) -> None:
    engines = Engines()
    client = engines.client()
    conversation = next(
        c for c in (f"c{i}" for i in range(100)) if client.ranking(c)[0] == ENGINES[0]
    )
    engines.state[ENGINES[0]] = failure

    with pytest.raises(EngineUnavailableError):
        asyncio.run(client.send(conversation, "hi", {}))
    assert engines.attempts == [(ENGINES[0], conversation)]
    # Not marked down either: the conversation's next turn goes to its own engine again.
    engines.state[ENGINES[0]] = "up"
    assert _answered_by(client, conversation) == ENGINES[0]


def test_when_every_engine_refuses_the_turn_is_unavailable_and_marked_engines_are_still_tried() -> (
    None
):
    engines, clock = Engines(), FakeClock()
    client = engines.client(clock)
    engines.state = dict.fromkeys(ENGINES, "refusing")
    with pytest.raises(EngineUnavailableError, match="not reachable"):
        asyncio.run(client.send("c1", "hi", {}))
    assert len(engines.attempts) == 2
    # Both marked down; one comes back within the marked period: it is found at once.
    engines.state[ENGINES[1]] = "up"
    clock.now += 1.0
    assert _answered_by(client, "c1") == ENGINES[1]


def test_status_is_ready_while_one_engine_has_a_model_and_names_each_engine() -> None:
    engines = Engines()
    engines.state[ENGINES[1]] = "refusing"
    status = asyncio.run(engines.client().status())
    assert (status.reachable, status.model_loaded) == (True, True)
    assert dict(status.engines)[ENGINES[0]].model_loaded
    assert not dict(status.engines)[ENGINES[1]].reachable
    assert status.detail == (f"{ENGINES[0]}: m.tar.gz; {ENGINES[1]}: not reachable: ConnectError")
    engines.state[ENGINES[0]] = "refusing"
    status = asyncio.run(engines.client().status())
    assert (status.reachable, status.model_loaded) == (False, False)


def test_engines_come_from_settings() -> None:
    http = httpx.AsyncClient()
    one = EngineClient.from_settings(http, Settings(engine_url="http://127.0.0.1:5006"))
    assert one.engine_names == ["http://127.0.0.1:5006"]
    several = EngineClient.from_settings(
        http, Settings(engine_urls=["http://engine-0.engine:5005/", "http://engine-1.engine:5005"])
    )
    assert several.engine_names == ["http://engine-0.engine:5005", "http://engine-1.engine:5005"]


def test_engine_urls_are_read_from_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_ENGINE_URLS", '["http://a:5005", "http://b:5005"]')
    assert Settings().engine_base_urls == ["http://a:5005", "http://b:5005"]
    monkeypatch.delenv("ASSISTANT_ENGINE_URLS")
    assert Settings(engine_url="http://c:5005").engine_base_urls == ["http://c:5005"]


@pytest.mark.parametrize(
    "arguments",
    [
        {"webhook_url": WEBHOOK},
        {"webhook_url": WEBHOOK, "status_url": STATUS, "engines": [EngineEndpoint.at("http://x")]},
        {"engines": []},
        {"engines": [EngineEndpoint.at("http://x"), EngineEndpoint.at("http://x/")]},
    ],
)
def test_an_engine_client_needs_distinct_engines(arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        EngineClient(httpx.AsyncClient(), **arguments)
