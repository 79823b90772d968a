"""Who may see what (the core's rules), and the per-user chat rate limit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.core.access import AccessDeniedError, Principal, Role, development_principal
from assistant.core.conversations import (
    ConversationNotFoundError,
    InMemoryConversationDirectory,
    continue_conversation,
    readable_conversation,
)
from assistant.web.rate_limit import RateLimitedError, RateLimiter

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
AMY = Principal("amy", Role.PRACTITIONER, "gateshead", "oidc")
BEN = Principal("ben", Role.PRACTITIONER, "gateshead", "oidc")
GINA = Principal("gina", Role.MANAGER, "gateshead", "oidc")
KEN = Principal("ken", Role.MANAGER, "kent", "oidc")
EVERY_AUTHORITY = Principal("service:evaluation", Role.PRACTITIONER, None, "api_token")
# A Teams user whose tenant is mapped to no authority: not a key to every authority.
UNMAPPED_TEAMS = Principal("teams:t:una", Role.PRACTITIONER, None, "teams")


@pytest.mark.parametrize(
    ("principal", "authority", "allowed"),
    [
        (AMY, "gateshead", True),
        (AMY, "kent", False),
        (KEN, "gateshead", False),
        (EVERY_AUTHORITY, "kent", True),
        (development_principal(), "lewisham", True),
        (UNMAPPED_TEAMS, "kent", False),
    ],
)
def test_a_worker_sees_only_their_own_authority(
    principal: Principal, authority: str, allowed: bool
) -> None:
    assert principal.may_see(authority) is allowed


@pytest.mark.parametrize(
    ("reader", "allowed"),
    [(AMY, True), (BEN, False), (GINA, True), (KEN, False), (EVERY_AUTHORITY, False)],
)
def test_a_conversation_is_read_by_its_worker_or_their_manager(
    reader: Principal, allowed: bool
) -> None:
    directory = InMemoryConversationDirectory()
    continue_conversation(directory, AMY, "c1", "gateshead", NOW)
    if allowed:
        assert readable_conversation(directory, reader, "c1") is not None
    else:
        with pytest.raises(ConversationNotFoundError):
            readable_conversation(directory, reader, "c1")
    assert readable_conversation(directory, reader, "never-used") is None


def test_only_the_owner_continues_a_conversation() -> None:
    directory = InMemoryConversationDirectory()
    continue_conversation(directory, AMY, "c1", "gateshead", NOW)
    for other in (BEN, GINA, KEN):
        with pytest.raises(ConversationNotFoundError):
            continue_conversation(directory, other, "c1", other.authority, NOW)
    assert continue_conversation(directory, AMY, "c1", "gateshead", NOW).subject == "amy"


def test_only_a_manager_passes_a_manager_check() -> None:
    GINA.require_manager("export the audit log")
    with pytest.raises(AccessDeniedError, match="Only a manager can export the audit log"):
        AMY.require_manager("export the audit log")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_rate_limit_allows_a_burst_then_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=30, burst=3, clock=clock)
    for _ in range(3):
        limiter.take("amy")
    with pytest.raises(RateLimitedError) as refused:
        limiter.take("amy")
    assert refused.value.retry_after_seconds == 2  # one message every 2 s
    limiter.take("ben")  # per user
    clock.now += 2.0
    limiter.take("amy")
    with pytest.raises(RateLimitedError):
        limiter.take("amy")
    clock.now += 600
    for _ in range(3):  # refills to the burst, not beyond
        limiter.take("amy")
    with pytest.raises(RateLimitedError):
        limiter.take("amy")


def test_a_rate_of_zero_is_no_limit_and_idle_users_are_forgotten() -> None:
    clock = Clock()
    unlimited = RateLimiter(per_minute=0, burst=1, clock=clock)
    for _ in range(1000):
        unlimited.take("amy")
    limiter = RateLimiter(per_minute=60, burst=1, clock=clock)
    for user in range(100):
        limiter.take(f"user-{user}")
    clock.now += 7200
    limiter.take("amy")
    assert list(limiter._buckets) == ["amy"]
