"""The Teams channel as the web app runs it: built at start-up from settings, handling
POST /api/messages (router.py), closed at shutdown.

A request is checked in this order before the SDK sees it: the token (auth.py; 401/403, or 503
when Microsoft's signing keys cannot be fetched), then the activity's `serviceUrl` against the
allow-list (403, logged: nothing is ever sent to a URL not on it). Then the SDK's CloudAdapter
runs the activity through `TeamsAgent`, which records it and answers 202 at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from fastapi import Request, Response
from microsoft_agents.hosting.fastapi import CloudAdapter
from sqlalchemy import Engine

from assistant.core.authorities import AuthorityDirectory, UnknownAuthorityError
from assistant.settings import Settings
from assistant.store.teams import SqlTeamsStore
from assistant.teams.agent import TeamsAgent
from assistant.teams.auth import (
    KeysUnavailableError,
    OpenIdKeySource,
    TokenRejectedError,
    TokenValidator,
)
from assistant.teams.cards import reply_activity
from assistant.teams.connector import (
    AllowListedClientFactory,
    MsalTokenProvider,
    ServiceUrlAllowList,
    well_formed_url,
)
from assistant.teams.proactive import TeamsMessenger
from assistant.teams.tokens import NoToken, OutboundTokenProvider
from assistant.web.conversation import ConversationService
from assistant.web.errors import error_response
from assistant.web.security_log import security_event

logger = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 10.0
# Teams activities nest a few levels (cards' values, entities); far deeper is an attack on the
# SDK's recursive parsing and validation.
MAX_ACTIVITY_DEPTH = 32


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether JSON `value` nests lists and objects more than `limit` deep (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class TeamsConfigurationError(RuntimeError):
    """The Teams settings cannot work (checked at start-up)."""


@dataclass
class TeamsChannel:
    adapter: CloudAdapter
    agent: TeamsAgent
    validator: TokenValidator
    allow_list: ServiceUrlAllowList
    messenger: TeamsMessenger
    http: httpx.AsyncClient

    async def handle(self, request: Request) -> Response:
        try:
            body: Any = await request.json()
        except (ValueError, RecursionError):  # RecursionError: nested past the parser's depth
            return error_response(400, "invalid_activity", "The body is not a JSON activity.")
        if not isinstance(body, dict) or not body.get("type"):
            return error_response(400, "invalid_activity", "The body is not an activity.")
        if nesting_exceeds(body, MAX_ACTIVITY_DEPTH):
            return error_response(
                400, "invalid_activity", "The activity is nested too deeply to be a Teams one."
            )
        channel_id = str(body.get("channelId") or "")
        service_url = body.get("serviceUrl")
        if not well_formed_url(service_url):
            return error_response(
                400, "invalid_activity", "The activity's serviceUrl is not a valid URL."
            )
        assert isinstance(service_url, str)
        try:
            identity = await self.validator.identity(
                request.headers.get("authorization"), channel_id, service_url
            )
        except TokenRejectedError as rejected:
            logger.warning("Teams request refused (%d): %s", rejected.status, rejected.reason)
            security_event(request, "teams_sign_in_failed", rejected.status, reason=rejected.reason)
            code = "unauthorized" if rejected.status == 401 else "forbidden"
            return error_response(rejected.status, code, "The request's token was not accepted.")
        except KeysUnavailableError as error:
            logger.error("Teams request not checked: %s", error)
            return error_response(
                503, "teams_keys_unavailable", "The Bot Connector's signing keys could not be read."
            )
        if not self.allow_list.allows(service_url):
            security_event(request, "teams_service_url_refused", 403)
            logger.warning(
                "Teams activity refused: serviceUrl %r is not on "
                "ASSISTANT_TEAMS_SERVICE_URL_ALLOWLIST; nothing sent",
                service_url,
            )
            return error_response(
                403, "service_url_not_allowed", "The activity's serviceUrl is not allowed."
            )
        request.state.claims_identity = identity
        response = await self.adapter.process(request, self.agent)
        return response if response is not None else Response(status_code=202)

    async def aclose(self) -> None:
        await self.agent.turns.wait(SHUTDOWN_GRACE_SECONDS)
        await self.http.aclose()


def build_teams_channel(
    settings: Settings,
    conversation: ConversationService,
    database: Engine,
    authorities: AuthorityDirectory,
    token_provider: OutboundTokenProvider | None = None,
) -> TeamsChannel | None:
    """None when Teams is not configured (POST /api/messages then answers 503 saying what to
    set). `token_provider` replaces MSAL (tests); anonymous development mode sends no token."""
    if not settings.teams_enabled:
        return None
    for tenant, authority in settings.teams_authority_by_tenant.items():
        try:
            authorities.get(authority)
        except UnknownAuthorityError as error:
            raise TeamsConfigurationError(
                f"ASSISTANT_TEAMS_AUTHORITY_BY_TENANT maps tenant {tenant!r} to {authority!r}, "
                f"which is not an authority; valid ids: {', '.join(error.valid_ids)}"
            ) from error
    if token_provider is None:
        password = settings.teams_app_password.get_secret_value()
        token_provider = (
            MsalTokenProvider(settings.teams_app_id, password, settings.teams_tenant_id)
            if settings.teams_app_id and password
            else NoToken()
        )
    allow_list = ServiceUrlAllowList(settings.teams_service_url_allowlist)
    adapter = CloudAdapter(
        channel_service_client_factory=AllowListedClientFactory(
            allow_list, token_provider, settings.teams_app_id
        )
    )
    # The SDK's default reports an error to the user with its text; let errors propagate
    # instead (a failed request is answered 500 and Teams tries again; a failed send is logged).
    adapter.on_turn_error = None
    store = SqlTeamsStore(database)
    names = {a.id: a.short_name for a in authorities}
    render = partial(
        reply_activity, public_base_url=settings.public_base_url, authority_names=names
    )
    messenger = TeamsMessenger(adapter, store, settings.teams_app_id, render)
    agent = TeamsAgent(
        conversation, store, messenger, dict(settings.teams_authority_by_tenant), render
    )
    http = httpx.AsyncClient(timeout=10.0)
    validator = TokenValidator(
        settings.teams_app_id,
        OpenIdKeySource(settings.teams_openid_metadata_url, http),
        allow_anonymous=settings.teams_allow_anonymous,
    )
    return TeamsChannel(adapter, agent, validator, allow_list, messenger, http)
