"""Holds every story of tests/test_*.yml over /api/chat (as a Kent worker).

`rasa test core` checks the dialogue policy with the stories' intents; this checks the whole
path from the user's words: NLU, policy, actions and the web app's answer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from assistant.devstack.processes import Stack
from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration

STORIES = [
    story
    for path in sorted((PROJECT_ROOT / "tests").glob("test_*.yml"))
    for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]
]
# Rasa's own actions that change the conversation but say nothing.
SILENT_ACTIONS = {"action_restart", "action_deactivate_loop", "action_listen"}
# "[Lewisham](authority)" or "[KCC]{...}" annotate entities for Rasa; the user types the words.
ENTITY_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def _response_text(domain_path: Path, action: str) -> str:
    responses = yaml.safe_load(domain_path.read_text())["responses"]
    return " ".join(str(responses[action][0]["text"]).split())


def _expected_turns(steps: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(what the user says, the actions that should answer it) for each user step."""
    turns: list[tuple[str, list[str]]] = []
    for step in steps:
        if "user" in step:
            turns.append((str(step["user"]).strip(), []))
        elif "action" in step and turns and step["action"] not in SILENT_ACTIONS:
            turns[-1][1].append(step["action"])
    return turns


@pytest.mark.parametrize("story", STORIES, ids=[s["story"] for s in STORIES])
def test_story_over_the_public_api(stack: Stack, story: dict[str, Any]) -> None:
    conversation = "story-" + "".join(c if c.isalnum() else "-" for c in story["story"])
    for said, actions in _expected_turns(story["steps"]):
        text = ENTITY_ANNOTATION.sub(r"\1", said)
        response = httpx.post(
            f"{stack.config.web_url}/api/chat",
            json={"conversation_id": conversation, "message": text, "authority": "kent"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        got = [" ".join(m["text"].split()) for m in response.json()["messages"]]
        assert len(got) == len(actions), f"{text!r}: expected {actions}, got {got}"
        for action, reply in zip(actions, got, strict=True):
            if not action.startswith("utter_"):  # a custom action: one message, any words
                assert reply, f"{text!r}: {action} sent no text"
            else:
                assert reply == _response_text(PROJECT_ROOT / "domain.yml", action), text
