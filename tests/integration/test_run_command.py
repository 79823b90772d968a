"""`assistant run` (what `make run` calls): ready message, refuses a second start, Ctrl-C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from assistant.devstack.layout import ProjectLayout
from assistant.devstack.processes import free_port, port_in_use

pytestmark = pytest.mark.integration


class RunningCommand:
    """`assistant run` in a subprocess, its output read on a thread so waits can time out."""

    def __init__(self, ports: list[int]) -> None:
        layout = ProjectLayout()
        web, engine, actions = ports
        self.process = subprocess.Popen(
            [
                str(layout.root / ".venv" / "bin" / "assistant"),
                "run",
                "--port",
                str(web),
                "--engine-port",
                str(engine),
                "--actions-port",
                str(actions),
            ],
            cwd=layout.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, marker: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.output.append(line)
            if marker in line:
                return line
        raise AssertionError(f"{marker!r} not printed; output was:\n{''.join(self.output)}")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)


@pytest.fixture
def ports() -> Iterator[list[int]]:
    chosen = [free_port(), free_port(), free_port()]
    yield chosen
    assert not any(port_in_use(p) for p in chosen), "a process was left listening"


def test_run_says_ready_refuses_a_second_start_and_stops_cleanly_on_ctrl_c(
    ports: list[int],
) -> None:
    first = RunningCommand(ports)
    second = None
    try:
        ready = first.wait_for("Ready in", timeout=240)
        assert f"open http://127.0.0.1:{ports[0]}" in ready
        assert httpx.get(f"http://127.0.0.1:{ports[0]}/readyz").status_code == 200

        second = RunningCommand(ports)
        second.wait_for("already running", timeout=60)
        assert second.process.wait(timeout=30) == 1

        first.process.send_signal(signal.SIGINT)
        first.wait_for("Stopped.", timeout=30)
        assert first.process.wait(timeout=10) == 0
    finally:
        first.kill()
        if second is not None:
            second.kill()
