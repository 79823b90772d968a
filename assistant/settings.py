"""One validated settings object, read from `ASSISTANT_*` environment variables."""

from __future__ import annotations

import ipaddress
import socket
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.internal_auth import MINIMUM_LENGTH as INTERNAL_TOKEN_MINIMUM_LENGTH

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Values that must never reach a shared or production deployment.
PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "secret", "development-only"})

# Microsoft Teams: where the Bot Connector publishes its signing keys, and where Teams replies go.
BOT_FRAMEWORK_OPENID_METADATA_URL = (
    "https://login.botframework.com/v1/.well-known/openidconfiguration"
)
TEAMS_SERVICE_URLS = ("https://smba.trafficmanager.net/",)


class ApiToken(BaseModel):
    """A service's token, stored only as its SHA-256 (`assistant token new` makes one)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    role: str = Field(default="practitioner", pattern=r"^(practitioner|manager)$")
    # None: a service that may act for every authority (evaluation, monitoring).
    authority: str | None = None


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything the web app and the run/bench tooling need, validated once."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    secret_key: str = "development-only"

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    engine_url: str = "http://127.0.0.1:5005"
    engine_channel: str = "assistant"
    engine_timeout_seconds: float = Field(default=30.0, gt=0)
    # Scale-out: several engines (a JSON list of base URLs); empty means [engine_url]. Each
    # conversation sticks to one (assistant/engine_routing.py) and moves to its next only
    # while its engine refuses connections, passed over for engine_down_seconds each time.
    engine_urls: list[str] = Field(default_factory=list)
    engine_down_seconds: float = Field(default=5.0, gt=0)
    # The secret shared by the web app, the engine(s) and the action server(s)
    # (assistant/internal_auth.py): sent to the engine with every turn, and asked of every
    # call by the engine's channel and the action server. `assistant run` generates one when
    # it is unset; production requires it.
    internal_token: SecretStr = SecretStr("")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'assistant.db'}"
    # How long a SQLite write waits for another process's write before it is answered 503.
    database_busy_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"

    # Fixes "today" for deadlines (demos, tests, evaluation); unset means the real date.
    today: date | None = None

    # Checkpoint reminders: how often the web app looks for reminders due (0 turns it off),
    # and, per authority, the conversations of the managers told when a date is missed
    # (Teams sender ids "teams:<tenant>:<aadObjectId>:<conversation>" or web chat ids).
    reminder_poll_seconds: float = Field(default=60.0, ge=0)
    managers_by_authority: dict[str, list[str]] = Field(default_factory=dict)

    # Where users reach the web app (links in Teams cards, the Teams app package's domain).
    public_base_url: str = "http://127.0.0.1:8000"

    # Microsoft Teams (assistant/teams/, README "Microsoft Teams"). Unset app id: Teams is off.
    teams_app_id: str = ""  # the single-tenant Entra app registration's client id
    teams_app_password: SecretStr = SecretStr("")  # its client secret
    teams_tenant_id: str = ""  # the Entra tenant the app registration lives in
    # Accept activities with no token (Agents Playground); only in development.
    teams_allow_anonymous: bool = False
    # Teams tenant id -> authority id (knowledge/authorities.yml), checked at start-up.
    teams_authority_by_tenant: dict[str, str] = Field(default_factory=dict)
    teams_openid_metadata_url: str = BOT_FRAMEWORK_OPENID_METADATA_URL
    # Replies go only to a serviceUrl starting with one of these.
    teams_service_url_allowlist: list[str] = Field(default_factory=lambda: [*TEAMS_SERVICE_URLS])
    # The Teams app package (`make teams-package`).
    teams_app_version: str = "1.0.0"
    teams_app_short_name: str = Field(default="Practice assistant", max_length=30)
    teams_app_full_name: str = Field(
        default="Practice assistant for children's social care assessments", max_length=100
    )
    teams_developer_name: str = Field(default="Children's social care team", max_length=32)

    # Sign-in (assistant/web/auth.py). Configuring either turns it on; production requires one.
    # OIDC bearer tokens from the organisation's identity provider, checked against its JWKS.
    oidc_issuer: str = ""
    oidc_audience: str = ""
    oidc_jwks_url: str = ""
    oidc_authority_claim: str = "authority"  # holds an id from knowledge/authorities.yml
    oidc_roles_claim: str = "roles"  # a list; "manager" in it makes the user a manager
    # Tokens valid for longer than this (exp - iat) are refused.
    oidc_max_token_lifetime_seconds: int = Field(default=24 * 3600, ge=60)
    api_tokens: list[ApiToken] = Field(default_factory=list)

    # Limits and privacy. A rate of None is 30 chat messages a minute per signed-in user, and
    # off for the single local development user; 0 turns it off.
    chat_rate_per_minute: float | None = Field(default=None, ge=0)
    chat_rate_burst: int = Field(default=10, ge=1)
    # The same for searches and exports (search, compare, plan and audit exports, calendar
    # files): None is 60 a minute per signed-in user, off for the development user.
    search_rate_per_minute: float | None = Field(default=None, ge=0)
    search_rate_burst: int = Field(default=20, ge=1)
    # Conversation text (tracker store and transcript) older than this is purged.
    retention_days: int = Field(default=30, ge=1)
    retention_poll_seconds: float = Field(default=3600.0, ge=0)  # 0: only `assistant purge`
    # Plans (every version, and their reminders) not changed for this long are purged too: an
    # assessment runs 45 working days, and the record itself is the case management system's.
    plan_retention_days: int = Field(default=180, ge=1)
    # Rasa's tracker store, for purging (the engine's endpoints.yml names the same database).
    tracker_store_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa' / 'tracker.db'}"

    @property
    def sign_in_configured(self) -> bool:
        return bool(self.oidc_jwks_url or self.api_tokens)

    @property
    def effective_chat_rate_per_minute(self) -> float:
        if self.chat_rate_per_minute is not None:
            return self.chat_rate_per_minute
        return 30.0 if self.sign_in_configured else 0.0

    @property
    def effective_search_rate_per_minute(self) -> float:
        if self.search_rate_per_minute is not None:
            return self.search_rate_per_minute
        return 60.0 if self.sign_in_configured else 0.0

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if self.environment is not Environment.DEVELOPMENT and (
            self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32
        ):
            raise ValueError(
                "ASSISTANT_SECRET_KEY must be set to a random value of at least 32 characters "
                f"outside development (environment is {self.environment.value!r})"
            )
        return self

    @model_validator(mode="after")
    def _check_teams(self) -> Self:
        development = self.environment is Environment.DEVELOPMENT
        local_allowed = self.environment is not Environment.PRODUCTION
        if self.teams_allow_anonymous and not development:
            raise ValueError(
                "ASSISTANT_TEAMS_ALLOW_ANONYMOUS accepts Teams activities without a token and is "
                f"only allowed in development (environment is {self.environment.value!r})"
            )
        if self.teams_app_id:
            if not self.teams_tenant_id:
                raise ValueError(
                    "ASSISTANT_TEAMS_TENANT_ID must be set with ASSISTANT_TEAMS_APP_ID: the bot's "
                    "app registration is single-tenant"
                )
            password = self.teams_app_password.get_secret_value()
            if not development and password.strip().lower() in PLACEHOLDER_SECRETS:
                raise ValueError(
                    "ASSISTANT_TEAMS_APP_PASSWORD must be the app registration's client secret "
                    f"outside development (environment is {self.environment.value!r})"
                )
        for url in [self.teams_openid_metadata_url, *self.teams_service_url_allowlist]:
            if not local_allowed and not _is_public_https(url):
                raise ValueError(
                    f"{url!r}: Teams metadata and service URLs must be https on a public host "
                    "in production (ASSISTANT_TEAMS_OPENID_METADATA_URL, "
                    "ASSISTANT_TEAMS_SERVICE_URL_ALLOWLIST)"
                )
        return self

    @model_validator(mode="after")
    def _require_sign_in_outside_development(self) -> Self:
        if self.environment is Environment.PRODUCTION and not self.sign_in_configured:
            raise ValueError(
                "production requires sign-in: set ASSISTANT_OIDC_ISSUER, ASSISTANT_OIDC_AUDIENCE "
                "and ASSISTANT_OIDC_JWKS_URL, or ASSISTANT_API_TOKENS"
            )
        if not self.sign_in_configured and not _is_loopback(self.host):
            raise ValueError(
                f"ASSISTANT_HOST={self.host!r}: without sign-in the assistant may only listen on "
                "127.0.0.1 (development mode); configure OIDC or API tokens to listen elsewhere"
            )
        oidc = (self.oidc_issuer, self.oidc_audience, self.oidc_jwks_url)
        if any(oidc) and not all(oidc):
            raise ValueError(
                "OIDC sign-in needs all of ASSISTANT_OIDC_ISSUER, ASSISTANT_OIDC_AUDIENCE and "
                "ASSISTANT_OIDC_JWKS_URL"
            )
        if (
            self.environment is Environment.PRODUCTION
            and self.oidc_jwks_url
            and not _is_public_https(self.oidc_jwks_url)
        ):
            raise ValueError("ASSISTANT_OIDC_JWKS_URL must be https on a public host in production")
        return self

    # Last: the errors above say more about what is wrong.
    @model_validator(mode="after")
    def _require_internal_token_in_production(self) -> Self:
        token = self.internal_token.get_secret_value().strip()
        if self.environment is Environment.PRODUCTION and (
            token.lower() in PLACEHOLDER_SECRETS or len(token) < INTERNAL_TOKEN_MINIMUM_LENGTH
        ):
            raise ValueError(
                f"ASSISTANT_INTERNAL_TOKEN must be set to a random value of at least "
                f"{INTERNAL_TOKEN_MINIMUM_LENGTH} characters in production, the same for the web "
                "app, the engines and the action servers"
            )
        return self

    def current_date(self) -> date:
        return self.today or date.today()

    @property
    def engine_base_urls(self) -> list[str]:
        return list(self.engine_urls) or [self.engine_url]

    @property
    def engine_webhook_url(self) -> str:
        return f"{self.engine_url.rstrip('/')}/webhooks/{self.engine_channel}/webhook"

    @property
    def engine_status_url(self) -> str:
        return f"{self.engine_url.rstrip('/')}/webhooks/{self.engine_channel}/status"

    @property
    def teams_enabled(self) -> bool:
        """Teams is on with an app registration, or anonymously in development."""
        return bool(self.teams_app_id) or self.teams_allow_anonymous


def _is_loopback(host: str) -> bool:
    host = host.lower()
    return host in ("", "localhost", "::1") or host.startswith("127.")


def _host_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host name stands for when it is written as one, in any form a resolver
    takes: dotted, a single number (2130706433), hex or octal parts, or IPv6 (with an IPv4
    address mapped into it unwrapped)."""
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_public_host(host: str) -> bool:
    """A name or a global address: not localhost (with or without its trailing dot, or a name
    under it), and not a loopback, private, link-local, unspecified or reserved address
    however it is written."""
    host = host.strip().lower().rstrip(".")
    if not host or host == "localhost" or host.endswith(".localhost"):
        return False
    address = _host_address(host)
    return address is None or address.is_global


def _is_public_https(url: str) -> bool:
    try:
        parts = urlsplit(url)
        hostname = parts.hostname or ""
        _ = parts.port
    except ValueError:
        return False
    return parts.scheme == "https" and _is_public_host(hostname)
