"""The scale-out profile on loopback: Redis, action servers, Rasa engines, web apps and nginx.

PostgreSQL is given (the tracker store and the app store live there; `make test-scale`
starts a throwaway server). Everything else is started here, on free ports, with its files
in one work folder:

    nginx (round robin) ─► web app 0 ─┐  each web app routes a conversation to its engine
                        └► web app 1 ─┴► engine 0, engine 1 (rendezvous hashing, failover)
                                          │ tracker store: PostgreSQL, lock store: Redis
                                          └► action server 0, action server 1

Each engine has its own action server (the deploy/k8s/ manifests share one Service instead).
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import shutil
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from assistant.devstack.layout import ProjectLayout
from assistant.devstack.model import engine_environment, verify_model
from assistant.devstack.processes import (
    LOOPBACK,
    Stack,
    StackConfig,
    StackError,
    _Child,
    _http_ok,
    action_server_command,
    free_port,
    web_command,
)
from assistant.internal_auth import ENVIRONMENT_VARIABLE as INTERNAL_TOKEN_VARIABLE

SCALE_ENDPOINTS = Path("deploy") / "scale" / "endpoints.yml"
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")


@dataclass(frozen=True)
class TrackerDatabase:
    """The PostgreSQL database every engine's tracker store writes to."""

    host: str
    port: int
    name: str
    user: str
    password: str = ""

    @property
    def url(self) -> str:
        """For the app environment (psycopg 3): reading events, purging old conversations."""
        auth = f"{self.user}:{self.password}" if self.password else self.user
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.name}"


@dataclass(frozen=True)
class ScaleConfig:
    model: Path
    workdir: Path
    tracker: TrackerDatabase
    app_database_url: str
    engines: int = 2
    web_apps: int = 2
    # How long a lock ticket lives (Rasa's TICKET_LOCK_LIFETIME) must exceed how long a web app
    # waits for a turn (deploy/scale/endpoints.yml says why). Both are shorter here than by
    # default (60 and 30 s) because the tickets a killed engine held keep its conversations
    # waiting on the engine that takes them over until they expire.
    lock_lifetime_seconds: int = 20
    engine_timeout_seconds: float = 15.0
    engine_down_seconds: float = 5.0
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.lock_lifetime_seconds <= self.engine_timeout_seconds + 2:
            raise ValueError(
                "the engines' lock lifetime must exceed the web apps' engine timeout (by a "
                f"margin): {self.lock_lifetime_seconds} <= {self.engine_timeout_seconds} + 2"
            )


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return next((c for c in NGINX_CANDIDATES if Path(c).is_file()), None)


def find_redis_server() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
    )


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def nginx_conf(workdir: Path, port: int, web_ports: list[int], user: str | None) -> str:
    """Round robin over the web apps. A POST that reached a web app is never sent to another
    (nginx's default: proxy_next_upstream without non_idempotent), only one that could not
    be connected; the web apps route to engines, so any web app may take any turn."""
    servers = "\n".join(
        f"    server {LOOPBACK}:{p} max_fails=1 fail_timeout=5s;" for p in web_ports
    )
    temp = "\n".join(
        f"  {kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user_line = f"user {user};\n" if user else ""
    return f"""{user_line}worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
{temp}
  upstream web_apps {{
{servers}
    keepalive 32;
  }}
  server {{
    listen {LOOPBACK}:{port};
    client_max_body_size 64k;
    location / {{
      proxy_pass http://web_apps;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout;
    }}
  }}
}}
"""


class ScaleStack(Stack):
    """Starts the profile's processes in order, and stops them all (Stack.stop) on any error."""

    def __init__(
        self,
        config: ScaleConfig,
        layout: ProjectLayout | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        super().__init__(
            StackConfig(
                model=config.model,
                database_url=config.app_database_url,
                log_dir=config.workdir / "logs",
                extra_env=dict(config.extra_env),
            ),
            layout,
            say,
        )
        self.scale = config
        self.redis_port = free_port()
        self.actions_ports = [free_port() for _ in range(config.engines)]
        self.engine_ports = [free_port() for _ in range(config.engines)]
        self.web_ports = [free_port() for _ in range(config.web_apps)]
        self.proxy_port = free_port()
        self.engines: list[_Child] = []
        self.web_apps: list[_Child] = []

    @property
    def proxy_url(self) -> str:
        return f"http://{LOOPBACK}:{self.proxy_port}"

    @property
    def engine_urls(self) -> list[str]:
        return [f"http://{LOOPBACK}:{p}" for p in self.engine_ports]

    def start(self) -> None:
        nginx, redis = find_nginx(), find_redis_server()
        missing = [name for name, path in (("nginx", nginx), ("redis-server", redis)) if not path]
        if missing:
            raise StackError(
                f"{' and '.join(missing)} not found: run `make system-packages` "
                "(scripts/install-system-packages.sh) first"
            )
        assert nginx is not None and redis is not None
        verify_model(self.scale.model)
        try:
            self._start_redis(redis)
            self._start_action_servers()
            self._start_engines()
            self._start_web_apps()
            self._start_nginx(nginx)
        except BaseException:
            self.stop()
            raise

    def _start_redis(self, binary: str) -> None:
        self.say(f"Starting Redis (the engines' lock store) on port {self.redis_port} ...")
        folder = self.scale.workdir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        command = [binary, "--port", str(self.redis_port), "--bind", LOOPBACK]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(folder)]
        child = self._spawn("redis", command, dict(os.environ))
        self._wait_until(child, lambda: _redis_answers(self.redis_port), timeout=30)

    def _start_action_servers(self) -> None:
        children = []
        for index, port in enumerate(self.actions_ports):
            self.say(f"Starting action server {index} on port {port} ...")
            env = self._app_environment()
            env["SANIC_HOST"] = LOOPBACK
            command = action_server_command(self.layout.app_python, port)
            children.append(self._spawn(f"actions-{index}", command, env))
        for child, port in zip(children, self.actions_ports, strict=True):
            url = f"http://{LOOPBACK}:{port}/health"
            self._wait_until(child, partial(_http_ok, url), timeout=120)

    def engine_env(self, actions_port: int) -> dict[str, str]:
        tracker = self.scale.tracker
        env = engine_environment()
        env.update(
            ASSISTANT_ACTION_ENDPOINT_URL=f"http://{LOOPBACK}:{actions_port}/webhook",
            ASSISTANT_TRACKER_DB_HOST=tracker.host,
            ASSISTANT_TRACKER_DB_PORT=str(tracker.port),
            ASSISTANT_TRACKER_DB_NAME=tracker.name,
            ASSISTANT_TRACKER_DB_USER=tracker.user,
            ASSISTANT_TRACKER_DB_PASSWORD=tracker.password,
            ASSISTANT_REDIS_HOST=LOOPBACK,
            ASSISTANT_REDIS_PORT=str(self.redis_port),
            ASSISTANT_REDIS_DB="1",
            ASSISTANT_REDIS_PASSWORD="",
            TICKET_LOCK_LIFETIME=str(self.scale.lock_lifetime_seconds),
        )
        env[INTERNAL_TOKEN_VARIABLE] = self.internal_token
        return env

    def _start_engines(self) -> None:
        # Started together (Rasa retries its tables' creation when another engine races it),
        # so the model loads in both at once.
        self.say(f"Starting {self.scale.engines} Rasa engines (loading the model) ...")
        for index, (port, actions_port) in enumerate(
            zip(self.engine_ports, self.actions_ports, strict=True)
        ):
            command = [str(self.layout.engine_rasa), "run", "--model", str(self.scale.model)]
            command += ["--endpoints", str(SCALE_ENDPOINTS), "--credentials", "credentials.yml"]
            command += ["--interface", LOOPBACK, "--port", str(port)]
            self.engines.append(
                self._spawn(f"engine-{index}", command, self.engine_env(actions_port))
            )
        for child, url in zip(self.engines, self.engine_urls, strict=True):
            status = f"{url}/webhooks/assistant/status"
            self._wait_until(child, partial(_http_ok, status), timeout=300)
            self._refuse_in_memory_fallback(child)

    @staticmethod
    def _refuse_in_memory_fallback(child: _Child) -> None:
        """Rasa falls back to an in-memory tracker store when its SQL store fails: in this
        profile that would lose conversations silently, so it is an error here."""
        log = child.log_path.read_text(encoding="utf-8", errors="replace")
        if "InMemoryTrackerStore" in log:
            raise StackError(
                f"{child.name} is not using the PostgreSQL tracker store:\n{child.tail()}"
            )

    def _start_web_apps(self) -> None:
        for index, port in enumerate(self.web_ports):
            self.say(f"Starting web app {index} on port {port} ...")
            env = self._app_environment()
            env.update(
                ASSISTANT_ENGINE_URLS=json.dumps(self.engine_urls),
                ASSISTANT_ENGINE_DOWN_SECONDS=str(self.scale.engine_down_seconds),
                ASSISTANT_ENGINE_TIMEOUT_SECONDS=str(self.scale.engine_timeout_seconds),
                ASSISTANT_TRACKER_STORE_URL=self.scale.tracker.url,
            )
            # Every web app alike, as replicas are: each delivers reminders (each reminder is
            # claimed in the database before it is sent, so it is said once).
            command = web_command(self.layout.app_python, port)
            child = self._spawn(f"web-{index}", command, env)
            self.web_apps.append(child)
            # One at a time: the first migrates the app database, the others find it migrated.
            self._wait_until(
                child, partial(_http_ok, f"http://{LOOPBACK}:{port}/readyz"), timeout=120
            )

    def _start_nginx(self, binary: str) -> None:
        self.say(f"Starting nginx on {self.proxy_url} (round robin over the web apps) ...")
        folder = self.scale.workdir / "nginx"
        folder.mkdir(parents=True, exist_ok=True)
        user = None
        if os.geteuid() == 0:
            # As root nginx's workers drop to an unprivileged user, who must own the temp paths.
            nobody = pwd.getpwnam("nobody")
            user = f"nobody {grp.getgrgid(nobody.pw_gid).gr_name}"
            os.chown(folder, nobody.pw_uid, nobody.pw_gid)
        conf = folder / "nginx.conf"
        conf.write_text(nginx_conf(folder, self.proxy_port, self.web_ports, user), encoding="utf-8")
        command = [binary, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]
        child = self._spawn("nginx", [*command, "-g", "daemon off;"], dict(os.environ))
        self._wait_until(child, lambda: _http_ok(f"{self.proxy_url}/healthz"), timeout=30)

    def kill_engine(self, index: int) -> None:
        """SIGKILL: no clean shutdown, requests in flight are cut off mid-turn."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.engines[index].process.pid, signal.SIGKILL)
        self.engines[index].process.wait()
