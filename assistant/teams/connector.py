"""How replies leave: only to an allowed service URL, with the bot's own token.

The SDK sends replies by POSTing to the activity's `serviceUrl`
(`/v3/conversations/{id}/activities/{replyToId}`), with a bearer token its
`RestChannelServiceClientFactory` gets from MSAL. We hand the CloudAdapter our own factory
instead, which

- refuses any service URL that does not start with an entry of
  `teams_service_url_allowlist` (Teams' `https://smba.trafficmanager.net/` by default; loopback
  URLs such as a fake connector's or the Agents Playground's are accepted by settings outside
  production only). Rasa's `botframework` channel posts its replies to whatever `serviceUrl` an
  activity names, which is why that channel is not used;
- gets the token from an `OutboundTokenProvider`: MSAL client credentials against the
  single-tenant authority `https://login.microsoftonline.com/{tenant id}` in production, a fake in
  tests, none for the anonymous development mode;
- needs no user token client (the assistant does no user sign-in), so that costs no token call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    ChannelServiceClientFactoryBase,
    ClaimsIdentity,
    TurnContext,
)
from microsoft_agents.hosting.core.authorization import AuthenticationConstants, AuthTypes
from microsoft_agents.hosting.core.connector import ConnectorClientBase, UserTokenClientBase
from microsoft_agents.hosting.core.connector.client import UserTokenClient
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from assistant.teams.tokens import OutboundTokenProvider

logger = logging.getLogger(__name__)

BOT_FRAMEWORK_RESOURCE = AuthenticationConstants.AGENTS_SDK_SCOPE  # https://api.botframework.com


class ServiceUrlRefusedError(PermissionError):
    """A reply would have gone to a service URL that is not on the allow-list."""


class ServiceUrlAllowList:
    def __init__(self, prefixes: list[str]) -> None:
        self._prefixes = [_canonical(p) for p in prefixes if p.strip()]

    def allows(self, url: str | None) -> bool:
        if not url or not well_formed_url(url):
            return False
        parts = urlsplit(url.strip())
        if parts.username or parts.password:
            return False
        candidate = _canonical(url)
        return any(candidate.startswith(prefix) for prefix in self._prefixes)

    def check(self, url: str | None) -> None:
        if not self.allows(url):
            logger.warning(
                "Refused to send to service URL %r: not on ASSISTANT_TEAMS_SERVICE_URL_ALLOWLIST",
                url,
            )
            raise ServiceUrlRefusedError(f"service URL {url!r} is not on the allow-list")


def well_formed_url(url: object) -> bool:
    """An http(s) URL with a host and, if any, a port in range: what urlsplit can take apart
    without raising (it raises on an unclosed IPv6 literal or a bad port)."""
    if not isinstance(url, str) or not url.strip() or len(url) > 2048:
        return False
    try:
        parts = urlsplit(url.strip())
        _ = parts.port
    except ValueError:
        return False
    return parts.scheme in ("https", "http") and bool(parts.hostname)


def _canonical(url: str) -> str:
    """scheme://host[:port]/path/ in lower case, always ending in '/' (so a prefix is a path)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme.lower()}://{host}{port}{path}"


@dataclass
class MsalTokenProvider:
    """Client credentials for the single-tenant app registration (MSAL caches the token)."""

    app_id: str
    app_password: str
    tenant_id: str

    def __post_init__(self) -> None:
        self._msal = MsalAuth(
            AgentAuthConfiguration(
                auth_type=AuthTypes.client_secret,
                client_id=self.app_id,
                tenant_id=self.tenant_id,
                client_secret=self.app_password,
                authority=f"https://login.microsoftonline.com/{self.tenant_id}",
            )
        )

    async def token(self) -> str:
        return await self._msal.get_access_token(
            BOT_FRAMEWORK_RESOURCE, [f"{BOT_FRAMEWORK_RESOURCE}/.default"]
        )


class AllowListedClientFactory(ChannelServiceClientFactoryBase):
    """The CloudAdapter's connector clients: allow-listed service URLs, our token provider."""

    def __init__(
        self, allow_list: ServiceUrlAllowList, tokens: OutboundTokenProvider, app_id: str
    ) -> None:
        self._allow_list = allow_list
        self._tokens = tokens
        self._app_id = app_id

    async def create_connector_client(
        self,
        context: TurnContext | None,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClientBase:
        self._allow_list.check(service_url)
        return TeamsConnectorClient(endpoint=service_url, token=await self._tokens.token())

    async def create_user_token_client(
        self,
        context: TurnContext,
        claims_identity: ClaimsIdentity,
        use_anonymous: bool = False,
    ) -> UserTokenClientBase:
        # Required by the adapter's turn set-up; never called on (no user sign-in here).
        return UserTokenClient(
            endpoint=AuthenticationConstants.AGENTS_SDK_OAUTH_URL,
            token="",
            app_id=self._app_id or "anonymous",  # the SDK warns on every turn without one
        )
