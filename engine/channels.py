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

Only the web app may send turns: `/webhook` refuses (403, an empty body) a request without
the shared secret in the `X-Assistant-Internal` header (engine/internal_auth.py), and the
channel does not start without the secret. `/status` and `/` stay open for probes (a
Kubernetes probe sends no secret), but a wrong secret presented there is refused too, so
that the web app's readiness tells when it holds another secret than the engine.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.tracker_store import FailSafeTrackerStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from engine.action_response_validation import install_compiled_validator
from engine.internal_auth import HEADER, required_token, token_matches
from engine.turns import handle_once

logger = logging.getLogger(__name__)
# The web app's security events go to this logger too (assistant/web/security_log.py).
security_logger = logging.getLogger("assistant.security")

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

    def __init__(self, internal_token: str) -> None:
        super().__init__()
        self._internal_token = internal_token

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> AssistantRestInput:
        # Rasa builds its channels once at startup: the place to speed up what it does per turn,
        # and to refuse to start without the shared secret (InternalTokenMissingError).
        token = required_token(os.environ)
        install_compiled_validator()
        return cls(token)

    def refused(self, request: Request, *, required: bool) -> HTTPResponse | None:
        """403 with an empty body for a request without the right secret (`required`), or with
        a wrong one; logged without anything the request carried but its route."""
        presented = request.headers.get(HEADER)
        if presented is None and not required:
            return None
        if token_matches(presented, self._internal_token):
            return None
        record = {
            "event": "internal_token_refused",
            "status": 403,
            "method": request.method,
            "route": request.path,
            "header": "missing" if presented is None else "wrong",
        }
        security_logger.warning("security %s", json.dumps(record, sort_keys=True))
        return response.empty(status=403)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refusal = self.refused(request, required=True)
            if refusal is not None:
                return refusal
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
            refusal = self.refused(request, required=False)
            if refusal is not None:
                return refusal
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
