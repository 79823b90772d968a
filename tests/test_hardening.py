"""Hardening (issue 16 part 4): security headers, tokens, conversation ids, rate limits and
security events."""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import click
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import text
from uvicorn.main import main as uvicorn_cli

from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.devstack.model import engine_environment
from assistant.devstack.processes import web_command
from assistant.store.backup import backup
from assistant.store.database import create_database_engine
from assistant.store.migrate import upgrade_to_latest
from assistant.web.app import STATIC_DIR
from assistant.web.auth import oidc_subject
from tests.conftest import FakeEngineClient
from tests.test_sign_in import (
    ISSUER,
    SERVICE_TOKEN,
    Users,
    chat,
    make_client,
    signed_in_settings,
    token_for,
)

NOW = int(time.time())


@pytest.fixture
def users(signing_key: rsa.RSAPrivateKey) -> Users:
    return Users(signing_key)


@pytest.fixture
def api(
    tmp_path: Path,
    fake_engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
    jwks: dict[str, Any],
) -> Iterator[TestClient]:
    """The app with sign-in (OIDC and service tokens) in production, as tests/test_sign_in.py."""
    with make_client(signed_in_settings(tmp_path), fake_engine, knowledge_base, jwks) as client:
        yield client


# --- Security headers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/", None),
        ("GET", "/static/chat.js", None),
        ("GET", "/api/authorities", None),
        ("POST", "/api/chat", {"conversation_id": "c", "message": "hi"}),
        ("POST", "/api/chat", {"conversation_id": "c"}),  # a 422
        ("GET", "/api/nothing-here", None),  # a 404
        ("GET", "/readyz", None),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, method: str, path: str, body: object
) -> None:
    response = client.request(method, path, json=body)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "server" not in response.headers


@pytest.mark.parametrize("path", ["/api/authorities", "/api/nothing-here", "/readyz"])
def test_api_answers_are_never_cached(client: TestClient, path: str) -> None:
    assert client.get(path).headers["cache-control"] == "no-store"


def test_a_refused_oversized_body_carries_the_headers_too(client: TestClient) -> None:
    response = client.post("/api/chat", content=b"x" * 200_000)
    assert response.status_code == 413
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


class _InlineFinder(HTMLParser):
    """What a strict CSP would block in a page: inline scripts, styles and handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "style":
            self.blocked.append("<style>")
        if tag == "script" and "src" not in names:
            self.blocked.append("inline <script>")
        self._in_script = tag == "script"
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.blocked.append(f"{tag} {name}=")
            if value and value.strip().lower().startswith("javascript:"):
                self.blocked.append(f"{tag} {name}=javascript:")
            if name in ("src", "href") and value and "//" in value:
                self.blocked.append(f"{tag} {name} from another origin")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.blocked.append("inline script text")


def test_the_chat_page_needs_nothing_the_policy_blocks() -> None:
    finder = _InlineFinder()
    finder.feed((STATIC_DIR / "index.html").read_text(encoding="utf-8"))
    assert finder.blocked == []
    script = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    for blocked in ("eval(", "new Function(", 'setAttribute("style"', ".innerHTML"):
        assert blocked not in script


def test_the_interactive_docs_keep_working_outside_production(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "https://cdn.jsdelivr.net" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_web_app_is_started_without_uvicorn_s_server_header(tmp_path: Path) -> None:
    command = web_command(tmp_path / "python", 8123)
    assert command[1:3] == ["-m", "uvicorn"]
    # Parsed by uvicorn's own command line, so a misspelt flag would fail here.
    context = uvicorn_cli.make_context("uvicorn", command[3:])
    assert isinstance(context, click.Context)
    assert context.params["server_header"] is False
    assert context.params["access_log"] is False
    assert context.params["host"] == "127.0.0.1"


def test_the_kubernetes_web_app_is_started_without_it_too() -> None:
    manifest = (Path(__file__).parent.parent / "deploy" / "k8s" / "web.yaml").read_text()
    assert "--no-server-header" in manifest


# --- Tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "overrides", "reason"),
    [
        ("", {}, "names no user"),
        ("   ", {}, "names no user"),
        ("x" * 200, {}, "too long"),
        ("amy", {"iat": NOW, "exp": NOW + 25 * 3600}, "longer than this service accepts"),
        ("amy", {"iat": None, "exp": NOW + 30 * 24 * 3600}, "longer than this service accepts"),
        ("amy", {"iat": "soon", "exp": NOW + 60}, "refused"),
    ],
)
def test_tokens_without_a_user_or_living_too_long_are_refused(
    api: TestClient,
    signing_key: rsa.RSAPrivateKey,
    subject: str,
    overrides: dict[str, Any],
    reason: str,
) -> None:
    token = token_for(signing_key, subject, "gateshead", **overrides)
    response = api.get("/api/authorities", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert reason in response.json()["message"]


def test_a_token_within_the_maximum_lifetime_is_accepted(
    api: TestClient, signing_key: rsa.RSAPrivateKey
) -> None:
    token = token_for(signing_key, "amy", "gateshead", iat=NOW, exp=NOW + 23 * 3600)
    assert (
        api.get("/api/authorities", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )


def test_the_maximum_lifetime_is_configurable(
    tmp_path: Path,
    fake_engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
    jwks: dict[str, Any],
    signing_key: rsa.RSAPrivateKey,
) -> None:
    settings = signed_in_settings(tmp_path, oidc_max_token_lifetime_seconds=3600)
    token = token_for(signing_key, "amy", "gateshead", iat=NOW, exp=NOW + 2 * 3600)
    with make_client(settings, fake_engine, knowledge_base, jwks) as client:
        response = client.get("/api/authorities", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_an_oidc_subject_cannot_pose_as_a_service(
    api: TestClient, signing_key: rsa.RSAPrivateKey
) -> None:
    """A user whose `sub` is a service token's subject does not own that service's
    conversation: subjects are namespaced by issuer."""
    service = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    body = {"conversation_id": "c-service", "message": "hi"}
    assert api.post("/api/chat", json=body, headers=service).status_code == 200
    poser = {"Authorization": f"Bearer {token_for(signing_key, 'service:evaluation', 'gateshead')}"}
    assert api.get("/api/chat/c-service/messages", headers=poser).status_code == 404
    assert api.post("/api/chat", json=body, headers=poser).status_code == 404


@pytest.mark.parametrize("sub", ["service:evaluation", "developer", "teams:t:u"])
def test_an_oidc_subject_is_never_another_kind_of_user_s(sub: str) -> None:
    subject = oidc_subject(ISSUER, sub)
    assert subject.startswith(f"oidc:{ISSUER}#")
    assert subject != oidc_subject("https://other-issuer.example/", sub)


@pytest.mark.parametrize(
    "url",
    [
        "https://[::ffff:127.0.0.1]/keys",
        "https://2130706433/keys",
        "https://0x7f000001/keys",
        "https://127.1/keys",
        "https://0.0.0.0/keys",
        "https://localhost./keys",
        "https://LOCALHOST/keys",
        "https://api.localhost/keys",
        "https://10.1.2.3/keys",
        "https://169.254.169.254/keys",
        "https://[fe80::1]/keys",
        "https://[::1]/keys",
        "https://[::1/keys",
        "https://login.example.gov.uk:99999/keys",
    ],
)
def test_production_refuses_every_way_of_writing_a_local_host(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValidationError, match="must be https on a public host"):
        signed_in_settings(tmp_path, oidc_jwks_url=url)
    with pytest.raises(ValidationError, match="https on a public host"):
        signed_in_settings(tmp_path, teams_service_url_allowlist=[url])


def test_production_accepts_a_public_host(tmp_path: Path) -> None:
    settings = signed_in_settings(tmp_path, oidc_jwks_url="https://8.8.8.8/keys")
    assert settings.oidc_jwks_url == "https://8.8.8.8/keys"


def test_the_engine_gets_none_of_the_web_app_s_secrets() -> None:
    outside = {
        "PATH": "/usr/bin",
        "ASSISTANT_SECRET_KEY": "s" * 40,
        "ASSISTANT_TEAMS_APP_PASSWORD": "teams-secret",
        "ASSISTANT_API_TOKENS": "[]",
        "ASSISTANT_OIDC_JWKS_URL": "https://login.example.gov.uk/keys",
        "ASSISTANT_DATABASE_URL": "postgresql://app:secret@db/app",
        "ASSISTANT_ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",
        "ASSISTANT_TRACKER_DB": "/tmp/tracker.db",
        "ASSISTANT_TRACKER_DB_PASSWORD": "tracker",
        "ASSISTANT_REDIS_HOST": "127.0.0.1",
    }
    env = engine_environment(outside)
    assert {k for k in env if k.startswith("ASSISTANT_")} == {
        "ASSISTANT_ACTION_ENDPOINT_URL",
        "ASSISTANT_TRACKER_DB",
        "ASSISTANT_TRACKER_DB_PASSWORD",
        "ASSISTANT_REDIS_HOST",
    }
    assert env["PATH"] == "/usr/bin"
    assert "teams-secret" not in env.values()


# --- Conversations, rate limits and the schema ---------------------------------------------


@pytest.mark.parametrize("teams_id", ["teams:t1:u1:c1", "TEAMS:t1:u1:c2", "teams:" + "a" * 64])
def test_a_web_user_cannot_start_or_continue_a_teams_conversation(
    api: TestClient, users: Users, fake_engine: FakeEngineClient, teams_id: str
) -> None:
    response = api.post(
        "/api/chat", json={"conversation_id": teams_id, "message": "hi"}, headers=users.amy
    )
    assert response.status_code == 404
    assert response.json()["error"] == "conversation_not_found"
    assert fake_engine.sent == []
    owners = api.app.state.conversation.conversations  # type: ignore[attr-defined]
    assert owners.owner(teams_id) is None  # not claimed either


def test_the_development_user_cannot_claim_one_either(
    client: TestClient, fake_engine: FakeEngineClient
) -> None:
    response = client.post("/api/chat", json={"conversation_id": "teams:t:u:c", "message": "hi"})
    assert response.status_code == 404
    assert fake_engine.sent == []


def test_an_unknown_conversation_and_someone_else_s_are_answered_alike(
    api: TestClient, users: Users
) -> None:
    assert chat(api, users.amy, "amy-own").status_code == 200
    for path in ("/api/chat/{id}/messages", "/api/reminders?conversation_id={id}"):
        theirs = api.get(path.format(id="amy-own"), headers=users.ben)
        unknown = api.get(path.format(id="never-used"), headers=users.ben)
        assert theirs.status_code == unknown.status_code == 404, path
        assert theirs.json()["error"] == unknown.json()["error"] == "conversation_not_found"
        assert theirs.json()["message"].replace("amy-own", "X") == unknown.json()[
            "message"
        ].replace("never-used", "X")
        assert set(theirs.headers) == set(unknown.headers)
    assert api.get("/api/chat/amy-own/messages", headers=users.amy).status_code == 200


def test_invalid_chat_requests_spend_no_rate_tokens(
    tmp_path: Path,
    fake_engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
    jwks: dict[str, Any],
    users: Users,
) -> None:
    settings = signed_in_settings(tmp_path, chat_rate_per_minute=1, chat_rate_burst=2)
    with make_client(settings, fake_engine, knowledge_base, jwks) as client:
        for _ in range(5):
            invalid = client.post(
                "/api/chat", json={"conversation_id": "c", "message": ""}, headers=users.amy
            )
            assert invalid.status_code == 422
        assert chat(client, users.amy, "c").status_code == 200
        assert chat(client, users.amy, "c").status_code == 200
        assert chat(client, users.amy, "c").status_code == 429


def _plan(client: TestClient, headers: dict[str, str]) -> str:
    body = {
        "authority": "gateshead",
        "referral_date": "2026-11-02",
        "children": [{"reference": "AB"}],
    }
    response = client.post("/api/plans", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["plan"]["id"])


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/search?q=strategy+meeting", None),
        ("GET", "/api/compare?topic=timescales", None),
        ("GET", "/api/plans/{plan}/export?format=md", None),
        ("GET", "/api/audit", None),
        (
            "POST",
            "/api/timescales.ics",
            {"authority": "gateshead", "referral_date": "2026-11-02"},
        ),
    ],
)
def test_searches_and_exports_are_rate_limited(
    tmp_path: Path,
    fake_engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
    jwks: dict[str, Any],
    users: Users,
    method: str,
    path: str,
    body: object,
) -> None:
    settings = signed_in_settings(tmp_path, search_rate_per_minute=1, search_rate_burst=3)
    with make_client(settings, fake_engine, knowledge_base, jwks) as client:
        url = path.format(plan=_plan(client, users.gina))
        for _ in range(3):
            response = client.request(method, url, json=body, headers=users.gina)
            assert response.status_code == 200, response.text
        refused = client.request(method, url, json=body, headers=users.gina)
        assert refused.status_code == 429
        assert refused.json()["error"] == "rate_limited"
        assert "searches and downloads" in refused.json()["message"]
        assert int(refused.headers["Retry-After"]) >= 1
        # Per user, and chat has its own allowance.
        other = client.request(
            method, url, json=body, headers=users.header("gus", "gateshead", manager=True)
        )
        assert other.status_code == 200
        assert chat(client, users.gina, "g").status_code == 200


def test_the_schema_needs_sign_in_in_production(api: TestClient, users: Users) -> None:
    refused = api.get("/openapi.json")
    assert refused.status_code == 401
    assert refused.json()["error"] == "not_signed_in"
    allowed = api.get("/openapi.json", headers=users.amy)
    assert allowed.status_code == 200
    assert "/api/chat" in allowed.json()["paths"]
    assert "/openapi.json" not in allowed.json()["paths"]


def test_the_schema_is_open_in_development_and_test(client: TestClient) -> None:
    assert client.get("/openapi.json").status_code == 200


# --- Security events -----------------------------------------------------------------------


def _events(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        r.security  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "assistant.security"
    ]


def test_security_events_are_logged_without_personal_data(
    tmp_path: Path,
    fake_engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
    jwks: dict[str, Any],
    users: Users,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = signed_in_settings(tmp_path, chat_rate_per_minute=1, chat_rate_burst=1)
    secret_message = "Jayden Smith lives at 1 Acacia Avenue"
    with make_client(settings, fake_engine, knowledge_base, jwks) as client:
        chat_body = {"conversation_id": "amy-private", "message": secret_message}
        assert client.post("/api/chat", json=chat_body, headers=users.amy).status_code == 200
        with caplog.at_level(logging.INFO, logger="assistant.security"):
            assert client.get("/api/authorities").status_code == 401
            expired = token_for(users.key, "amy", "gateshead", exp=NOW - 3600)
            bad = {"Authorization": f"Bearer {expired}"}
            assert client.get("/api/authorities", headers=bad).status_code == 401
            assert client.get("/api/audit", headers=users.amy).status_code == 403
            other = client.get("/api/chat/amy-private/messages", headers=users.ben)
            assert other.status_code == 404
            kent = client.get("/api/plans", params={"authority": "kent"}, headers=users.amy)
            assert kent.status_code == 404
            again = client.post("/api/chat", json=chat_body, headers=users.amy)
            assert again.status_code == 429
    events = _events(caplog)
    assert [(e["event"], e["status"]) for e in events] == [
        ("sign_in_failed", 401),
        ("sign_in_failed", 401),
        ("forbidden", 403),
        ("not_found", 404),
        ("not_found", 404),
        ("rate_limited", 429),
    ]
    assert "expired" in str(events[1]["reason"])
    assert events[3]["resource"] == "conversation"
    assert events[3]["route"] == "/api/chat/{conversation_id}/messages"
    assert events[4]["resource"] == "authority"
    amy, ben = events[2]["subject"], events[3]["subject"]
    assert amy == events[5]["subject"] and amy != ben  # followable, per user
    assert events[0]["subject"] is None
    logged = caplog.text + json.dumps(events)
    for personal in ("amy", "ben", "Jayden", "Acacia", "amy-private", "testclient", ISSUER):
        assert personal not in logged, personal


# --- Private files -------------------------------------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave new files readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_sqlite_files_and_backups_are_created_private(tmp_path: Path) -> None:
    database = tmp_path / "var" / "app.db"
    engine = create_database_engine(f"sqlite:///{database}")
    upgrade_to_latest(engine)
    with engine.connect() as connection:  # WAL mode: the -wal and -shm files exist now
        connection.execute(text("SELECT count(*) FROM plans"))
        companions = [Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert all(p.exists() for p in companions)
        assert {p.name: _mode(p) for p in [database, *companions]} == {
            "app.db": 0o600,
            "app.db-wal": 0o600,
            "app.db-shm": 0o600,
        }
    archive = tmp_path / "backups" / "app.json.gz"
    backup(engine, archive)
    assert _mode(archive) == 0o600
    engine.dispose()


@pytest.mark.usefixtures("open_umask")
def test_an_existing_database_readable_by_others_is_made_private(tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    create_database_engine(f"sqlite:///{database}").dispose()
    database.chmod(0o644)
    old_backup = tmp_path / "old.json.gz"
    old_backup.write_bytes(b"")
    old_backup.chmod(0o644)
    engine = create_database_engine(f"sqlite:///{database}")
    assert _mode(database) == 0o600
    upgrade_to_latest(engine)
    backup(engine, old_backup)
    assert _mode(old_backup) == 0o600
    engine.dispose()
