"""Talks to the Rasa engine over its REST channel; the app never imports Rasa."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import httpx

from assistant.core.replies import Button, Citation, Reply

# Structured parts of an action's message that channels may draw (timescales, plan cards).
PASSED_THROUGH = ("timescales", "plan", "progress")


class EngineUnavailableError(RuntimeError):
    """The engine did not answer, or answered with something other than a list of messages."""


@dataclass(frozen=True)
class EngineStatus:
    reachable: bool
    model_loaded: bool
    detail: str


class EngineClient:
    """One shared HTTP client for the app's lifetime (connection reuse matters per turn)."""

    def __init__(self, http: httpx.AsyncClient, webhook_url: str, status_url: str) -> None:
        self._http = http
        self._webhook_url = webhook_url
        self._status_url = status_url

    async def send(
        self, conversation_id: str, message: str, metadata: dict[str, Any]
    ) -> list[Reply]:
        body = {"sender": conversation_id, "message": message, "metadata": metadata}
        try:
            response = await self._http.post(self._webhook_url, json=body)
        except httpx.HTTPError as error:
            raise EngineUnavailableError(f"engine not reachable: {type(error).__name__}") from error
        if response.status_code != 200:
            raise EngineUnavailableError(f"engine answered HTTP {response.status_code}")
        try:
            raw = response.json()
        except ValueError as error:
            raise EngineUnavailableError("engine answered with malformed JSON") from error
        if not isinstance(raw, list):
            raise EngineUnavailableError("engine answered with something other than a list")
        return replies_from_engine(raw)

    async def status(self) -> EngineStatus:
        try:
            response = await self._http.get(self._status_url)
        except httpx.HTTPError as error:
            return EngineStatus(False, False, f"not reachable: {type(error).__name__}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        loaded = response.status_code == 200 and bool(body.get("model_loaded"))
        detail = str(body.get("model_file") or "") if loaded else f"HTTP {response.status_code}"
        return EngineStatus(True, loaded, detail or "model loaded")


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
