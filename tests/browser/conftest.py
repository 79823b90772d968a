"""Browser tests of the chat page: the web app in-process on a free port with a scripted fake
engine (no Rasa), driven through Debian's chromium by Playwright (no browser download).

Chromium is `/usr/bin/chromium` (`apt-get install chromium`, `make system-packages`). Without
it these tests skip, unless ASSISTANT_REQUIRE_BROWSER=1 (as `make unit` and `make browser`
set), when they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Button, Reply
from assistant.engine_client import EngineStatus, EngineUnavailableError
from assistant.settings import PROJECT_ROOT, Settings
from assistant.web.app import create_app
from tests.conftest import KNOWLEDGE_DIR

CHROMIUM = Path(os.environ.get("ASSISTANT_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"


@dataclass
class ScriptedEngine:
    """Answers each message from a script (by the exact text or payload sent); anything else
    is echoed with a quick reply. `down` makes it fail like an engine that is not running."""

    script: dict[str, list[Reply]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False

    async def send(
        self, conversation_id: str, message: str, metadata: dict[str, Any]
    ) -> list[Reply]:
        if self.down:
            raise EngineUnavailableError("engine not reachable: ConnectError")
        self.sent.append(
            {"conversation_id": conversation_id, "message": message, "metadata": metadata}
        )
        if message in self.script:
            return self.script[message]
        return [Reply(f"You said: {message}", (Button("Tell me more", "/more"),))]

    async def status(self) -> EngineStatus:
        return EngineStatus(True, True, "scripted")


@dataclass
class LiveApp:
    url: str
    engine: ScriptedEngine

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)


def _require_browser() -> None:
    if CHROMIUM.exists() or shutil.which("chromium") is not None:
        return
    missing = f"Chromium is not installed ({CHROMIUM}); install it with `apt-get install chromium`"
    if os.environ.get("ASSISTANT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{missing}. ASSISTANT_REQUIRE_BROWSER=1: browser tests may not skip.")
    pytest.skip(missing)


@pytest.fixture(scope="module")
def live_app(
    knowledge_base: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApp]:
    """The web app served by uvicorn in a thread on a free port, for the module's tests."""
    _require_browser()
    engine = ScriptedEngine()
    settings = Settings(
        environment="test",
        secret_key="x" * 40,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('browser') / 'app.db'}",
        knowledge_dir=KNOWLEDGE_DIR,
        today=date(2026, 11, 23),
    )
    app = create_app(settings, engine_client=engine, knowledge_base=knowledge_base)  # type: ignore[arg-type]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    try:
        yield LiveApp(f"http://127.0.0.1:{port}", engine)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def app_under_test(live_app: LiveApp) -> LiveApp:
    """The live app with a fresh script for this test."""
    live_app.engine.script = {}
    live_app.engine.sent = []
    live_app.engine.down = False
    return live_app


# Module-scoped, not session-scoped: Playwright's sync API keeps an asyncio loop running in
# the main thread while it is open, and other tests' asyncio.run() would then fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require_browser()
    executable = CHROMIUM if CHROMIUM.exists() else Path(str(shutil.which("chromium")))
    # Chromium's sandbox cannot run as root (containers, CI): only then is it switched off.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(executable), args=args, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, app_under_test: LiveApp) -> Iterator[Page]:
    """A fresh browser context (empty localStorage) at desktop width on the chat page."""
    context = browser.new_context(
        base_url=app_under_test.url, viewport={"width": 1280, "height": 800}, accept_downloads=True
    )
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
