"""Keeping `assistant run` up: a child process that dies (the engine, the action server, the
web app) is started again after a pause that doubles with each failure in a row, and each
restart is logged; a child that has then stayed up for a while starts from the shortest
pause again. Only a child that keeps failing, `give_up_after` times in a row, ends the run.

Why not let the whole stack go down, as before: the engine can die on its own (out of
memory on a large tracker, a crash in a native library) while the web app is fine, and a
worker in the middle of a plan would lose the assistant until somebody noticed and ran it
again. Meanwhile the web app answers 503 for the engine, which the chat page says plainly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NoReturn, Protocol

logger = logging.getLogger(__name__)


class ChildProcess(Protocol):
    @property
    def returncode(self) -> int | None: ...


class Child(Protocol):
    """What the supervisor needs of a child (assistant/devstack/processes.py, _Child)."""

    @property
    def name(self) -> str: ...

    @property
    def process(self) -> ChildProcess: ...

    def tail(self, lines: int = 15) -> str: ...


class Supervised(Protocol):
    def dead_children(self) -> Sequence[Child]: ...

    def restart(self, name: str) -> None:
        """Start the child again; an exception when it does not come up."""
        ...


@dataclass(frozen=True)
class RestartPolicy:
    first_delay_seconds: float = 1.0
    max_delay_seconds: float = 60.0
    # Up for this long after a restart: its failures are forgotten.
    stable_after_seconds: float = 300.0
    give_up_after: int = 10

    def delay(self, failures: int) -> float:
        """The pause before the restart after `failures` failures in a row (1 the first)."""
        return float(min(self.max_delay_seconds, self.first_delay_seconds * 2 ** (failures - 1)))


class GaveUpError(RuntimeError):
    """A child failed `give_up_after` times in a row."""


@dataclass
class _Record:
    failures: int = 0
    started_at: float = 0.0
    restart_at: float | None = None


@dataclass
class Supervisor:
    stack: Supervised
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    clock: Callable[[], float] = time.monotonic
    say: Callable[[str], None] = print
    _records: dict[str, _Record] = field(default_factory=dict)

    def check(self) -> None:
        """One look: schedule a restart for each child found dead, and restart those whose
        pause is over. GaveUpError when one has failed too often in a row."""
        now = self.clock()
        for child in self.stack.dead_children():
            record = self._records.setdefault(child.name, _Record(started_at=now))
            if record.restart_at is not None:
                continue  # already waiting for its restart
            self._failed(child.name, record, now, f"exit {child.process.returncode}", child.tail())
        for name, record in self._records.items():
            if record.restart_at is None or record.restart_at > now:
                continue
            record.restart_at = None
            self._log(f"Restarting {name} (restart {record.failures}) ...")
            try:
                self.stack.restart(name)
            except Exception as error:  # it did not come up: a failure like dying
                self._failed(name, record, self.clock(), str(error), "")
                continue
            record.started_at = self.clock()
            self._log(f"{name} is running again.")

    def _failed(self, name: str, record: _Record, now: float, why: str, tail: str) -> None:
        if record.failures and now - record.started_at >= self.policy.stable_after_seconds:
            record.failures = 0  # it had been fine for a good while
        record.failures += 1
        if record.failures > self.policy.give_up_after:
            raise GaveUpError(
                f"{name} failed {self.policy.give_up_after} times in a row ({why}); giving up."
                + (f" Last lines of its log:\n{tail}" if tail else "")
            )
        delay = self.policy.delay(record.failures)
        record.restart_at = now + delay
        self._log(
            f"{name} stopped unexpectedly ({why}); restarting it in {delay:.0f} s "
            f"(failure {record.failures} in a row)."
            + (f" Last lines of its log:\n{tail}" if tail else "")
        )

    def _log(self, message: str) -> None:
        logger.warning("%s", message)
        self.say(message)

    def run_forever(
        self, poll_seconds: float = 0.5, sleep: Callable[[float], None] = time.sleep
    ) -> NoReturn:
        """Watch until interrupted (KeyboardInterrupt, a signal) or GaveUpError."""
        while True:
            self.check()
            sleep(poll_seconds)
