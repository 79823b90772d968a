"""The action server: rasa-sdk's, with the one guard rasa-sdk has no hook for.

`python -m assistant.action_server --actions actions --port 5055` in place of
`python -m rasa_sdk ...`. It serves the same routes from the same rasa-sdk app, but every
request other than the health probe must carry the shared secret (assistant/internal_auth.py)
that the engine sends with each action call (endpoints.yml, `action_endpoint.headers`); one
without it is answered 403 with an empty body, before rasa-sdk reads it. The actions read
and write plans, reminders and progress for whoever the message metadata names, so a caller
who could reach `/webhook` could otherwise act as anyone.

It does not start without the secret (ASSISTANT_INTERNAL_TOKEN), and it allows no
cross-origin requests (no browser ever calls it; rasa-sdk allows every origin by default).
It reads no endpoints file: rasa-sdk's default is the engine's endpoints.yml, which is not
the action server's (it only looks for tracing there, which is not used).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from collections.abc import Sequence
from functools import partial

from rasa_sdk import utils
from rasa_sdk.constants import DEFAULT_KEEP_ALIVE_TIMEOUT, DEFAULT_SERVER_PORT
from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import DefaultSanic, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.worker.loader import AppLoader

from assistant.internal_auth import HEADER, action_server_refuses, required_token

security_logger = logging.getLogger("assistant.security")

# Before rasa-sdk's own request middleware (CORS): a refused request goes no further.
GUARD_PRIORITY = 1000


def protect(app: DefaultSanic, token: str) -> DefaultSanic:
    """Refuse every request but the health probe that does not carry `token`."""

    async def refuse_without_secret(request: Request) -> HTTPResponse | None:
        presented = request.headers.get(HEADER)
        if not action_server_refuses(request.path, presented, token):
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

    app.on_request(refuse_without_secret, priority=GUARD_PRIORITY)
    return app


def build_app(actions_package: str, token: str) -> DefaultSanic:
    """The rasa-sdk app for `actions_package`, guarded. Module-level, so that Sanic can hand it
    to its worker processes (AppLoader pickles the factory)."""
    executor = ActionExecutor()
    executor.register_package(actions_package)
    app = create_app_for_serve(
        executor, cors_origins="", endpoints="", keep_alive_timeout=DEFAULT_KEEP_ALIVE_TIMEOUT
    )
    return protect(app, token)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--actions", default="actions", help="the package of the actions")
    parser.add_argument("--port", type=int, default=DEFAULT_SERVER_PORT)
    args = parser.parse_args(argv)
    token = required_token(os.environ)  # InternalTokenMissingError: it does not start open
    utils.configure_colored_logging(logging.INFO)
    utils.update_sanic_log_level()
    loader = AppLoader(factory=partial(build_app, str(args.actions), token))
    app = loader.load()
    # rasa-sdk binds 0.0.0.0 unless told otherwise; `assistant run` says 127.0.0.1.
    host = os.environ.get("SANIC_HOST", "0.0.0.0")  # a container listens on all
    app.prepare(host=host, port=int(args.port), workers=utils.number_of_sanic_workers())
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
