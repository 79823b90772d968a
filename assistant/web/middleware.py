"""ASGI middleware that guards every request before any route, sign-in included, sees it.

Plain ASGI rather than `@app.middleware("http")`: the body limit has to sit on the stream of
`http.request` messages itself, which Starlette's request wrapper would read in full first.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def send_json_error(send: Send, status: int, error: str, message: str) -> None:
    """The API's error shape (assistant/web/errors.py), for answers given below FastAPI."""
    body = json.dumps({"error": error, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Refuse a request body over `max_bytes` with a JSON 413, counting what arrives.

    A declared Content-Length over the limit is refused without reading anything. Any other
    body (chunked ones declare no length) is read here, chunk by chunk, up to the limit and no
    further, before the app is called: so a 300 MB upload costs at most `max_bytes` of memory
    and is refused before sign-in is checked, whatever the route would have done with it.
    What was read is handed on to the app unchanged.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            if declared.isdigit():
                await self._refuse(send)
            else:
                await send_json_error(
                    send, 400, "bad_request", "The Content-Length header is not a number."
                )
            return
        buffered: list[Message] = []
        received = 0
        while True:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break  # the client went away: let the app see it
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        await send_json_error(
            send,
            413,
            "request_too_large",
            f"Request bodies are limited to {self.max_bytes} bytes.",
        )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1").strip()
    return None


# Everything the chat page loads comes from this origin; nothing inline, nothing framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's interactive docs (development and test only) load Swagger UI and ReDoc from a CDN
# and start them with an inline script.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeadersMiddleware:
    """Headers every response carries, whichever route (or refusal) produced it.

    A strict Content-Security-Policy stops injected markup from running script or loading from
    elsewhere, and `frame-ancestors 'none'` (with X-Frame-Options for old browsers) stops the
    page being framed to trick clicks; `nosniff` stops a download being run as a script; no
    Referer leaks a conversation id to another site. API answers hold casework, so no browser
    or proxy keeps them (`no-store`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        policy = (
            DOCS_CONTENT_SECURITY_POLICY if path.startswith(DOCS_PATHS) else CONTENT_SECURITY_POLICY
        )
        added = [
            (b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        # Replaced, not only added: no route's own caching survives on these.
        replaced = {b"server"}
        if path.startswith("/api/") or path in ("/readyz", "/openapi.json"):
            added.append((b"cache-control", b"no-store"))
            replaced.add(b"cache-control")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (bytes(k), bytes(v))
                    for k, v in message.get("headers", ())
                    if bytes(k).lower() not in replaced
                ]
                present = {k.lower() for k, _ in kept}
                message["headers"] = kept + [(k, v) for k, v in added if k not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
