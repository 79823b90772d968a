"""A fake Bot Connector service on loopback, and the keys that sign its tokens.

One uvicorn server in a thread plays both Microsoft services a Teams bot talks to:
- the Bot Connector: it records every activity POSTed to /v3/conversations/{id}/activities[/{id}]
  with its Authorization header and answers as the real one does ({"id": ...});
- the OpenID metadata (`/v1/.well-known/openidconfiguration`) and JWKS (`/v1/.well-known/keys`)
  the bot checks the Bot Connector's tokens against; the key is a local RSA key, endorsed for
  msteams, and `TokenFactory` signs test tokens with it.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from jwt.algorithms import RSAAlgorithm

from assistant.devstack.processes import free_port

ISSUER = "https://api.botframework.com"  # what the real tokens say; the metadata says it too
KEY_ID = "test-key-1"


@dataclass
class Received:
    path: str
    authorization: str | None
    activity: dict[str, Any]


@dataclass
class FakeConnector:
    base_url: str
    private_key: rsa.RSAPrivateKey
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse_with: int | None = None  # answer every POST with this status (e.g. 403)

    @property
    def service_url(self) -> str:
        return f"{self.base_url}/"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    def clear(self) -> None:
        with self.lock:
            self.received.clear()
        self.refuse_with = None

    def snapshot(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.snapshot()
            if len(got) >= count:
                return got
            time.sleep(0.01)
        raise AssertionError(f"the fake connector got {len(self.snapshot())} of {count} activities")


def _app(connector: FakeConnector) -> FastAPI:
    app = FastAPI()
    public_jwk: dict[str, Any] = RSAAlgorithm.to_jwk(
        connector.private_key.public_key(), as_dict=True
    )
    public_jwk.update({"kid": KEY_ID, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]})

    @app.get("/v1/.well-known/openidconfiguration")
    async def metadata() -> dict[str, Any]:
        return {
            "issuer": ISSUER,
            "authorization_endpoint": "https://invalid.example/authorize",
            "jwks_uri": f"{connector.base_url}/v1/.well-known/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        }

    @app.get("/v1/.well-known/keys")
    async def keys() -> dict[str, Any]:
        return {"keys": [public_jwk]}

    async def record(request: Request) -> Any:
        from fastapi.responses import JSONResponse

        body = await request.json()
        with connector.lock:
            connector.received.append(
                Received(request.url.path, request.headers.get("authorization"), body)
            )
        if connector.refuse_with is not None:
            return JSONResponse({"error": {"code": "Refused"}}, status_code=connector.refuse_with)
        return {"id": f"reply-{uuid.uuid4().hex[:8]}"}

    app.add_api_route("/v3/conversations/{conversation_id}/activities", record, methods=["POST"])
    app.add_api_route(
        "/v3/conversations/{conversation_id}/activities/{activity_id}", record, methods=["POST"]
    )
    return app


class RunningConnector:
    """Start the fake connector in a thread; stop it on exit."""

    def __init__(self) -> None:
        port = free_port()
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.connector = FakeConnector(f"http://127.0.0.1:{port}", key)
        config = uvicorn.Config(
            _app(self.connector), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> FakeConnector:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake connector did not start")
            time.sleep(0.01)
        return self.connector

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


@dataclass
class TokenFactory:
    """Tokens as the Bot Connector signs them, with whatever is wrong that a test wants."""

    private_key: rsa.RSAPrivateKey
    app_id: str

    def token(
        self,
        service_url: str,
        *,
        audience: str | None = None,
        issuer: str = ISSUER,
        expires_in: int = 3600,
        key: rsa.RSAPrivateKey | None = None,
        kid: str = KEY_ID,
    ) -> str:
        now = int(time.time())
        claims = {
            "serviceurl": service_url,
            "nbf": now - 60,
            "exp": now + expires_in,
            "iss": issuer,
            "aud": self.app_id if audience is None else audience,
        }
        return jwt.encode(claims, key or self.private_key, algorithm="RS256", headers={"kid": kid})
