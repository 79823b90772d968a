from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.settings import Settings


def test_development_accepts_the_placeholder_secret() -> None:
    assert Settings(environment="development").secret_key == "development-only"


@pytest.mark.parametrize(
    "secret", ["development-only", "changethis", "", "short-but-not-placeholder"]
)
@pytest.mark.parametrize("environment", ["test", "production"])
def test_outside_development_placeholder_or_short_secrets_are_refused(
    environment: str, secret: str
) -> None:
    with pytest.raises(ValidationError, match="ASSISTANT_SECRET_KEY"):
        Settings(environment=environment, secret_key=secret)


def test_settings_come_from_prefixed_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSISTANT_ENGINE_URL", "http://127.0.0.1:6000/")
    monkeypatch.setenv("ASSISTANT_PORT", "8100")
    settings = Settings()
    assert settings.port == 8100
    assert settings.engine_webhook_url == "http://127.0.0.1:6000/webhooks/assistant/webhook"
    assert settings.engine_status_url == "http://127.0.0.1:6000/webhooks/assistant/status"


def test_an_impossible_port_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_PORT", "70000")
    with pytest.raises(ValidationError):
        Settings()
