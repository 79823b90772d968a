"""The engine-side speed-up keeps Rasa's check of action-server responses intact."""

from __future__ import annotations

import subprocess

import pytest

from assistant.devstack.layout import ProjectLayout

pytestmark = pytest.mark.integration

SCRIPT = """
import time
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from engine.action_response_validation import install_compiled_validator

action = RemoteAction("action_x", None)
valid = {"events": [{"event": "slot", "name": "authority", "value": "kent"}],
         "responses": [{"text": "hello"}]}
invalid = {"events": "not a list", "responses": []}

def timed(n):
    started = time.perf_counter()
    for _ in range(n):
        action._validate_action_result(valid)
    return (time.perf_counter() - started) / n

before = timed(5)
install_compiled_validator()
after = timed(50)
try:
    action._validate_action_result(invalid)
    print("ACCEPTED-INVALID")
except ValidationError as error:
    print("REJECTED", "Failed to validate Action server response" in error.message)
print("FASTER", after * 5 < before, round(before * 1000, 2), round(after * 1000, 3))
"""


def test_compiled_validator_rejects_what_rasa_rejects_and_is_faster() -> None:
    layout = ProjectLayout()
    result = subprocess.run(
        [str(layout.engine_python), "-c", SCRIPT],
        cwd=layout.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert "REJECTED True" in lines
    assert any(line.startswith("FASTER True") for line in lines), result.stdout
