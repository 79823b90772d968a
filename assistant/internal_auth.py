"""The shared secret between the web app, the engine and the action server (app side).

The web app sends it to the engine with every turn; the engine sends it to the action server
with every action (endpoints.yml, `action_endpoint.headers`); the engine's REST channel
(engine/channels.py) and the action server (assistant/action_server.py) refuse a call
without it. Loopback, or a network policy, is then no longer the only guard: another local
user or program that can connect to the engine or the action server still cannot use them.

The rule is engine/internal_auth.py's, written again here because the app's image and the
engine's need not carry each other's packages; tests/test_internal_token.py keeps the two
alike.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

HEADER = "X-Assistant-Internal"
ENVIRONMENT_VARIABLE = "ASSISTANT_INTERNAL_TOKEN"
MINIMUM_LENGTH = 32
# What the action server answers without the secret: the probe of a supervisor or of
# Kubernetes, which says only that the process is up.
OPEN_ACTION_SERVER_PATHS = frozenset({"/health"})


class InternalTokenMissingError(RuntimeError):
    """A process that must check the secret was started without one: it does not start."""


def new_internal_token() -> str:
    """For a run that was given none (`assistant run`): 43 random URL-safe characters."""
    return secrets.token_urlsafe(32)


def required_token(environ: Mapping[str, str]) -> str:
    token = environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if len(token) < MINIMUM_LENGTH:
        raise InternalTokenMissingError(
            f"{ENVIRONMENT_VARIABLE} must be set to a random value of at least {MINIMUM_LENGTH} "
            "characters, the same for the web app, the engine and the action server "
            "(`assistant run` generates one)"
        )
    return token


def token_matches(presented: str | None, expected: str) -> bool:
    """Compared in constant time (hmac.compare_digest), as bytes, so that a header with other
    characters is a mismatch rather than an error."""
    if not presented or not expected:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def action_server_refuses(path: str, presented: str | None, expected: str) -> bool:
    """Everything but the health probe needs the secret: `/webhook` runs actions (which read
    and write plans and reminders), and `/actions` lists them."""
    if path in OPEN_ACTION_SERVER_PATHS:
        return False
    return not token_matches(presented, expected)
