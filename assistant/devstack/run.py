"""`assistant run`: the whole assistant in the foreground until Ctrl-C."""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import IO

from assistant.devstack.layout import ProjectLayout
from assistant.devstack.model import ModelError, ensure_model
from assistant.devstack.processes import Stack, StackConfig, StackError
from assistant.devstack.supervise import GaveUpError, Supervisor


class AlreadyRunningError(RuntimeError):
    pass


def acquire_run_lock(path: Path, url: str) -> IO[str]:
    """Hold an exclusive lock for as long as this process lives; the OS drops it on exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "unknown"
        handle.close()
        raise AlreadyRunningError(
            f"The assistant is already running (process {owner}) at {url}. "
            "Stop it with Ctrl-C in its terminal first."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop()


def run_stack(web_port: int = 8000, engine_port: int = 5005, actions_port: int = 5055) -> int:
    layout = ProjectLayout()
    try:
        lock = acquire_run_lock(
            layout.var / "run" / f"assistant-{web_port}.lock", f"http://127.0.0.1:{web_port}"
        )
    except AlreadyRunningError as error:
        print(error, file=sys.stderr)
        return 1
    # Both set explicitly: a shell starting us in the background would leave SIGINT ignored.
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    started = time.monotonic()
    stack: Stack | None = None
    try:
        model = ensure_model(layout)
        config = StackConfig(
            model=model, web_port=web_port, engine_port=engine_port, actions_port=actions_port
        )
        stack = Stack(config, layout)
        stack.start()
        print(
            f"\nReady in {time.monotonic() - started:.0f} s: open {stack.config.web_url}\n"
            f"Logs in {layout.logs.relative_to(layout.root)}/. Press Ctrl-C to stop.",
            flush=True,
        )
        # A child that dies is started again, with a growing pause; one that keeps dying ends it.
        Supervisor(stack, say=lambda line: print(line, file=sys.stderr, flush=True)).run_forever()
    except GaveUpError as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, _Stop):
        print("\nStopping...", flush=True)
        return 0
    except (StackError, ModelError) as error:  # training failed, or an untrusted model
        print(f"\n{error}", file=sys.stderr)
        return 1
    finally:
        if stack is not None:
            stack.stop()
        lock.close()
        print("Stopped.", flush=True)
