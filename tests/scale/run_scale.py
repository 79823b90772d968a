"""`make test-scale`: the scale-out profile on loopback, under load, with one engine killed.

Starts a throwaway PostgreSQL (tests/postgres_server.py: the tracker store and the app
store), then Redis, two action servers, two Rasa engines, two web apps and nginx
(assistant/devstack/scale.py); first checks that a turn resent with the same Idempotency-Key
is answered once; then runs 50 concurrent conversations of 10 turns through nginx and
SIGKILLs one engine after 40% of the turns (assistant/devstack/scale_load.py); then reads
the tracker store and fails unless every turn is there exactly once, in order, answered.
Prints the figures and writes them to var/bench/scale-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import httpx
from sqlalchemy import make_url

from assistant.devstack.layout import ProjectLayout
from assistant.devstack.model import ModelError, ensure_model
from assistant.devstack.processes import StackError
from assistant.devstack.scale import ScaleConfig, ScaleStack, TrackerDatabase
from assistant.devstack.scale_load import (
    Conversation,
    as_json,
    check,
    conversations,
    report,
    run_load,
    tracked_turns,
    warm_up_plan,
)
from tests.postgres_server import PostgresError, create_database, running_postgres


def _say(line: str) -> None:
    print(line, flush=True)


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop()


def _resend_is_answered_once(stack: ScaleStack, conninfo: dict[str, object]) -> list[str]:
    """A turn sent twice with the same key: the same answer, one user event in the tracker."""
    probe = Conversation("scale-probe", "kent", ("what is a section 47 enquiry",))
    body = {"conversation_id": probe.id, "message": probe.messages[0], "authority": "kent"}
    headers = {"Idempotency-Key": probe.turn_id(0)}
    answers = []
    for _ in range(2):
        response = httpx.post(f"{stack.proxy_url}/api/chat", json=body, headers=headers, timeout=60)
        response.raise_for_status()
        answers.append([m["text"] for m in response.json()["messages"]])
    users = tracked_turns(conninfo, [probe.id])[probe.id]
    problems = []
    if answers[0] != answers[1] or not answers[0]:
        problems.append(f"the resent probe turn got another answer: {answers}")
    if len(users) != 1:
        problems.append(f"the resent probe turn is {len(users)} times in the tracker")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--kill-after", type=float, default=0.4, help="fraction of the turns")
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)

    layout = ProjectLayout()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="assistant-scale-"))
    failed = True
    try:
        model = ensure_model(layout, say=_say)
        with running_postgres("tracker") as tracker_url:
            url = make_url(tracker_url)
            assert url.port is not None and url.username is not None and url.host is not None
            app_url = create_database(url.port, "app")
            tracker = TrackerDatabase(url.host, url.port, "tracker", url.username)
            conninfo: dict[str, object] = {
                "host": url.host,
                "port": url.port,
                "user": url.username,
                "dbname": "tracker",
            }
            config = ScaleConfig(
                model=model,
                workdir=workdir,
                tracker=tracker,
                app_database_url=app_url,
                extra_env={"ASSISTANT_TODAY": "2026-11-23"},
            )
            stack = ScaleStack(config, layout, say=_say)
            stack.start()
            try:
                _say(f"Up in {time.monotonic() - started:.0f} s: {stack.proxy_url}")
                problems = _resend_is_answered_once(stack, conninfo)
                warm = asyncio.run(run_load(stack.proxy_url, warm_up_plan(stack.engine_urls), None))
                problems += [f"warm-up {t.conversation}: {t.error}" for t in warm.turns if t.error]
                plan = conversations(args.conversations, args.turns)
                killed = None if args.no_kill else stack.engine_urls[0]

                async def kill() -> None:
                    _say(f"Killing engine 0 ({stack.engine_urls[0]}) with SIGKILL ...")
                    await asyncio.to_thread(stack.kill_engine, 0)

                _say(f"Load: {len(plan)} conversations x {args.turns} turns through nginx ...")
                result = asyncio.run(
                    run_load(stack.proxy_url, plan, None if args.no_kill else kill, args.kill_after)
                )
                problems += check(plan, result, tracked_turns(conninfo, [c.id for c in plan]))
                logs = stack.config.log_dir
                figures = report(
                    plan,
                    result,
                    problems,
                    stack.engine_urls,
                    killed,
                    sorted(logs.glob("web-*.log")),
                    sorted(logs.glob("engine-*.log")),
                )
            finally:
                stack.stop()
        elapsed = time.monotonic() - started
        _say("\nScale-out test (2 engines, 2 web apps, nginx, PostgreSQL, Redis):")
        for line in figures.lines():
            _say(f"  {line}")
        _say(f"  whole run                {elapsed:.0f} s (start-up, load, checks, stop)")
        layout.var.joinpath("bench").mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        out = layout.var / "bench" / f"scale-{stamp}.json"
        out.write_text(as_json(figures, whole_run_s=round(elapsed, 1)), encoding="utf-8")
        _say(f"  figures in {out.relative_to(layout.root)}")
        for problem in figures.problems[:40]:
            _say(f"  PROBLEM: {problem}")
        failed = bool(figures.problems)
        return 1 if failed else 0
    except (StackError, ModelError, PostgresError) as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    except _Stop:
        print("\nStopped.", file=sys.stderr)
        return 1
    finally:
        if failed or args.keep:
            print(f"Logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
