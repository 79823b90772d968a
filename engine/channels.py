"""The engine's one input channel: Rasa's REST channel plus a readiness route.

Rasa's HTTP API stays off, so `/status` is not available; the web app's `/readyz` asks this
route instead whether a model is loaded. Metadata sent with a message (the worker's
authority) reaches the tracker through RestInput.get_metadata, which 3.6 already provides.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from engine.action_response_validation import install_compiled_validator


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
        webhook = super().blueprint(on_new_message)

        @webhook.route("/status", methods=["GET"])
        async def status(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            ready = bool(agent is not None and agent.is_ready())
            model_file = agent.processor.model_filename if ready and agent.processor else None
            return response.json(
                {"model_loaded": ready, "model_file": model_file},
                status=200 if ready else 503,
            )

        return webhook
