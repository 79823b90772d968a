"""One validated settings object, read from `ASSISTANT_*` environment variables."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Values that must never reach a shared or production deployment.
PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "secret", "development-only"})


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

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'assistant.db'}"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"

    # Fixes "today" for deadlines (demos, tests, evaluation); unset means the real date.
    today: date | None = None

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

    def current_date(self) -> date:
        return self.today or date.today()

    @property
    def engine_webhook_url(self) -> str:
        return f"{self.engine_url.rstrip('/')}/webhooks/{self.engine_channel}/webhook"

    @property
    def engine_status_url(self) -> str:
        return f"{self.engine_url.rstrip('/')}/webhooks/{self.engine_channel}/status"
