"""POST /api/messages: where the Bot Connector (Teams) and the Agents Playground post activities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from sqlalchemy import Engine

from assistant.core.authorities import AuthorityDirectory
from assistant.settings import Settings
from assistant.teams.tokens import OutboundTokenProvider
from assistant.web.conversation import ConversationService
from assistant.web.errors import error_response

if TYPE_CHECKING:
    from assistant.teams.channel import TeamsChannel

router = APIRouter(tags=["teams"])

NOT_CONFIGURED = (
    "Microsoft Teams is not set up on this server. Set ASSISTANT_TEAMS_APP_ID, "
    "ASSISTANT_TEAMS_APP_PASSWORD and ASSISTANT_TEAMS_TENANT_ID from the bot's Entra app "
    "registration (README, 'Microsoft Teams'); in development, ASSISTANT_TEAMS_ALLOW_ANONYMOUS="
    "true accepts the Agents Playground without them."
)


@router.post(
    "/api/messages",
    status_code=202,
    summary="Bot Framework activities from Microsoft Teams (Bot Connector JWT required)",
)
async def messages(request: Request) -> Response:
    channel: TeamsChannel | None = getattr(request.app.state, "teams", None)
    if channel is None:
        return error_response(503, "teams_not_configured", NOT_CONFIGURED)
    return await channel.handle(request)


def start_channel(
    settings: Settings,
    conversation: ConversationService,
    database: Engine,
    authorities: AuthorityDirectory,
    token_provider: OutboundTokenProvider | None = None,
) -> TeamsChannel | None:
    """The Teams channel for app.state.teams, or None when Teams is not configured; the SDK is
    imported only when it is."""
    if not settings.teams_enabled:
        return None
    from assistant.teams.channel import build_teams_channel

    return build_teams_channel(settings, conversation, database, authorities, token_provider)
