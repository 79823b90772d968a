"""Security events (failed sign-ins, refusals, not-found answers on protected data, rate limits)
on one dedicated logger, `assistant.security`, so that they can be sent where an operator
watches for attacks (README, 'Sign-in, privacy and records') without the rest of the logs.

Each event is one structured record (JSON in the message, and the same dict as the record's
`security` attribute for a JSON log formatter), and holds no personal data: no message text,
no ids from the URL (the route's template instead), and the user and client address only as
pseudonyms, an HMAC under the secret key. The same user gets the same pseudonym, so that a
run of refusals can be followed, but it cannot be turned back into the user without the key
(a plain hash of a user id or an address can be, by trying them all).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from fastapi import Request

from assistant.core.access import Principal

logger = logging.getLogger("assistant.security")

PSEUDONYM_CHARS = 16


def pseudonym(secret: bytes, value: str) -> str:
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_CHARS]


def background_event(event: str, **fields: str | int | None) -> None:
    """A security event of the app's own work (no request, so no user or client): a reminder
    withheld, say. The same logger and format as security_event."""
    record: dict[str, str | int | None] = {"event": event, **fields}
    logger.warning("security %s", json.dumps(record, sort_keys=True), extra={"security": record})


def security_event(request: Request, event: str, status: int, **fields: str | int | None) -> None:
    settings = getattr(request.app.state, "settings", None)
    secret = str(getattr(settings, "secret_key", "")).encode()
    principal = getattr(request.state, "principal", None)
    route = request.scope.get("route")
    client = request.client.host if request.client else None
    record: dict[str, str | int | None] = {
        "event": event,
        "status": status,
        "method": request.method,
        "route": str(getattr(route, "path", "")) or "(no route)",
        "subject": (
            pseudonym(secret, principal.subject) if isinstance(principal, Principal) else None
        ),
        "sign_in": principal.method if isinstance(principal, Principal) else None,
        "authority": principal.authority if isinstance(principal, Principal) else None,
        "client": pseudonym(secret, client) if client else None,
        **fields,
    }
    logger.warning("security %s", json.dumps(record, sort_keys=True), extra={"security": record})
