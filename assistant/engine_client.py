"""Talks to the Rasa engine(s) over the REST channel; the app never imports Rasa.

With several engines (the scale-out profile, `ASSISTANT_ENGINE_URLS`) each conversation sticks
to one of them (assistant/engine_routing.py). A turn moves to the conversation's next engine
only when its engine could not even be connected to: then the engine never saw the turn, so
sending it elsewhere cannot answer it twice. Once a request has been sent, any failure (a
read timeout, a dropped connection, a 5xx) is reported as EngineUnavailableError and the turn
is not sent again here, because the engine may have handled it; the client may resend it,
and with the same turn id (the `Idempotency-Key` header of POST /api/chat) the engine answers
a turn it already handled from its tracker instead of handling it again (engine/turns.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import httpx

from assistant.core.replies import Button, Citation, Reply
from assistant.engine_routing import rank_engines
from assistant.internal_auth import HEADER as INTERNAL_HEADER

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)

# Structured parts of an action's message that channels may draw (timescales, plan cards).
PASSED_THROUGH = ("timescales", "plan", "progress")
# How long an engine that refused a connection is passed over before it is tried first again.
DEFAULT_DOWN_SECONDS = 5.0
# The message metadata key carrying the turn id the engine deduplicates on.
TURN_ID_KEY = "turn_id"

# What a 403 from the engine means: it holds another secret than this web app, or none.
REFUSED_TOKEN = (
    "the engine refused this web app's internal token: ASSISTANT_INTERNAL_TOKEN must be the "
    "same for the web app, the engine and the action server"
)

# Failures that happen before any byte of the request reached the engine.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


class EngineUnavailableError(RuntimeError):
    """The engine did not answer, or answered with something other than a list of messages."""


@dataclass(frozen=True)
class EngineStatus:
    reachable: bool
    model_loaded: bool
    detail: str
    # With several engines: each one's own status, by name (base URL).
    engines: tuple[tuple[str, EngineStatus], ...] = ()


@dataclass(frozen=True)
class EngineEndpoint:
    """One engine: its name on the hash ring (its base URL) and its REST channel's routes."""

    name: str
    webhook_url: str
    status_url: str

    @classmethod
    def at(cls, base_url: str, channel: str = "assistant") -> EngineEndpoint:
        base = base_url.rstrip("/")
        return cls(
            name=base,
            webhook_url=f"{base}/webhooks/{channel}/webhook",
            status_url=f"{base}/webhooks/{channel}/status",
        )


class EngineClient:
    """One shared HTTP client for the app's lifetime (connection reuse matters per turn).

    `EngineClient(http, webhook_url, status_url)` talks to one engine; `engines=` to several.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        webhook_url: str | None = None,
        status_url: str | None = None,
        *,
        engines: Sequence[EngineEndpoint] = (),
        down_seconds: float = DEFAULT_DOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        internal_token: str = "",
    ) -> None:
        endpoints = list(engines)
        if webhook_url is not None or status_url is not None:
            if webhook_url is None or status_url is None or endpoints:
                raise ValueError("give either webhook_url and status_url, or engines")
            endpoints = [EngineEndpoint(webhook_url, webhook_url, status_url)]
        if not endpoints:
            raise ValueError("at least one engine is needed")
        names = [e.name for e in endpoints]
        if len(set(names)) != len(names):
            raise ValueError(f"engines named twice: {names}")
        self._http = http
        self._engines = {e.name: e for e in endpoints}
        self._down_seconds = down_seconds
        self._clock = clock
        self._down_until: dict[str, float] = {}
        # The secret the engine's channel asks of every turn (assistant/internal_auth.py).
        self._headers = {INTERNAL_HEADER: internal_token} if internal_token else {}

    @classmethod
    def from_settings(cls, http: httpx.AsyncClient, settings: Settings) -> EngineClient:
        return cls(
            http,
            engines=[
                EngineEndpoint.at(url, settings.engine_channel) for url in settings.engine_base_urls
            ],
            down_seconds=settings.engine_down_seconds,
            internal_token=settings.internal_token.get_secret_value(),
        )

    @property
    def engine_names(self) -> list[str]:
        return list(self._engines)

    def ranking(self, conversation_id: str) -> list[str]:
        """The conversation's engines in order of preference (down or not)."""
        return rank_engines(conversation_id, list(self._engines))

    def _order(self, ranked: list[EngineEndpoint]) -> list[EngineEndpoint]:
        """The ranking with engines marked down moved to the end: still tried, as a last
        resort, so that a turn is not refused while every engine is marked down."""
        now = self._clock()
        up = [e for e in ranked if self._down_until.get(e.name, 0.0) <= now]
        return up + [e for e in ranked if e not in up]

    def _mark_down(self, engine: EngineEndpoint, error: Exception) -> None:
        if self._down_until.get(engine.name, 0.0) <= self._clock():
            log.warning(
                "engine %s unreachable (%s): its conversations go to their next engine for %.0f s",
                engine.name,
                type(error).__name__,
                self._down_seconds,
            )
        self._down_until[engine.name] = self._clock() + self._down_seconds

    async def send(
        self, conversation_id: str, message: str, metadata: dict[str, Any]
    ) -> list[Reply]:
        body = {"sender": conversation_id, "message": message, "metadata": metadata}
        ranked = [self._engines[name] for name in self.ranking(conversation_id)]
        order = self._order(ranked)
        refused: list[str] = []
        for engine in order:
            try:
                response = await self._http.post(
                    engine.webhook_url, json=body, headers=self._headers
                )
            except _NOT_SENT as error:
                # Never connected, so the engine never saw the turn: the next one may take it.
                self._mark_down(engine, error)
                refused.append(_failure(engine, error, several=len(order) > 1))
                continue
            except httpx.HTTPError as error:
                # Sent, perhaps handled: sending it again could answer it twice.
                raise EngineUnavailableError(
                    f"engine {engine.name} did not answer: {type(error).__name__}"
                ) from error
            self._down_until.pop(engine.name, None)
            if engine is not ranked[0]:
                log.warning(
                    "conversation %s re-routed to engine %s: its engine %s is down (%s)",
                    conversation_id,
                    engine.name,
                    ranked[0].name,
                    "; ".join(refused) or "marked down",
                )
            return _replies_from_response(response)
        raise EngineUnavailableError(f"engine not reachable: {'; '.join(refused)}")

    async def status(self) -> EngineStatus:
        """Ready when at least one engine has a model loaded; each engine's status attached."""
        engines = list(self._engines.values())
        statuses = await asyncio.gather(*(self._status_of(e) for e in engines))
        if len(engines) == 1:
            return statuses[0]
        return EngineStatus(
            reachable=any(s.reachable for s in statuses),
            model_loaded=any(s.model_loaded for s in statuses),
            detail="; ".join(
                f"{e.name}: {s.detail}" for e, s in zip(engines, statuses, strict=True)
            ),
            engines=tuple((e.name, s) for e, s in zip(engines, statuses, strict=True)),
        )

    async def _status_of(self, engine: EngineEndpoint) -> EngineStatus:
        try:
            response = await self._http.get(engine.status_url, headers=self._headers)
        except httpx.HTTPError as error:
            return EngineStatus(False, False, f"not reachable: {type(error).__name__}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        loaded = response.status_code == 200 and bool(body.get("model_loaded"))
        detail = str(body.get("model_file") or "") if loaded else f"HTTP {response.status_code}"
        if response.status_code == 403:
            detail = REFUSED_TOKEN
        if body.get("tracker_store") == "unavailable":  # engine/channels.py: it fails closed
            detail = "tracker store unavailable: turns are refused"
        return EngineStatus(True, loaded, detail or "model loaded")


def _failure(engine: EngineEndpoint, error: Exception, *, several: bool) -> str:
    return f"{engine.name}: {type(error).__name__}" if several else type(error).__name__


def _replies_from_response(response: httpx.Response) -> list[Reply]:
    if response.status_code == 403:
        raise EngineUnavailableError(REFUSED_TOKEN)
    if response.status_code != 200:
        raise EngineUnavailableError(f"engine answered HTTP {response.status_code}")
    try:
        raw = response.json()
    except ValueError as error:
        raise EngineUnavailableError("engine answered with malformed JSON") from error
    if not isinstance(raw, list):
        raise EngineUnavailableError("engine answered with something other than a list")
    return replies_from_engine(raw)


def _buttons(raw: Any) -> tuple[Button, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in raw
        if isinstance(b, dict)
    )


def _citations(raw: Any) -> tuple[Citation, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        Citation(
            authority=str(c.get("authority", "")),
            section_id=str(c.get("section_id", "")),
            title=str(c.get("title", "")),
            source_version=str(c.get("source_version", "")),
            topics=tuple(str(t) for t in c.get("topics") or ()),
            quote=str(c.get("quote") or ""),
        )
        for c in raw
        if isinstance(c, dict)
    )


def replies_from_engine(raw: list[Any]) -> list[Reply]:
    """Turn the REST channel's output into replies.

    Plain responses arrive as {"text", "buttons"}; our actions send one custom JSON message
    carrying text, buttons and citations together. A custom message with no text adds its
    citations to the reply before it rather than showing an empty bubble.
    """
    replies: list[Reply] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        custom = item.get("custom")
        source = custom if isinstance(custom, dict) else item
        text = str(source.get("text") or "")
        buttons = _buttons(source.get("buttons"))
        citations = _citations(source.get("citations"))
        authority = source.get("authority")
        if not text and not buttons and replies and citations:
            previous = replies[-1]
            replies[-1] = replace(previous, citations=previous.citations + citations)
            continue
        if not text and not buttons:
            continue
        extras = {k: source[k] for k in PASSED_THROUGH if isinstance(source.get(k), dict)}
        replies.append(
            Reply(
                text=text,
                buttons=buttons,
                citations=citations,
                authority=authority if isinstance(authority, str) else None,
                extras=extras,
            )
        )
    return replies
