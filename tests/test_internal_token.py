"""The shared secret between the web app, the engine and the action server: who sends it,
who asks for it, and that every way of starting the stack hands it to every process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from pydantic import ValidationError
from sanic import Sanic

import engine.internal_auth as engine_side
from assistant import internal_auth as app_side
from assistant.action_server import build_app
from assistant.action_server import main as action_server_main
from assistant.devstack.bench import _run_all
from assistant.devstack.layout import ProjectLayout
from assistant.devstack.model import record_model_hash
from assistant.devstack.processes import Stack, StackConfig, StackError
from assistant.devstack.scale import ScaleConfig, ScaleStack, TrackerDatabase
from assistant.engine_client import REFUSED_TOKEN, EngineClient, EngineUnavailableError
from assistant.settings import PROJECT_ROOT, Settings

TOKEN = "t" * 43
VARIABLE = "ASSISTANT_INTERNAL_TOKEN"
HEADER = "X-Assistant-Internal"


# --- The rule, on both sides ------------------------------------------------------------------


def test_the_engine_and_the_app_agree_on_the_header_and_the_variable() -> None:
    assert engine_side.HEADER == app_side.HEADER == HEADER
    assert engine_side.ENVIRONMENT_VARIABLE == app_side.ENVIRONMENT_VARIABLE == VARIABLE
    assert engine_side.MINIMUM_LENGTH == app_side.MINIMUM_LENGTH


@pytest.mark.parametrize(
    ("presented", "matches"),
    [
        (None, False),
        ("", False),
        ("t" * 42, False),  # a prefix
        ("t" * 44, False),
        ("u" + "t" * 42, False),
        ("ť" * 43, False),  # not ASCII: a mismatch, not an error
        (TOKEN, True),
    ],
)
def test_only_the_exact_secret_matches(presented: str | None, matches: bool) -> None:
    assert engine_side.token_matches(presented, TOKEN) is matches
    assert app_side.token_matches(presented, TOKEN) is matches


def test_an_empty_expected_secret_matches_nothing() -> None:
    assert not engine_side.token_matches("", "")
    assert not app_side.token_matches("", "")


@pytest.mark.parametrize("environ", [{}, {VARIABLE: ""}, {VARIABLE: "short"}, {VARIABLE: " " * 40}])
def test_a_missing_or_short_secret_stops_the_process_that_checks_it(
    environ: dict[str, str],
) -> None:
    with pytest.raises(engine_side.InternalTokenMissingError, match=VARIABLE):
        engine_side.required_token(environ)
    with pytest.raises(app_side.InternalTokenMissingError, match=VARIABLE):
        app_side.required_token(environ)
    assert engine_side.required_token({VARIABLE: TOKEN}) == TOKEN
    assert app_side.required_token({VARIABLE: TOKEN}) == TOKEN


def test_a_new_secret_is_long_and_never_the_same() -> None:
    made = {app_side.new_internal_token() for _ in range(20)}
    assert len(made) == 20
    assert all(len(t) >= app_side.MINIMUM_LENGTH for t in made)


# --- The action server ------------------------------------------------------------------------


@asynccontextmanager
async def _served(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The Sanic app in this process, over ASGI, started and stopped as a server would be."""
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, outbox.put)
    )
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://actions") as client:
            yield client
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await lifespan


@pytest.fixture(scope="module")
def action_server() -> Iterator[Any]:
    Sanic.test_mode = True  # rasa-sdk names every app "rasa_sdk": allow it once more here
    yield build_app("actions", TOKEN)


def _call_action_server(app: Any, method: str, path: str, headers: dict[str, str]) -> Any:
    async def call() -> httpx.Response:
        async with _served(app) as client:
            return await client.request(method, path, headers=headers)

    return asyncio.run(call())


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/webhook"), ("GET", "/actions"), ("OPTIONS", "/webhook")]
)
@pytest.mark.parametrize("headers", [{}, {HEADER: "a-guess"}, {HEADER: TOKEN[:-1]}])
def test_the_action_server_refuses_a_call_without_the_secret(
    action_server: Any,
    method: str,
    path: str,
    headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    extra = {"Origin": "http://elsewhere", "Access-Control-Request-Method": "POST"}
    response = _call_action_server(action_server, method, path, {**headers, **extra})
    assert response.status_code == 403
    assert response.content == b""  # nothing said about why
    assert "access-control-allow-origin" not in response.headers
    [event] = [r.getMessage() for r in caplog.records if r.name == "assistant.security"]
    assert '"event": "internal_token_refused"' in event
    assert all(value not in event for value in headers.values())  # what was tried is not kept


def test_the_action_server_runs_actions_for_the_holder_of_the_secret(action_server: Any) -> None:
    listed = _call_action_server(action_server, "GET", "/actions", {HEADER: TOKEN})
    assert listed.status_code == 200
    assert "action_set_reminders" in {a["name"] for a in listed.json()}
    unknown = {
        "next_action": "action_nobody_wrote",
        "tracker": {"sender_id": "c1", "slots": {}, "latest_message": {}, "events": []},
        "domain": {},
        "version": "3.6.21",
    }

    async def call() -> httpx.Response:
        async with _served(action_server) as client:
            return await client.post("/webhook", json=unknown, headers={HEADER: TOKEN})

    ran = asyncio.run(call())
    assert ran.status_code == 404  # rasa-sdk's own answer: the call got past the guard
    assert ran.json()["action_name"] == "action_nobody_wrote"


def test_the_health_probe_needs_no_secret(action_server: Any) -> None:
    response = _call_action_server(action_server, "GET", "/health", {})
    assert response.status_code == 200


def test_the_action_server_does_not_start_without_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    with pytest.raises(app_side.InternalTokenMissingError):
        action_server_main(["--actions", "actions", "--port", "1"])


# --- The web app's side -----------------------------------------------------------------------

WEBHOOK = "http://engine/webhooks/assistant/webhook"
STATUS = "http://engine/webhooks/assistant/status"


def _engine_client(seen: list[httpx.Request], status: int = 200, token: str = TOKEN) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if status != 200:
            return httpx.Response(status)
        if request.url.path.endswith("/status"):
            return httpx.Response(200, json={"model_loaded": True, "model_file": "m.tar.gz"})
        return httpx.Response(200, json=[{"text": "Hello."}])

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return EngineClient(http, WEBHOOK, STATUS, internal_token=token)


def test_the_web_app_sends_the_secret_with_every_turn_and_readiness_check() -> None:
    seen: list[httpx.Request] = []
    client = _engine_client(seen)
    asyncio.run(client.send("c1", "hi", {}))
    asyncio.run(client.status())
    assert [r.headers.get(HEADER) for r in seen] == [TOKEN, TOKEN]


def test_the_secret_comes_from_the_settings() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = EngineClient.from_settings(http, Settings(internal_token=TOKEN))
    asyncio.run(client.send("c1", "hi", {}))
    assert seen[0].headers[HEADER] == TOKEN


def test_an_engine_that_refuses_the_secret_is_reported_plainly() -> None:
    client = _engine_client([], status=403)
    with pytest.raises(EngineUnavailableError, match=VARIABLE):
        asyncio.run(client.send("c1", "hi", {}))
    status = asyncio.run(client.status())
    assert not status.model_loaded
    assert status.detail == REFUSED_TOKEN


def test_production_requires_a_real_secret() -> None:
    production = {
        "environment": "production",
        "secret_key": "x" * 40,
        "api_tokens": [{"name": "svc", "sha256": "0" * 64}],
    }
    for placeholder in ("", "change-me", "short"):
        with pytest.raises(ValidationError, match=VARIABLE):
            Settings(**production, internal_token=placeholder)
    Settings(**production, internal_token=TOKEN)


# --- Every way of starting the stack ----------------------------------------------------------


class _Spawned(Exception):
    pass


def _capturing(stack: Stack) -> dict[str, tuple[list[str], dict[str, str]]]:
    spawned: dict[str, tuple[list[str], dict[str, str]]] = {}

    def fake_spawn(name: str, command: list[str], env: dict[str, str]) -> Any:
        spawned[name] = (command, env)
        raise _Spawned(name)

    stack._spawn = fake_spawn  # type: ignore[method-assign]
    return spawned


def _trusted_model(tmp_path: Path) -> Path:
    model = tmp_path / "models" / "model-0123456789abcdef.tar.gz"
    model.parent.mkdir(parents=True, exist_ok=True)
    model.write_bytes(b"not really a model")
    record_model_hash(model)
    return model


def _started_children(stack: Stack) -> dict[str, tuple[list[str], dict[str, str]]]:
    spawned = _capturing(stack)
    for start in (stack._start_actions, stack._start_engine, stack._start_web):
        with pytest.raises(_Spawned):
            start()
    return spawned


def _stack(tmp_path: Path, **config: Any) -> Stack:
    return Stack(
        StackConfig(model=_trusted_model(tmp_path), log_dir=tmp_path / "logs", **config),
        ProjectLayout(root=tmp_path),
        say=lambda line: None,
    )


def test_the_stack_makes_a_secret_when_none_is_set_and_gives_it_to_every_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    stack = _stack(tmp_path)
    children = _started_children(stack)
    assert set(children) == {"actions", "engine", "web"}
    tokens = {env.get(VARIABLE) for _, env in children.values()}
    assert tokens == {stack.internal_token}
    assert len(stack.internal_token) >= app_side.MINIMUM_LENGTH
    assert VARIABLE not in os.environ  # in the children's environments, not this process's
    assert _stack(tmp_path).internal_token != stack.internal_token  # a new one each run


def test_the_action_server_is_started_behind_the_guard(tmp_path: Path) -> None:
    command, env = _started_children(_stack(tmp_path))["actions"]
    assert command[1:4] == ["-m", "assistant.action_server", "--actions"]
    assert env["SANIC_HOST"] == "127.0.0.1"


def test_a_secret_set_for_the_run_is_the_one_every_child_gets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(VARIABLE, TOKEN)
    stack = _stack(tmp_path)
    assert {env[VARIABLE] for _, env in _started_children(stack).values()} == {TOKEN}
    given = "g" * 40
    assert _stack(tmp_path, internal_token=given).internal_token == given


def test_a_secret_too_short_stops_the_run_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(VARIABLE, "short")
    with pytest.raises(StackError, match=VARIABLE):
        _stack(tmp_path)


def test_a_restarted_child_gets_the_same_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    stack = _stack(tmp_path)
    spawned = _capturing(stack)
    for name in ("engine", "actions"):
        with pytest.raises(_Spawned):
            stack.restart(name)
        assert spawned[name][1][VARIABLE] == stack.internal_token


def test_the_scale_out_profile_gives_the_secret_to_every_engine_action_server_and_web_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    stack = ScaleStack(
        ScaleConfig(
            model=_trusted_model(tmp_path),
            workdir=tmp_path / "scale",
            tracker=TrackerDatabase("127.0.0.1", 5432, "rasa", "rasa"),
            app_database_url="sqlite://",
        ),
        ProjectLayout(root=tmp_path),
        say=lambda line: None,
    )
    spawned = _capturing(stack)
    for start in (stack._start_action_servers, stack._start_engines, stack._start_web_apps):
        with pytest.raises(_Spawned):
            start()
    assert {name for name in spawned} == {"actions-0", "engine-0", "web-0"}
    assert {env[VARIABLE] for _, env in spawned.values()} == {stack.internal_token}
    assert spawned["actions-0"][0][1:3] == ["-m", "assistant.action_server"]


def test_the_bench_measures_the_engine_only_with_the_secret() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    original = httpx.AsyncClient

    def client(**kwargs: Any) -> httpx.AsyncClient:
        return original(transport=httpx.MockTransport(handler), **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx, "AsyncClient", client)
        without = asyncio.run(_run_all("http://web", "http://engine", 1))
        engine_calls = [r for r in seen if r.url.host == "engine"]
        assert engine_calls == []
        assert "Rasa REST channel" not in {m.target for m in without}
        with_secret = asyncio.run(_run_all("http://web", "http://engine", 1, TOKEN))
    assert "Rasa REST channel" in {m.target for m in with_secret}
    engine_calls = [r for r in seen if r.url.host == "engine"]
    assert engine_calls and all(r.headers[HEADER] == TOKEN for r in engine_calls)


# --- The engine's configuration and the deployment --------------------------------------------

K8S = PROJECT_ROOT / "deploy" / "k8s"


@pytest.mark.parametrize("path", ["endpoints.yml", "deploy/scale/endpoints.yml"])
def test_the_engine_sends_the_secret_from_its_environment_to_the_action_server(path: str) -> None:
    endpoints = yaml.safe_load((PROJECT_ROOT / path).read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"]["headers"] == {HEADER: "${ASSISTANT_INTERNAL_TOKEN}"}


def _k8s(kind: str, name: str) -> dict[str, Any]:
    for path in K8S.glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc and doc["kind"] == kind and doc["metadata"]["name"] == name:
                return dict(doc)
    raise LookupError(name)


def test_the_deployment_gives_every_process_the_secret_from_the_secret_store() -> None:
    secret = _k8s("Secret", "assistant-secrets")["stringData"]
    assert VARIABLE in secret
    [engine] = _k8s("StatefulSet", "engine")["spec"]["template"]["spec"]["containers"]
    [from_secret] = [e for e in engine["env"] if e["name"] == VARIABLE]
    assert from_secret["valueFrom"]["secretKeyRef"] == {
        "name": "assistant-secrets",
        "key": VARIABLE,
    }
    for name in ("web", "actions"):  # every key of the Secret
        [container] = _k8s("Deployment", name)["spec"]["template"]["spec"]["containers"]
        assert {"secretRef": {"name": "assistant-secrets"}} in container["envFrom"]
    [actions] = _k8s("Deployment", "actions")["spec"]["template"]["spec"]["containers"]
    assert actions["command"][:3] == ["python", "-m", "assistant.action_server"]
    production = {
        "environment": "production",
        "secret_key": "x" * 40,
        "api_tokens": [{"name": "svc", "sha256": "0" * 64}],
    }
    with pytest.raises(ValidationError, match=VARIABLE):
        Settings(**production, internal_token=secret[VARIABLE])  # the placeholder


# --- The engine's channel, in the engine's environment ----------------------------------------

CHANNEL_SCRIPT = """
import asyncio, json, os
from types import SimpleNamespace
from sanic.compat import Header
from engine.channels import AssistantRestInput
from engine.internal_auth import InternalTokenMissingError

token = os.environ.pop("ASSISTANT_INTERNAL_TOKEN")
results = {}
try:
    AssistantRestInput.from_credentials(None)
    results["starts_without_token"] = True
except InternalTokenMissingError:
    results["starts_without_token"] = False
os.environ["ASSISTANT_INTERNAL_TOKEN"] = token
channel = AssistantRestInput.from_credentials(None)
handled = []

async def on_new_message(message):
    handled.append(message.text)

blueprint = channel.blueprint(on_new_message)
routes = {route.uri: route.handler for route in blueprint._future_routes}

def request(path, headers):
    return SimpleNamespace(
        headers=Header(headers), method="POST", path=path, json={"sender": "c1", "message": "hi"},
        app=SimpleNamespace(ctx=SimpleNamespace(agent=None)),
    )

async def call(uri, headers):
    answer = await routes[uri](request("/webhooks/assistant" + uri, headers))
    return [answer.status, answer.body.decode()]

for name, headers in [("none", {}), ("wrong", {"X-Assistant-Internal": "nope"}),
                      ("right", {"X-Assistant-Internal": token})]:
    results["webhook_" + name] = asyncio.run(call("/webhook", headers))
    results["status_" + name] = asyncio.run(call("/status", headers))[0]
results["handled"] = handled
print("RESULT " + json.dumps(results))
"""


def _engine_python() -> Path | None:
    """The engine's environment: this checkout's, or the one ENGINE_PYTHON names (a worktree
    shares the main checkout's)."""
    named = os.environ.get("ENGINE_PYTHON")
    candidate = Path(named) if named else ProjectLayout().engine_python
    return candidate if candidate.exists() else None


def test_the_engine_channel_refuses_a_turn_without_the_secret() -> None:
    python = _engine_python()
    if python is None:
        pytest.skip("no engine environment (make install, or ENGINE_PYTHON=.../python)")
    environ = {**os.environ, VARIABLE: TOKEN, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        [str(python), "-c", CHANNEL_SCRIPT],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    [line] = [x for x in result.stdout.splitlines() if x.startswith("RESULT ")] or [
        pytest.fail(result.stdout + result.stderr)
    ]
    found = json.loads(line.removeprefix("RESULT "))
    assert found["starts_without_token"] is False
    assert found["webhook_none"] == [403, ""]
    assert found["webhook_wrong"] == [403, ""]
    assert found["webhook_right"][0] == 200
    assert found["handled"] == ["hi"]  # only the turn with the secret reached Rasa
    assert found["status_none"] != 403  # a probe sends no secret
    assert found["status_wrong"] == 403
    assert found["status_right"] != 403
