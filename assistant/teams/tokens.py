"""Where the bot's outbound token comes from (connector.py has the MSAL one)."""

from __future__ import annotations

from typing import Protocol


class OutboundTokenProvider(Protocol):
    async def token(self) -> str:
        """A bearer token for the Bot Connector service; empty for no Authorization header."""
        ...


class NoToken:
    """The anonymous development mode (the Agents Playground expects no token)."""

    async def token(self) -> str:
        return ""
