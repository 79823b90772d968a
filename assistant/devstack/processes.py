"""Start the engine, the action server and the web app; wait until each is ready; stop all."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from assistant.devstack.layout import ProjectLayout
from assistant.devstack.model import engine_environment, verify_model
from assistant.internal_auth import (
    ENVIRONMENT_VARIABLE as INTERNAL_TOKEN_VARIABLE,
)
from assistant.internal_auth import (
    InternalTokenMissingError,
    new_internal_token,
    required_token,
)

LOOPBACK = "127.0.0.1"


class StackError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def port_in_use(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def web_command(python: Path, port: int, host: str = LOOPBACK) -> list[str]:
    """uvicorn serving the web app: no access log (URLs hold conversation ids) and no
    `server: uvicorn` header (it tells an attacker what to try)."""
    return [
        str(python),
        "-m",
        "uvicorn",
        "assistant.web.app:create_app",
        "--factory",
        "--host",
        host,
        "--port",
        str(port),
        "--no-access-log",
        "--no-server-header",
    ]


def action_server_command(python: Path, port: int) -> list[str]:
    """rasa-sdk's action server behind the shared secret (assistant/action_server.py)."""
    return [
        str(python),
        "-m",
        "assistant.action_server",
        "--actions",
        "actions",
        "--port",
        str(port),
    ]


def resolve_internal_token(given: str | None, environ: Mapping[str, str]) -> str:
    """The secret the stack's processes share: the one given, else ASSISTANT_INTERNAL_TOKEN
    of this environment, else a new one, made now and kept only in memory and in the
    children's environments (never in a file). StackError for one given that is too short."""
    token = given or environ.get(INTERNAL_TOKEN_VARIABLE, "")
    if not token:
        return new_internal_token()
    try:
        return required_token({INTERNAL_TOKEN_VARIABLE: token})
    except InternalTokenMissingError as error:
        raise StackError(str(error)) from None


@dataclass(frozen=True)
class StackConfig:
    """Ports and files of one running stack; tests make one with free ports and temp files."""

    model: Path
    web_port: int = 8000
    engine_port: int = 5005
    actions_port: int = 5055
    tracker_db: Path = ProjectLayout().var / "rasa" / "tracker.db"
    database_url: str | None = None
    log_dir: Path = ProjectLayout().logs
    extra_env: dict[str, str] = field(default_factory=dict)
    # The secret shared by the three processes; None: resolve_internal_token's choice.
    internal_token: str | None = None

    @property
    def web_url(self) -> str:
        return f"http://{LOOPBACK}:{self.web_port}"

    @property
    def engine_url(self) -> str:
        return f"http://{LOOPBACK}:{self.engine_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{LOOPBACK}:{self.actions_port}"


@dataclass
class _Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def _http_ok(url: str) -> bool:
    # urllib rather than httpx: a new httpx client builds an SSL context each time, which
    # costs noticeable CPU when polled four times a second while the engine loads.
    try:
        with urllib.request.urlopen(url, timeout=2.0) as response:
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


class Stack:
    """The three processes of the assistant, as a context manager that always cleans up."""

    def __init__(
        self,
        config: StackConfig,
        layout: ProjectLayout | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.config = config
        self.layout = layout or ProjectLayout()
        self.say = say
        # One secret for the stack's lifetime: a restarted child gets the same one.
        self.internal_token = resolve_internal_token(
            config.internal_token or config.extra_env.get(INTERNAL_TOKEN_VARIABLE), os.environ
        )
        self.children: list[_Child] = []
        # How to start each child again (assistant/devstack/supervise.py restarts them).
        self._starters: dict[str, Callable[[], None]] = {
            "actions": self._start_actions,
            "engine": self._start_engine,
            "web": self._start_web,
        }
        self._restarting = False

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> _Child:
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.config.log_dir / f"{name}.log"
        # A restarted child adds to its log: what it said before it died is kept.
        log_file = log_path.open("ab" if self._restarting else "wb")
        # A session of its own, so that stopping signals the child and everything it started.
        process = subprocess.Popen(
            command,
            cwd=self.layout.root,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        child = _Child(name, process, log_path, log_file)
        self.children.append(child)
        return child

    def _wait_until(self, child: _Child, ready: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if child.process.poll() is not None:
                raise StackError(
                    f"{child.name} exited with code {child.process.returncode} while starting. "
                    f"Last lines of {child.log_path}:\n{child.tail()}"
                )
            if ready():
                return
            time.sleep(0.25)
        raise StackError(f"{child.name} was not ready within {timeout:.0f} s; see {child.log_path}")

    def _app_environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.config.extra_env)
        env["ASSISTANT_ENGINE_URL"] = self.config.engine_url
        env[INTERNAL_TOKEN_VARIABLE] = self.internal_token
        # The web app purges old conversations from the engine's tracker store too.
        env.setdefault("ASSISTANT_TRACKER_STORE_URL", f"sqlite:///{self.config.tracker_db}")
        if self.config.database_url:
            env["ASSISTANT_DATABASE_URL"] = self.config.database_url
        return env

    def start(self) -> None:
        cfg = self.config
        for port in (cfg.web_port, cfg.engine_port, cfg.actions_port):
            if port_in_use(port):
                raise StackError(f"Port {port} on {LOOPBACK} is already in use by another program.")
        cfg.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._start_actions()
            self._start_engine()
            self._start_web()
        except BaseException:
            self.stop()
            raise

    def _start_actions(self) -> None:
        cfg = self.config
        self.say(f"Starting the action server on {cfg.actions_url} ...")
        env = self._app_environment()
        env["SANIC_HOST"] = LOOPBACK  # rasa-sdk binds 0.0.0.0 unless told otherwise
        child = self._spawn(
            "actions", action_server_command(self.layout.app_python, cfg.actions_port), env
        )
        self._wait_until(child, lambda: _http_ok(f"{cfg.actions_url}/health"), timeout=60)

    def _start_engine(self) -> None:
        cfg = self.config
        self.say(f"Starting the Rasa engine on {cfg.engine_url} (loading the model) ...")
        env = engine_environment()
        env.update(
            ASSISTANT_ACTION_ENDPOINT_URL=f"{cfg.actions_url}/webhook",
            ASSISTANT_TRACKER_DB=str(cfg.tracker_db),
        )
        env[INTERNAL_TOKEN_VARIABLE] = self.internal_token
        verify_model(cfg.model)  # only a model we trained: UntrustedModelError otherwise
        child = self._spawn(
            "engine",
            [
                str(self.layout.engine_rasa),
                "run",
                "--model",
                str(cfg.model),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--interface",
                LOOPBACK,
                "--port",
                str(cfg.engine_port),
            ],
            env,
        )
        status_url = f"{cfg.engine_url}/webhooks/assistant/status"
        self._wait_until(child, lambda: _http_ok(status_url), timeout=240)

    def _start_web(self) -> None:
        cfg = self.config
        self.say(f"Starting the web app on {cfg.web_url} ...")
        child = self._spawn(
            "web", web_command(self.layout.app_python, cfg.web_port), self._app_environment()
        )
        self._wait_until(child, lambda: _http_ok(f"{cfg.web_url}/readyz"), timeout=60)

    def dead_child(self) -> _Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    def dead_children(self) -> list[_Child]:
        return [c for c in self.children if c.process.poll() is not None]

    def restart(self, name: str) -> None:
        """Start the named child again (its dead process is let go first); StackError when it
        does not come up."""
        for child in [c for c in self.children if c.name == name]:
            if child.process.poll() is None:
                raise StackError(f"{name} is still running")
            child.log_file.close()
            self.children.remove(child)
        self._restarting = True
        try:
            self._starters[name]()
        finally:
            self._restarting = False

    def stop(self, grace_seconds: float = 10.0) -> None:
        """Stop in reverse order of starting: the web app first, the action server last."""
        for child in reversed(self.children):
            if child.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        for child in reversed(self.children):
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()
            child.log_file.close()
        self.children.clear()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
