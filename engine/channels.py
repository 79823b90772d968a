"""The engine's one input channel: Rasa's REST channel, made to fail loudly, plus readiness.

Rasa's HTTP API stays off, so `/status` is not available; the web app's `/readyz` asks this
route instead whether a model is loaded and the tracker store answers. Metadata sent with a
message (the worker's authority, and who they are) reaches the tracker through
RestInput.get_metadata.

Why not RestInput's own webhook: it answers 200 with whatever was said so far when handling
the message raises, so a failed turn looks like an answer with nothing in it. And Rasa wraps
the tracker store in a `FailSafeTrackerStore` which, when the database fails, returns no
tracker (a fresh conversation, its history silently gone) or keeps the turn only in memory.
Here the fail-safe is made fail-closed: a tracker store error aborts the turn, which is
answered 503, and the web app tells the worker to try again; nothing is lost, because the
turn was never saved anywhere else, and the conversation goes on with its history once the
database is back.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.tracker_store import FailSafeTrackerStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from engine.action_response_validation import install_compiled_validator
from engine.turns import handle_once

logger = logging.getLogger(__name__)

# A conversation id no one uses: reading it checks the tracker store without changing it.
READINESS_SENDER = "__readiness_probe__"


class TrackerStoreUnavailableError(RuntimeError):
    """The tracker store failed; the turn must not go on without the conversation's history."""


def _refuse_to_fall_back(error: Exception) -> None:
    raise TrackerStoreUnavailableError(f"tracker store failed: {type(error).__name__}") from error


def fail_closed(tracker_store: Any) -> None:
    """Make Rasa's fail-safe wrapper raise instead of carrying on without the database."""
    if isinstance(tracker_store, FailSafeTrackerStore):
        tracker_store._on_tracker_store_error = _refuse_to_fall_back


class AssistantRestInput(RestInput):
    """Served at /webhooks/assistant/{webhook,status}."""

    @classmethod
    def name(cls) -> str:
        return "assistant"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> AssistantRestInput:
        # Rasa builds its channels once at startup: the place to speed up what it does per turn.
        install_compiled_validator()
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            if agent is not None:  # the agent is replaced when a model is loaded: every time
                fail_closed(agent.tracker_store)
            sender_id = await self._extract_sender(request)
            collector = CollectingOutputChannel()
            message = UserMessage(
                self._extract_message(request),
                collector,
                sender_id,
                input_channel=self._extract_input_channel(request),
                metadata=self.get_metadata(request),
            )
            try:
                # A turn resent with a turn id it already handled is answered from the tracker.
                await handle_once(agent, message, on_new_message)
            except TrackerStoreUnavailableError as error:
                logger.error("turn for %s refused: %s", sender_id, error)
                return response.json({"error": "tracker_store_unavailable"}, status=503)
            except Exception:
                logger.exception("turn for %s failed", sender_id)
                return response.json({"error": "turn_failed"}, status=500)
            return response.json(collector.messages)

        @webhook.route("/status", methods=["GET"])
        async def status(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            ready = bool(agent is not None and agent.is_ready())
            model_file = agent.processor.model_filename if ready and agent.processor else None
            tracker_store_ok = False
            if agent is not None:
                fail_closed(agent.tracker_store)
                try:
                    await agent.tracker_store.retrieve(READINESS_SENDER)
                    tracker_store_ok = True
                except TrackerStoreUnavailableError as error:
                    logger.error("readiness: %s", error)
            ok = ready and tracker_store_ok
            return response.json(
                {
                    "model_loaded": ready,
                    "model_file": model_file,
                    "tracker_store": "ok" if tracker_store_ok else "unavailable",
                },
                status=200 if ok else 503,
            )

        return webhook
