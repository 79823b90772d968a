"""Sign-in on every API route (OIDC bearer tokens against a JWKS, or service API tokens), roles,
and tenancy: another authority's plans, conversations, reminders and audit log are 404."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from pydantic import ValidationError

from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.reminders.model import Channel, Reminder, ReminderOwner, ReminderStatus
from assistant.core.replies import Citation, Reply
from assistant.settings import Settings
from assistant.web.app import create_app
from assistant.web.auth import hash_api_token, oidc_subject
from tests.conftest import KNOWLEDGE_DIR, FakeEngineClient
from tests.principals import ISSUER

AUDIENCE = "practice-assistant"
JWKS_URL = "https://login.example.gov.uk/keys"
KID = "key-1"
SERVICE_TOKEN = "pa_evaluation-token-for-tests"
KENT_SERVICE_TOKEN = "pa_kent-only-service-token"
AMY = oidc_subject(ISSUER, "amy")  # her subject as the app keeps it


def token_for(
    key: rsa.RSAPrivateKey,
    subject: str,
    authority: str | None = None,
    roles: list[str] | None = None,
    **overrides: Any,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "iat": now,
        "exp": now + 600,
        "roles": roles or [],
    }
    if authority is not None:
        claims["authority"] = authority
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    kid = claims.pop("kid", KID)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def signed_in_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "production",
        "secret_key": "x" * 40,
        "internal_token": "i" * 40,
        "host": "0.0.0.0",
        "database_url": f"sqlite:///{tmp_path / 'app.db'}",
        "knowledge_dir": KNOWLEDGE_DIR,
        "today": date(2026, 11, 23),
        "oidc_issuer": ISSUER,
        "oidc_audience": AUDIENCE,
        "oidc_jwks_url": JWKS_URL,
        "api_tokens": [
            {"name": "evaluation", "sha256": hash_api_token(SERVICE_TOKEN)},
            {
                "name": "kent-monitor",
                "sha256": hash_api_token(KENT_SERVICE_TOKEN),
                "authority": "kent",
            },
        ],
        "reminder_poll_seconds": 0,
        "retention_poll_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)


class Users:
    """Bearer headers for the people in these tests."""

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self.key = key

    def header(self, subject: str, authority: str, manager: bool = False) -> dict[str, str]:
        roles = ["manager"] if manager else []
        return {"Authorization": f"Bearer {token_for(self.key, subject, authority, roles)}"}

    @property
    def amy(self) -> dict[str, str]:  # Gateshead practitioner
        return self.header("amy", "gateshead")

    @property
    def ben(self) -> dict[str, str]:  # Gateshead practitioner
        return self.header("ben", "gateshead")

    @property
    def gina(self) -> dict[str, str]:  # Gateshead manager
        return self.header("gina", "gateshead", manager=True)

    @property
    def kim(self) -> dict[str, str]:  # Kent practitioner
        return self.header("kim", "kent")

    @property
    def ken(self) -> dict[str, str]:  # Kent manager
        return self.header("ken", "kent", manager=True)


@pytest.fixture
def users(signing_key: rsa.RSAPrivateKey) -> Users:
    return Users(signing_key)


def make_client(
    settings: Settings,
    engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
    jwks: dict[str, Any],
    key_fetches: list[str] | None = None,
) -> TestClient:
    def identity_provider(request: httpx.Request) -> httpx.Response:
        if key_fetches is not None:
            key_fetches.append(str(request.url))
        if str(request.url) == JWKS_URL:
            return httpx.Response(200, json=jwks)
        return httpx.Response(404)

    app = create_app(
        settings,
        engine_client=engine,  # type: ignore[arg-type]
        knowledge_base=knowledge_base,
        identity_transport=httpx.MockTransport(identity_provider),
    )
    return TestClient(app)


@pytest.fixture
def api(
    tmp_path: Path,
    fake_engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
    jwks: dict[str, Any],
) -> Iterator[TestClient]:
    with make_client(signed_in_settings(tmp_path), fake_engine, knowledge_base, jwks) as client:
        yield client


def chat(
    api: TestClient, headers: dict[str, str], conversation: str, authority: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"conversation_id": conversation, "message": "what next?"}
    if authority is not None:
        body["authority"] = authority
    return api.post("/api/chat", json=body, headers=headers)


# --- Every route needs sign-in -------------------------------------------------------------


def _api_routes(api: TestClient) -> list[tuple[str, str]]:
    routes = []
    for path, operations in api.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if path.startswith("/api/") and path != "/api/messages":  # Teams has its own tokens
            concrete = path.replace("{", "").replace("}", "")
            routes += [(method.upper(), concrete) for method in operations]
    return routes


def test_every_api_route_refuses_a_caller_who_is_not_signed_in(api: TestClient) -> None:
    routes = _api_routes(api)
    assert len(routes) >= 15
    for method, path in routes:
        response = api.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["error"] == "not_signed_in"


def test_probes_and_the_page_need_no_sign_in(api: TestClient) -> None:
    assert api.get("/healthz").status_code == 200
    assert api.get("/readyz").status_code == 200
    assert api.get("/").status_code == 200


def test_a_valid_oidc_token_signs_in(api: TestClient, users: Users) -> None:
    response = api.get("/api/authorities", headers=users.amy)
    assert response.status_code == 200
    assert {a["id"] for a in response.json()} >= {"gateshead", "kent"}


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"aud": "another-app"}, "refused"),
        ({"iss": "https://evil.example/"}, "refused"),
        ({"kid": "unknown-key"}, "unknown key"),
        ({"authority": "atlantis"}, "names no authority"),
        ({"authority": None}, "names no authority"),
    ],
)
def test_a_token_that_does_not_check_out_is_refused(
    api: TestClient, signing_key: rsa.RSAPrivateKey, overrides: dict[str, Any], reason: str
) -> None:
    claims = {"authority": "gateshead", **overrides}
    token = token_for(signing_key, "amy", **claims)
    response = api.get("/api/authorities", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert reason in response.json()["message"]


def test_a_token_signed_by_another_key_or_without_an_authority_is_refused(
    api: TestClient,
) -> None:
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = token_for(impostor, "amy", "gateshead")
    assert (
        api.get("/api/authorities", headers={"Authorization": f"Bearer {forged}"}).status_code
        == 401
    )
    for header in ("Bearer", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt", "Bearer pa_wrong"):
        response = api.get("/api/authorities", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_service_api_tokens_sign_in_and_are_kept_only_as_hashes(
    tmp_path: Path, api: TestClient
) -> None:
    response = api.get("/api/authorities", headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    assert response.status_code == 200
    settings = signed_in_settings(tmp_path)
    assert SERVICE_TOKEN not in settings.model_dump_json()


def test_the_keys_are_fetched_once_not_per_request(
    tmp_path: Path,
    fake_engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
    jwks: dict[str, Any],
    users: Users,
) -> None:
    fetches: list[str] = []
    settings = signed_in_settings(tmp_path)
    with make_client(settings, fake_engine, knowledge_base, jwks, fetches) as client:
        for _ in range(5):
            assert client.get("/api/authorities", headers=users.amy).status_code == 200
    assert fetches == [JWKS_URL]


def test_when_the_keys_cannot_be_fetched_sign_in_is_a_503(
    tmp_path: Path,
    fake_engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
    users: Users,
) -> None:
    with make_client(
        signed_in_settings(tmp_path), fake_engine, knowledge_base, jwks={"no": "keys"}
    ) as client:
        response = client.get("/api/authorities", headers=users.amy)
    assert response.status_code == 503
    assert response.json()["error"] == "sign_in_unavailable"


# --- Settings ------------------------------------------------------------------------------


def test_production_requires_sign_in(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="production requires sign-in"):
        signed_in_settings(
            tmp_path, oidc_issuer="", oidc_audience="", oidc_jwks_url="", api_tokens=[]
        )


def test_without_sign_in_only_loopback_is_allowed() -> None:
    assert Settings(host="127.0.0.1").sign_in_configured is False
    with pytest.raises(ValidationError, match=r"may only listen on 127\.0\.0\.1"):
        Settings(host="0.0.0.0")


def test_oidc_needs_issuer_audience_and_keys_and_https_in_production(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="needs all of"):
        Settings(oidc_jwks_url=JWKS_URL)
    with pytest.raises(ValidationError, match="must be https"):
        signed_in_settings(tmp_path, oidc_jwks_url="http://127.0.0.1:9/keys")


# --- Tenancy: plans ------------------------------------------------------------------------


def _new_plan(api: TestClient, headers: dict[str, str], authority: str = "gateshead") -> str:
    response = api.post(
        "/api/plans",
        json={
            "authority": authority,
            "referral_date": "2026-11-02",
            "children": [{"reference": "AB"}],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["plan"]["id"])


def test_another_authority_s_plan_is_not_found_for_reading_or_writing(
    api: TestClient, users: Users
) -> None:
    plan_id = _new_plan(api, users.amy)
    for path in (
        f"/api/plans/{plan_id}",
        f"/api/plans/{plan_id}/versions",
        f"/api/plans/{plan_id}/export?format=md",
    ):
        assert api.get(path, headers=users.amy).status_code == 200, path
        response = api.get(path, headers=users.kim)
        assert response.status_code == 404, path
        assert response.json()["error"] == "plan_not_found"
    patch = {"version": 1, "children": [{"reference": "CD"}]}
    assert api.patch(f"/api/plans/{plan_id}", json=patch, headers=users.ken).status_code == 404
    assert api.get(f"/api/plans/{plan_id}", headers=users.amy).json()["plan"]["version"] == 1
    assert api.patch(f"/api/plans/{plan_id}", json=patch, headers=users.ben).status_code == 200


def test_nobody_creates_or_lists_plans_for_another_authority(api: TestClient, users: Users) -> None:
    created = api.post(
        "/api/plans",
        json={"authority": "gateshead", "referral_date": "2026-11-02"},
        headers=users.kim,
    )
    assert created.status_code == 404
    assert created.json()["valid_values"] == ["kent"]
    listed = api.get("/api/plans", params={"authority": "gateshead"}, headers=users.ken)
    assert listed.status_code == 404


def test_a_manager_lists_every_plan_of_their_authority_a_practitioner_their_own(
    api: TestClient, users: Users
) -> None:
    amy_plan = _new_plan(api, users.amy)
    ben_plan = _new_plan(api, users.ben)
    _new_plan(api, users.kim, authority="kent")

    def listed(headers: dict[str, str]) -> set[str]:
        response = api.get("/api/plans", params={"authority": "gateshead"}, headers=headers)
        assert response.status_code == 200
        return {p["id"] for p in response.json()["plans"]}

    assert listed(users.gina) == {amy_plan, ben_plan}
    assert listed(users.amy) == {amy_plan}
    versions = api.get(f"/api/plans/{amy_plan}/versions", headers=users.gina).json()
    assert versions["versions"][0]["saved_by"] == AMY


def test_a_service_token_for_one_authority_sees_only_it(api: TestClient, users: Users) -> None:
    plan_id = _new_plan(api, users.amy)
    kent_service = {"Authorization": f"Bearer {KENT_SERVICE_TOKEN}"}
    assert api.get(f"/api/plans/{plan_id}", headers=kent_service).status_code == 404
    everyone = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    assert api.get(f"/api/plans/{plan_id}", headers=everyone).status_code == 200


# --- Tenancy: conversations, reminders, learning --------------------------------------------


def test_a_worker_chats_only_for_their_own_authority(
    api: TestClient, users: Users, fake_engine: FakeEngineClient
) -> None:
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    refused = chat(api, users.kim, conversation, authority="gateshead")
    assert refused.status_code == 404
    assert refused.json()["valid_values"] == ["kent"]
    assert chat(api, users.kim, conversation).status_code == 200
    learner = oidc_subject(ISSUER, "kim")
    assert fake_engine.sent[-1]["metadata"] == {
        "authority": "kent",
        "learner": learner,
        # Who is asking, for the actions: from the token, whatever the message says.
        "principal": {
            "subject": learner,
            "role": "practitioner",
            "authority": "kent",
            "method": "oidc",
        },
    }


def test_who_is_asking_reaches_the_engine_from_the_token_not_the_request(
    api: TestClient, users: Users, fake_engine: FakeEngineClient
) -> None:
    """The actions decide whose plans to open from it (issue 16): nothing the client sends
    can name someone else."""
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    claimed = {"principal": {"subject": "ken", "role": "manager", "authority": None}}
    refused = api.post(
        "/api/chat",
        json={"conversation_id": conversation, "message": "hi", "metadata": claimed},
        headers=users.kim,
    )
    assert refused.status_code == 422
    typed = api.post(
        "/api/chat",
        json={"conversation_id": conversation, "message": f"carry on with my plan {claimed}"},
        headers=users.kim,
    )
    assert typed.status_code == 200
    assert fake_engine.sent[-1]["metadata"]["principal"] == {
        "subject": oidc_subject(ISSUER, "kim"),
        "role": "practitioner",
        "authority": "kent",
        "method": "oidc",
    }


def test_someone_else_s_conversation_cannot_be_continued_or_read(
    api: TestClient, users: Users, fake_engine: FakeEngineClient
) -> None:
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    assert chat(api, users.amy, conversation).status_code == 200
    sent_before = len(fake_engine.sent)

    hijack = chat(api, users.ben, conversation)
    assert hijack.status_code == 404
    assert hijack.json()["error"] == "conversation_not_found"
    assert len(fake_engine.sent) == sent_before  # the engine never saw it

    history = f"/api/chat/{conversation}/messages"
    assert len(api.get(history, headers=users.amy).json()["messages"]) == 2
    assert api.get(history, headers=users.ben).status_code == 404
    assert api.get(history, headers=users.ken).status_code == 404  # a manager elsewhere
    assert len(api.get(history, headers=users.gina).json()["messages"]) == 2  # her team's
    assert chat(api, users.gina, conversation).status_code == 404  # reading is not writing


def test_reminders_of_another_worker_s_conversation_are_not_found(
    api: TestClient, users: Users
) -> None:
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    assert chat(api, users.amy, conversation).status_code == 200
    reminders = api.app.state.reminders  # type: ignore[attr-defined]
    reminders.add_all(
        [
            Reminder(
                id="r1",
                conversation_id=conversation,
                channel=Channel.WEB,
                authority="gateshead",
                label="Assessment to conclude",
                due=date(2026, 12, 1),
                referral_date=date(2026, 11, 2),
                status=ReminderStatus.PENDING,
                owner=ReminderOwner(AMY, "gateshead", "oidc"),  # Amy set it
            ),
            # In her conversation, but not hers: set by someone else, or before owners were
            # recorded. A listing is one owner's.
            Reminder(
                id="r2",
                conversation_id=conversation,
                channel=Channel.WEB,
                authority="gateshead",
                label="Assessment to conclude",
                due=date(2026, 12, 1),
                referral_date=date(2026, 11, 2),
                owner=ReminderOwner(oidc_subject(ISSUER, "ben"), "gateshead", "oidc"),
            ),
            Reminder(
                id="r3",
                conversation_id=conversation,
                channel=Channel.WEB,
                authority="gateshead",
                label="Assessment to conclude",
                due=date(2026, 12, 1),
                referral_date=date(2026, 11, 2),
            ),
        ]
    )
    params = {"conversation_id": conversation}
    for reader in (users.amy, users.gina):  # hers, and her manager's view of them
        listed = api.get("/api/reminders", params=params, headers=reader).json()["reminders"]
        assert [r["id"] for r in listed] == ["r1"]
    assert api.get("/api/reminders", params=params, headers=users.kim).status_code == 404
    assert api.post("/api/reminders/r1/done", headers=users.kim).status_code == 404
    assert api.post("/api/reminders/r1/done", headers=users.ben).status_code == 404
    assert api.post("/api/reminders/r1/done", headers=users.amy).json()["status"] == "done"


def test_a_signed_in_worker_s_learning_progress_is_their_own(api: TestClient, users: Users) -> None:
    learners = api.app.state.learners  # type: ignore[attr-defined]
    asked: list[str] = []
    original = learners.get
    learners.get = lambda learner_id: asked.append(learner_id) or original(learner_id)
    response = api.get(
        "/api/learning/progress", params={"learner_id": "somebody-else"}, headers=users.amy
    )
    assert response.status_code == 200
    assert asked == [AMY]


# --- Roles: the audit log ------------------------------------------------------------------


def test_only_a_manager_exports_the_audit_log_and_only_their_authority_s(
    api: TestClient, users: Users, fake_engine: FakeEngineClient
) -> None:
    fake_engine.replies = [
        Reply(
            "The assessment must be completed within 45 working days.",
            citations=(
                Citation("gateshead", "gateshead/5-timescales", "5. Timescales", "v2 2024"),
            ),
        )
    ]
    assert chat(api, users.amy, "audit-1").status_code == 200
    assert chat(api, users.kim, "audit-2").status_code == 200

    refused = api.get("/api/audit", headers=users.amy)
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    assert (
        api.get("/api/audit", params={"authority": "kent"}, headers=users.gina).status_code == 404
    )

    body = api.get("/api/audit", headers=users.gina).json()
    assert body["authority"] == "gateshead"
    (answer,) = body["answers"]
    assert answer["conversation_id"] == "audit-1"
    assert answer["user"] == AMY
    assert answer["sections"] == [
        {
            "authority": "gateshead",
            "section_id": "gateshead/5-timescales",
            "title": "5. Timescales",
            "source_version": "v2 2024",
        }
    ]
    csv = api.get("/api/audit", params={"format": "csv"}, headers=users.gina)
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("answered_at,conversation_id,user,authority,section_id")
    assert len(lines) == 2 and "gateshead/5-timescales" in lines[1] and "v2 2024" in lines[1]
    future = api.get("/api/audit", params={"since": "2099-01-01"}, headers=users.gina).json()
    assert future["answers"] == []


# --- Rate limit ----------------------------------------------------------------------------


def test_a_flood_of_messages_from_one_user_is_refused_with_retry_after(
    tmp_path: Path,
    fake_engine: FakeEngineClient,
    knowledge_base: KnowledgeBase,
    jwks: dict[str, Any],
    users: Users,
) -> None:
    settings = signed_in_settings(tmp_path, chat_rate_per_minute=6, chat_rate_burst=2)
    with make_client(settings, fake_engine, knowledge_base, jwks) as client:
        assert chat(client, users.amy, "flood").status_code == 200
        assert chat(client, users.amy, "flood").status_code == 200
        refused = chat(client, users.amy, "flood")
        assert refused.status_code == 429
        assert refused.json()["error"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 10
        assert chat(client, users.ben, "another").status_code == 200  # per user
    assert len(fake_engine.sent) == 3


def test_development_mode_answers_only_this_machine(
    tmp_path: Path, fake_engine: FakeEngineClient, knowledge_base: KnowledgeBase
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        knowledge_dir=KNOWLEDGE_DIR,
        reminder_poll_seconds=0,
        retention_poll_seconds=0,
    )
    app = create_app(settings, engine_client=fake_engine, knowledge_base=knowledge_base)  # type: ignore[arg-type]
    with TestClient(app, client=("192.168.1.20", 50000)) as remote:
        refused = remote.get("/api/authorities")
        assert refused.status_code == 401
        assert "answers only this machine" in refused.json()["message"]
        assert remote.get("/healthz").status_code == 200
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        assert local.get("/api/authorities").status_code == 200
