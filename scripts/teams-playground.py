"""Hold a conversation with the assistant through Microsoft's own local Teams client, the
Microsoft 365 Agents Playground (npm `@microsoft/m365agentsplayground`), driven by Playwright.

    .venv/bin/python scripts/teams-playground.py            # web app with a scripted engine
    .venv/bin/python scripts/teams-playground.py --endpoint http://127.0.0.1:8000/api/messages

Without --endpoint it starts the web app itself on a free port, in anonymous development mode,
with a scripted engine standing in for Rasa; with --endpoint it uses an app already running
(start it with ASSISTANT_ENVIRONMENT=development ASSISTANT_TEAMS_ALLOW_ANONYMOUS=true
ASSISTANT_TEAMS_SERVICE_URL_ALLOWLIST='["http://localhost:56150/"]' make run).
It installs the Playground under var/playground (npm) when missing, starts it, opens its page in
Debian's Chromium, types the messages, waits for each answer in the Teams chat, and writes a
screenshot to var/teams/playground.png. Needs node/npm and chromium (`apt-get install chromium`).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLAYGROUND_VERSION = "0.2.28"
PLAYGROUND_DIR = ROOT / "var" / "playground"
PLAYGROUND_BIN = PLAYGROUND_DIR / "node_modules" / ".bin" / "agentsplayground"
SCREENSHOT = ROOT / "var" / "teams" / "playground.png"
CHROMIUM = Path("/usr/bin/chromium")
MESSAGES = ["hi", "what are the timescales for a referral on 14 December?"]


def _install_playground() -> None:
    if PLAYGROUND_BIN.exists():
        return
    PLAYGROUND_DIR.mkdir(parents=True, exist_ok=True)
    print(f"Installing @microsoft/m365agentsplayground@{PLAYGROUND_VERSION} in {PLAYGROUND_DIR}")
    subprocess.run(
        [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(PLAYGROUND_DIR),
            f"@microsoft/m365agentsplayground@{PLAYGROUND_VERSION}",
        ],
        check=True,
    )


def _start_app(playground_port: int) -> tuple[str, Any]:
    """The web app in anonymous development mode with a scripted engine, on a free port."""
    import uvicorn

    from assistant.core.replies import Button, Citation, Reply
    from assistant.devstack.processes import free_port
    from assistant.engine_client import EngineStatus
    from assistant.settings import Settings
    from assistant.web.app import create_app

    class ScriptedEngine:
        async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[Reply]:
            print(f"  engine <- {sender[:40]}...: {message!r} {metadata}")
            if message == "hi":
                return [
                    Reply("Hello. Which authority do you work for?", (Button("Kent", "/kent"),))
                ]
            return [
                Reply(
                    f"(scripted engine) You asked: {message}",
                    (Button("Help", "/help"),),
                    (Citation("kent", "kent/11-timescales", "11. Timescales", "v3"),),
                )
            ]

        async def status(self) -> EngineStatus:
            return EngineStatus(True, True, "scripted")

    port = free_port()
    folder = ROOT / "var" / "teams"
    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        environment="development",
        teams_allow_anonymous=True,
        database_url=f"sqlite:///{folder / 'playground.db'}",
        teams_service_url_allowlist=[
            f"http://localhost:{playground_port}/",
            f"http://127.0.0.1:{playground_port}/",
        ],
    )
    app = create_app(settings, engine_client=ScriptedEngine())  # type: ignore[arg-type]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.1)
    return f"http://127.0.0.1:{port}/api/messages", server


def _start_playground(endpoint: str, port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [str(PLAYGROUND_BIN), "-e", endpoint, "-c", "msteams", "-p", str(port), "--dt"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=PLAYGROUND_DIR,  # it writes devTools/ (its log) where it runs
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    for line in process.stdout:
        print(f"  playground: {line.rstrip()}")
        if "Listening on" in line:
            return process
        if time.monotonic() > deadline:
            break
    process.terminate()
    raise RuntimeError("the Agents Playground did not start")


def _converse(url: str, messages: list[str]) -> list[str]:
    from playwright.sync_api import sync_playwright

    seen: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url, wait_until="networkidle")
        page.get_by_text("Connected.").wait_for(timeout=30_000)
        for message in messages:
            before = page.locator("text=Test Bot").count()
            page.locator("[data-lexical-editor='true']").click()
            page.keyboard.type(message)
            page.keyboard.press("Enter")
            page.wait_for_function(
                f"document.body.innerText.split('Test Bot').length - 1 > {before}",
                timeout=30_000,
            )
            page.wait_for_timeout(1500)  # the card follows the text
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        # The Playground's log panel: "User Application -> Microsoft 365 Agents Playground
        # message 202 <text>" for every activity the app sent to its connector.
        text = " ".join(page.locator("body").inner_text().split())
        seen = re.findall(
            r"User Application \S+ Microsoft 365 Agents Playground (message \d+ .*?)"
            r"(?= \[\d+:\d+:\d+ [AP]M\]| Click on a log item)",
            text,
        )
        browser.close()
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", help="an app already running (its /api/messages URL)")
    parser.add_argument("--port", type=int, default=56150, help="the Playground's port")
    args = parser.parse_args()
    if shutil.which("npm") is None or not CHROMIUM.exists():
        print("Needs npm and /usr/bin/chromium (apt-get install nodejs npm chromium)")
        return 2
    _install_playground()
    server = None
    endpoint = args.endpoint
    if endpoint is None:
        endpoint, server = _start_app(args.port)
    os.environ.setdefault("NO_UPDATE_NOTIFIER", "1")
    playground = _start_playground(endpoint, args.port)
    try:
        replies = _converse(f"http://127.0.0.1:{args.port}/", MESSAGES)
    finally:
        playground.terminate()
        playground.wait(timeout=10)
        if server is not None:
            server.should_exit = True
    print("The Playground's log of what the assistant sent:")
    for line in replies:
        print(f"  {line}")
    print(f"Screenshot: {SCREENSHOT}")
    return 0 if replies else 1


if __name__ == "__main__":
    raise SystemExit(main())
