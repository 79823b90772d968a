"""Hardening (issue 16 part 4): security headers, tokens, conversation ids, rate limits and
security events."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import click
import pytest
from fastapi.testclient import TestClient
from uvicorn.main import main as uvicorn_cli

from assistant.devstack.processes import web_command
from assistant.web.app import STATIC_DIR

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
