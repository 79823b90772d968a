"""The shared secret between the web app, the engine and the action server (engine side).

The engine's REST channel answers anyone who can connect to it, and so does the action
server: on one host that is every local user and every other program, in a cluster every pod
a network policy forgets. So each call between the three processes carries one secret, the
`ASSISTANT_INTERNAL_TOKEN` environment variable, in the `X-Assistant-Internal` header; a
call without it, or with another value, is refused 403 with nothing said about why.

Plain Python (no Rasa import), so that the rule is tested without the engine's environment.
The web app's side (assistant/internal_auth.py) is the same rule: the two images need not
carry each other's packages, and tests/test_internal_token.py keeps them alike.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

HEADER = "X-Assistant-Internal"
ENVIRONMENT_VARIABLE = "ASSISTANT_INTERNAL_TOKEN"
# `secrets.token_urlsafe(32)`, what `assistant run` generates, is 43 characters.
MINIMUM_LENGTH = 32


class InternalTokenMissingError(RuntimeError):
    """The engine was started without the secret: it refuses to start rather than run open."""


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
    """Compared in constant time, so that the answer's timing does not give the secret away
    a character at a time; as bytes, so that a header with other characters is a mismatch
    rather than an error."""
    if not presented or not expected:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))
