"""Checking the token of every request to POST /api/messages (the Bot Connector's JWT).

Why not the SDK's validator: `JwtTokenValidator` in microsoft-agents-hosting-core 1.9 takes its
signing keys from hard-coded URLs (`login.botframework.com/v1/.well-known/keys` for the Bot
Framework issuer, `login.microsoftonline.com/{tenant}/discovery/v2.0/keys` otherwise), so a test
cannot serve its own keys; it also checks the issuer only when `VALIDATE_ISSUER` is opted in and
ignores the keys' channel endorsements. So the token is checked here, with PyJWT (which the SDK
itself uses), by the steps of the Bot Connector authentication spec, against the OpenID
metadata at `teams_openid_metadata_url` (Microsoft's by default; tests serve a local one):

1. `Authorization: Bearer <JWT>`; no header is refused (401) unless anonymous requests are
   allowed, which settings permit only in development (the Agents Playground);
2. signed (RS256, or what the metadata lists) by a key of the metadata's `jwks_uri`; an unknown
   key id makes one refetch of the keys (Microsoft rolls them), at most every five minutes;
3. `iss` is the metadata's `issuer` (`https://api.botframework.com`);
4. `aud` is the bot's app id (`teams_app_id`);
5. within its validity, with the spec's five minutes of clock skew;
6. the signing key endorses the activity's `channelId` (when the key lists endorsements; 403);
7. the `serviceurl` claim is the activity's `serviceUrl`, so a valid token cannot send the bot's
   replies somewhere else.

The verified claims become the SDK's `ClaimsIdentity`, which its CloudAdapter reads from
`request.state.claims_identity` as its own JWT middleware would have set it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from microsoft_agents.hosting.core import ClaimsIdentity

logger = logging.getLogger(__name__)

CLOCK_SKEW_SECONDS = 300
METADATA_MAX_AGE_SECONDS = 24 * 3600
KEY_REFRESH_MIN_INTERVAL_SECONDS = 300
RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512"})


class TokenRejectedError(Exception):
    """The request is refused: `status` is 401 (no or bad token) or 403 (not endorsed)."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class KeysUnavailableError(Exception):
    """The OpenID metadata or the signing keys could not be fetched: the token is not checked."""


@dataclass
class _Keys:
    issuer: str
    algorithms: list[str]
    jwks: dict[str, dict[str, Any]]  # kid -> JWK (with its "endorsements")
    fetched_at: float


@dataclass
class OpenIdKeySource:
    """The issuer and signing keys from an OpenID metadata document, cached for a day."""

    metadata_url: str
    http: httpx.AsyncClient
    _keys: _Keys | None = None
    _last_refresh: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def keys(self, kid: str) -> tuple[_Keys, dict[str, Any] | None]:
        async with self._lock:
            now = time.monotonic()
            stale = self._keys is None or now - self._keys.fetched_at > METADATA_MAX_AGE_SECONDS
            unknown = self._keys is not None and kid not in self._keys.jwks
            may_refresh = now - self._last_refresh > KEY_REFRESH_MIN_INTERVAL_SECONDS
            if stale or (unknown and may_refresh):
                self._keys = await self._fetch()
                self._last_refresh = now
            assert self._keys is not None
            return self._keys, self._keys.jwks.get(kid)

    async def _fetch(self) -> _Keys:
        try:
            metadata = (await self.http.get(self.metadata_url)).raise_for_status().json()
            issuer = metadata["issuer"]
            jwks_uri = metadata["jwks_uri"]
            jwks = (await self.http.get(jwks_uri)).raise_for_status().json()
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            raise KeysUnavailableError(
                f"could not read the OpenID metadata {self.metadata_url}: {type(error).__name__}"
            ) from error
        listed = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in listed if a in RSA_ALGORITHMS] or ["RS256"]
        keys = {
            str(k["kid"]): k
            for k in jwks.get("keys", ())
            if isinstance(k, dict) and k.get("kid") and k.get("kty") == "RSA"
        }
        logger.info("Teams signing keys: %d from %s", len(keys), jwks_uri)
        return _Keys(str(issuer), algorithms, keys, time.monotonic())


@dataclass
class TokenValidator:
    app_id: str
    keys: OpenIdKeySource
    allow_anonymous: bool = False

    async def identity(
        self, authorization: str | None, channel_id: str, service_url: str
    ) -> ClaimsIdentity:
        """The caller's verified identity, or TokenRejectedError; KeysUnavailableError when
        the keys cannot be had (the request is then answered 503 and Teams tries again)."""
        if not authorization:
            if self.allow_anonymous:
                return ClaimsIdentity()  # the SDK's anonymous identity
            raise TokenRejectedError("no Authorization header")
        if self.allow_anonymous and not self.app_id:
            # Development without an app registration: there is no audience to check a token
            # against, so a token (the Playground may send one) is not looked at.
            return ClaimsIdentity()
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenRejectedError("the Authorization header is not 'Bearer <token>'")
        claims = await self._verified_claims(token.strip(), channel_id)
        claimed_url = str(claims.get("serviceurl") or "")
        if _normalised(claimed_url) != _normalised(service_url):
            raise TokenRejectedError("the token's serviceurl is not the activity's serviceUrl")
        return ClaimsIdentity(claims, authentication_type="Bearer", security_token=token)

    async def _verified_claims(self, token: str, channel_id: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise TokenRejectedError(f"not a JWT ({type(error).__name__})") from error
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejectedError("the token names no signing key (kid)")
        keys, jwk = await self.keys.keys(kid)
        if jwk is None:
            raise TokenRejectedError("the token is signed by an unknown key")
        algorithm = header.get("alg")
        if algorithm not in keys.algorithms:
            raise TokenRejectedError(f"signing algorithm {algorithm!r} is not accepted")
        try:
            key = jwt.PyJWK.from_json(json.dumps(jwk), algorithm=str(algorithm))
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[str(algorithm)],
                audience=self.app_id,
                issuer=keys.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise TokenRejectedError("the token has expired") from error
        except jwt.InvalidAudienceError as error:
            raise TokenRejectedError("the token is for another app (audience)") from error
        except jwt.InvalidIssuerError as error:
            raise TokenRejectedError("the token is from another issuer") from error
        except jwt.PyJWTError as error:
            raise TokenRejectedError(f"invalid token ({type(error).__name__})") from error
        endorsements = jwk.get("endorsements")
        if isinstance(endorsements, list) and channel_id not in endorsements:
            raise TokenRejectedError(
                f"the signing key does not endorse channel {channel_id!r}", status=403
            )
        return claims


def _normalised(url: str) -> str:
    return url.strip().rstrip("/").lower()
