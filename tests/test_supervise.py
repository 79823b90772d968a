"""`assistant run` keeps the stack up: a dead child is restarted with a growing pause, each
restart logged (with fakes: no engine is started here)."""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.devstack.processes import Stack, StackConfig
from assistant.devstack.supervise import GaveUpError, RestartPolicy, Supervisor


@dataclass
class FakeProcess:
    returncode: int | None = None


@dataclass
class FakeChild:
    name: str
    process: FakeProcess = field(default_factory=FakeProcess)

    def tail(self, lines: int = 15) -> str:
        return f"last words of {self.name}"


@dataclass
class FakeStack:
    children: dict[str, FakeChild]
    restarts: list[str] = field(default_factory=list)
    failing_starts: int = 0  # the next restarts that do not come up

    def dead_children(self) -> list[FakeChild]:
        return [c for c in self.children.values() if c.process.returncode is not None]

    def restart(self, name: str) -> None:
        self.restarts.append(name)
        if self.failing_starts:
            self.failing_starts -= 1
            raise RuntimeError(f"{name} exited with code 1 while starting")
        self.children[name] = FakeChild(name)

    def kill(self, name: str, code: int = -9) -> None:
        self.children[name].process.returncode = code


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def stack() -> FakeStack:
    return FakeStack({n: FakeChild(n) for n in ("actions", "engine", "web")})


def supervisor(stack: FakeStack, clock: Clock, said: list[str]) -> Supervisor:
    return Supervisor(stack, RestartPolicy(), clock, said.append)


def test_a_dead_engine_is_restarted_after_a_pause_and_each_restart_is_logged(
    stack: FakeStack, caplog: pytest.LogCaptureFixture
) -> None:
    clock, said = Clock(), []
    watch = supervisor(stack, clock, said)
    watch.check()
    assert stack.restarts == [] and said == []
    stack.kill("engine")
    watch.check()
    assert stack.restarts == []  # not at once
    assert said == [
        "engine stopped unexpectedly (exit -9); restarting it in 1 s (failure 1 in a row). "
        "Last lines of its log:\nlast words of engine"
    ]
    clock.now += 1.0
    watch.check()
    assert stack.restarts == ["engine"]
    assert said[1:] == ["Restarting engine (restart 1) ...", "engine is running again."]
    assert "engine stopped unexpectedly" in caplog.text  # in the log as well as the terminal
    watch.check()
    assert stack.restarts == ["engine"]  # running again: left alone


def test_the_action_server_is_restarted_too_each_on_its_own_schedule(stack: FakeStack) -> None:
    clock, said = Clock(), []
    watch = supervisor(stack, clock, said)
    stack.kill("engine")
    stack.kill("actions", 1)
    watch.check()
    clock.now += 1.0
    watch.check()
    assert sorted(stack.restarts) == ["actions", "engine"]


def test_the_pause_doubles_while_it_keeps_dying_up_to_a_minute(stack: FakeStack) -> None:
    clock, said = Clock(), []
    watch = supervisor(stack, clock, said)
    pauses = []
    for _ in range(9):
        stack.kill("engine")
        watch.check()
        pause = float(said[-1].split("restarting it in ")[1].split(" s")[0])
        pauses.append(pause)
        clock.now += pause - 0.1
        watch.check()
        assert stack.restarts.count("engine") == len(pauses) - 1  # still waiting
        clock.now += 0.1
        watch.check()
        clock.now += 5.0  # dies again soon after
    assert pauses == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_a_child_that_stayed_up_a_while_starts_from_the_shortest_pause(stack: FakeStack) -> None:
    clock, said = Clock(), []
    watch = supervisor(stack, clock, said)
    for _ in range(3):
        stack.kill("engine")
        watch.check()
        clock.now += 10.0
        watch.check()
    assert "in 4 s (failure 3 in a row)" in said[-3]
    clock.now += 301.0
    stack.kill("engine")
    watch.check()
    assert "in 1 s (failure 1 in a row)" in said[-1]


def test_a_restart_that_does_not_come_up_is_a_failure_too(stack: FakeStack) -> None:
    clock, said = Clock(), []
    watch = supervisor(stack, clock, said)
    stack.failing_starts = 1
    stack.kill("engine")
    watch.check()
    clock.now += 1.0
    watch.check()
    assert said[-1].startswith(
        "engine stopped unexpectedly (engine exited with code 1 while starting); "
        "restarting it in 2 s (failure 2 in a row)."
    )
    clock.now += 2.0
    watch.check()
    assert stack.restarts == ["engine", "engine"]
    assert said[-1] == "engine is running again."


def test_one_that_keeps_failing_ends_the_run(stack: FakeStack) -> None:
    clock, said = Clock(), []
    watch = Supervisor(stack, RestartPolicy(give_up_after=3), clock, said.append)
    stack.failing_starts = 100
    stack.kill("engine")
    with pytest.raises(GaveUpError, match="engine failed 3 times in a row"):
        for _ in range(10):
            watch.check()
            clock.now += 60.0
    assert stack.restarts == ["engine"] * 3


def test_the_stack_restarts_a_real_child_and_keeps_its_log(tmp_path: Path) -> None:
    """Stack.restart with a small stand-in process (not the engine)."""
    stack = Stack(StackConfig(model=tmp_path / "model.tar.gz", log_dir=tmp_path / "logs"))
    command = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]
    starts = 0

    def start() -> None:
        nonlocal starts
        starts += 1
        child = stack._spawn("engine", command, dict(os.environ))
        stack._wait_until(child, lambda: child.log_path.read_text().count("up") == starts, 20)

    stack._starters = {"engine": start}
    try:
        start()
        first = stack.children[0].process.pid
        os.killpg(first, signal.SIGKILL)
        stack.children[0].process.wait()
        assert [c.name for c in stack.dead_children()] == ["engine"]
        stack.restart("engine")
        assert stack.dead_children() == []
        assert [c.name for c in stack.children] == ["engine"]
        assert stack.children[0].process.pid != first
        assert (tmp_path / "logs" / "engine.log").read_text().count("up") == 2
    finally:
        stack.stop()
