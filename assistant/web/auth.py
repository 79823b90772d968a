"""Sign-in for every API route: OIDC bearer tokens from the organisation's identity provider, or
API tokens for services. Without either configured, the app runs in development mode (settings
allow that only on 127.0.0.1) and every caller is the one local development user.

OIDC tokens are checked with PyJWT against the configured JWKS: RS256/384/512 signature by a
listed key, issuer, audience, expiry (one minute of clock skew), a lifetime no longer than
`oidc_max_token_lifetime_seconds` (a stolen long-lived token is not good for days), and a
non-empty subject. The user's subject is namespaced by the issuer (`oidc:<issuer>#<sub>`), so
that a `sub` can never pose as a service token's (`service:...`), a Teams user's (`teams:...`)
or the development user, nor a user of another issuer configured later. The user's authority
comes from a claim (`oidc_authority_claim`) that must name a known authority; they are a
manager when `manager` is among their roles (`oidc_roles_claim`).

API tokens are random strings of which the settings keep only the SHA-256, compared in constant
time, so a leaked configuration does not leak the tokens.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Annotated, Any, cast

import httpx
import jwt
from fastapi import Depends, Request

from assistant.core.access import Principal, Role, development_principal
from assistant.settings import ApiToken, Settings

logger = logging.getLogger(__name__)

CLOCK_SKEW_SECONDS = 60
KEYS_MAX_AGE_SECONDS = 24 * 3600
KEY_REFRESH_MIN_INTERVAL_SECONDS = 300
RSA_ALGORITHMS = ["RS256", "RS384", "RS512"]
API_TOKEN_PREFIX = "pa_"
# Longer subjects are refused: with the issuer they must fit the stores' 255-character columns.
MAX_SUBJECT_CHARS = 128


class NotSignedInError(Exception):
    """No credentials, or credentials that do not check out (401)."""


class SignInUnavailableError(Exception):
    """The identity provider's keys cannot be fetched: nobody can be checked (503)."""


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_token() -> tuple[str, str]:
    """A fresh token and the SHA-256 the settings keep."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, hash_api_token(token)


@dataclass
class JwksKeys:
    """The identity provider's signing keys, cached for a day; an unknown key id makes one
    refetch (providers roll their keys), at most every five minutes."""

    jwks_url: str
    http: httpx.AsyncClient
    _keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    _fetched_at: float = -1e12
    _last_refresh: float = -1e12
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def key(self, kid: str) -> dict[str, Any] | None:
        async with self._lock:
            now = time.monotonic()
            stale = now - self._fetched_at > KEYS_MAX_AGE_SECONDS
            unknown = kid not in self._keys
            if stale or (unknown and now - self._last_refresh > KEY_REFRESH_MIN_INTERVAL_SECONDS):
                self._last_refresh = now
                self._keys = await self._fetch()
                self._fetched_at = now
            return self._keys.get(kid)

    async def _fetch(self) -> dict[str, dict[str, Any]]:
        try:
            body = (await self.http.get(self.jwks_url)).raise_for_status().json()
            listed = body["keys"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            raise SignInUnavailableError(
                f"could not read the signing keys at {self.jwks_url}: {type(error).__name__}"
            ) from error
        return {
            str(k["kid"]): k
            for k in listed
            if isinstance(k, dict) and k.get("kid") and k.get("kty") == "RSA"
        }


@dataclass
class OidcVerifier:
    issuer: str
    audience: str
    keys: JwksKeys
    authority_claim: str
    roles_claim: str
    known_authorities: Collection[str]
    max_lifetime_seconds: int = 24 * 3600

    async def principal(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise NotSignedInError("the bearer token is not a valid token") from error
        kid, algorithm = header.get("kid"), header.get("alg")
        if not isinstance(kid, str) or algorithm not in RSA_ALGORITHMS:
            raise NotSignedInError("the token is not signed in a way this service accepts")
        jwk = await self.keys.key(kid)
        if jwk is None:
            raise NotSignedInError("the token is signed by an unknown key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=jwt.PyJWK.from_json(json.dumps(jwk), algorithm=str(algorithm)),
                algorithms=[str(algorithm)],
                audience=self.audience,
                issuer=self.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise NotSignedInError("the token has expired; sign in again") from error
        except jwt.PyJWTError as error:
            raise NotSignedInError(f"the token was refused ({type(error).__name__})") from error
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise NotSignedInError("the token names no user (its 'sub' claim is empty)")
        if len(subject) > MAX_SUBJECT_CHARS:
            raise NotSignedInError("the token's 'sub' claim is too long")
        self._check_lifetime(claims)
        authority = claims.get(self.authority_claim)
        if not isinstance(authority, str) or authority not in self.known_authorities:
            raise NotSignedInError(
                f"the token's {self.authority_claim!r} claim names no authority this service "
                "serves; ask your administrator"
            )
        roles = claims.get(self.roles_claim) or []
        manager = isinstance(roles, list) and Role.MANAGER.value in roles
        return Principal(
            subject=oidc_subject(self.issuer, subject),
            role=Role.MANAGER if manager else Role.PRACTITIONER,
            authority=authority,
            method="oidc",
        )

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        """exp - iat within the maximum; without iat, what is left of it from now."""
        try:  # PyJWT accepts numbers written as strings too
            expires = float(claims["exp"])
            start = float(claims["iat"]) if claims.get("iat") is not None else time.time()
        except (TypeError, ValueError) as error:
            raise NotSignedInError("the token's times are not numbers") from error
        if expires - start > self.max_lifetime_seconds + CLOCK_SKEW_SECONDS:
            raise NotSignedInError(
                "the token is valid for longer than this service accepts "
                f"({self.max_lifetime_seconds // 3600} h); ask your administrator"
            )


def oidc_subject(issuer: str, sub: str) -> str:
    """The principal's subject for an OIDC user: their `sub`, namespaced by the issuer."""
    return f"oidc:{issuer}#{sub}"


@dataclass
class Authenticator:
    """Turns a request's Authorization header into a Principal."""

    api_tokens: list[ApiToken]
    oidc: OidcVerifier | None

    @property
    def required(self) -> bool:
        return bool(self.api_tokens) or self.oidc is not None

    async def principal(self, authorization: str | None) -> Principal:
        if not self.required:
            return development_principal()
        if not authorization:
            raise NotSignedInError("sign-in required: send 'Authorization: Bearer <token>'")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise NotSignedInError("the Authorization header is not 'Bearer <token>'")
        service = self._api_token(token)
        if service is not None:
            return Principal(
                subject=f"service:{service.name}",
                role=Role(service.role),
                authority=service.authority,
                method="api_token",
            )
        if self.oidc is None or token.startswith(API_TOKEN_PREFIX):
            raise NotSignedInError("the token is not recognised")
        return await self.oidc.principal(token)

    def _api_token(self, token: str) -> ApiToken | None:
        digest = hash_api_token(token)
        found = None
        for candidate in self.api_tokens:  # every one compared: the time does not say which
            if hmac.compare_digest(candidate.sha256, digest):
                found = candidate
        return found


def build_authenticator(
    settings: Settings, http: httpx.AsyncClient, known_authorities: Collection[str]
) -> Authenticator:
    unknown = [
        t.name for t in settings.api_tokens if t.authority and t.authority not in known_authorities
    ]
    if unknown:
        raise ValueError(f"API tokens for unknown authorities: {', '.join(unknown)}")
    oidc = None
    if settings.oidc_jwks_url:
        oidc = OidcVerifier(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            keys=JwksKeys(settings.oidc_jwks_url, http),
            authority_claim=settings.oidc_authority_claim,
            roles_claim=settings.oidc_roles_claim,
            known_authorities=frozenset(known_authorities),
            max_lifetime_seconds=settings.oidc_max_token_lifetime_seconds,
        )
    return Authenticator(list(settings.api_tokens), oidc)


def is_loopback_client(host: str | None) -> bool:
    return host is not None and (host in ("::1", "localhost") or host.startswith("127."))


async def current_principal(request: Request) -> Principal:
    """The signed-in caller (401 otherwise); computed once per request."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    authenticator = cast(Authenticator, request.app.state.authenticator)
    # Development mode has no sign-in, so it answers this machine only, however the server
    # was started (the settings also refuse a host other than 127.0.0.1).
    if not authenticator.required and not is_loopback_client(
        request.client.host if request.client else None
    ):
        raise NotSignedInError(
            "this assistant runs in development mode and answers only this machine; "
            "configure sign-in (README, 'Sign-in, privacy and records') to serve others"
        )
    principal = await authenticator.principal(request.headers.get("authorization"))
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]
