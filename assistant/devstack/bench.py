"""`assistant bench`: chat turn latency and throughput against the running assistant.

Each measurement sends the same kind of turn from 1 or 10 concurrent conversations, through
the web app (what a user gets), straight to the engine's REST channel (what Rasa alone costs;
only with the stack's secret, ASSISTANT_INTERNAL_TOKEN, set for both) and to a
constant-answer endpoint of the web app (the floor of the HTTP stack).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from assistant.devstack.layout import ProjectLayout
from assistant.internal_auth import ENVIRONMENT_VARIABLE as INTERNAL_TOKEN_VARIABLE
from assistant.internal_auth import HEADER as INTERNAL_HEADER

# A plain-response turn (rule → utter_greet), a custom-action turn (rule → action server), an
# answer from the procedure text (retrieval in the action) and a branch's first turn (an
# answer, then branch_form asks its first question: three action-server calls) and a plan's
# start (a plan stored in the app's database, then plan_form asks its first question; the
# bench's plans stay in the database, like any other plan).
TURNS = {
    "plain response": "hello",
    "custom action": "which authorities do you cover?",
    "procedure answer": "should I speak with the young person without the parents there?",
    "branch start": "16yo kicked out by mum, nowhere to stay tonight",
    "plan start": "help me plan my assessment",
}
CONCURRENCY = (1, 10)
# Rasa replays a conversation's whole history on every turn, so cost grows with its length;
# start a new conversation every few turns, as real ones are short.
TURNS_PER_CONVERSATION = 10


@dataclass(frozen=True)
class Measurement:
    target: str
    turn: str
    concurrency: int
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    throughput_per_s: float


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def _measure(
    http: httpx.AsyncClient,
    target: str,
    turn: str,
    concurrency: int,
    total: int,
    request: Any,
) -> Measurement:
    latencies: list[float] = []
    errors = 0
    per_worker = max(1, total // concurrency)

    async def worker() -> None:
        nonlocal errors
        for sent in range(per_worker):
            if sent % TURNS_PER_CONVERSATION == 0:
                conversation = f"bench-{uuid.uuid4().hex[:12]}"
            started = time.perf_counter()
            response = await request(http, conversation)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - began
    return Measurement(
        target=target,
        turn=turn,
        concurrency=concurrency,
        requests=len(latencies),
        errors=errors,
        p50_ms=round(statistics.median(latencies) * 1000, 1),
        p95_ms=round(_percentile(latencies, 0.95) * 1000, 1),
        throughput_per_s=round(len(latencies) / wall, 1),
    )


def _via_app(base: str, text: str) -> Any:
    async def send(http: httpx.AsyncClient, conversation: str) -> httpx.Response:
        body = {"conversation_id": conversation, "message": text, "authority": "kent"}
        return await http.post(f"{base}/api/chat", json=body)

    return send


def _via_engine(engine: str, text: str, token: str) -> Any:
    headers = {INTERNAL_HEADER: token}

    async def send(http: httpx.AsyncClient, conversation: str) -> httpx.Response:
        body = {"sender": conversation, "message": text, "metadata": {"authority": "kent"}}
        return await http.post(f"{engine}/webhooks/assistant/webhook", json=body, headers=headers)

    return send


def _constant(base: str) -> Any:
    async def send(http: httpx.AsyncClient, conversation: str) -> httpx.Response:
        return await http.get(f"{base}/healthz")

    return send


async def _run_all(
    base: str, engine: str, turns: int, token: str | None = None
) -> list[Measurement]:
    """`token`: the stack's shared secret, without which the engine refuses every turn; None
    measures the web app only."""
    results = []
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=20)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        for kind, text in TURNS.items():
            paths = [("web app /api/chat", _via_app(base, text))]
            if token is not None:
                paths.append(("Rasa REST channel", _via_engine(engine, text, token)))
            # Warm up every path so first-call costs are not measured.
            for _, request in paths:
                for _ in range(3):
                    await request(http, f"bench-warmup-{uuid.uuid4().hex[:12]}")
            for concurrency in CONCURRENCY:
                for target, request in paths:
                    results.append(await _measure(http, target, kind, concurrency, turns, request))
        for concurrency in CONCURRENCY:
            results.append(
                await _measure(
                    http, "web app /healthz", "constant", concurrency, turns, _constant(base)
                )
            )
    return results


def format_table(results: list[Measurement]) -> str:
    header = (
        f"{'target':<20} {'turn':<17} {'conc':>4} {'n':>5} {'err':>4} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'req/s':>7}"
    )
    lines = [header, "-" * len(header)]
    for m in results:
        lines.append(
            f"{m.target:<20} {m.turn:<17} {m.concurrency:>4} {m.requests:>5} {m.errors:>4} "
            f"{m.p50_ms:>8.1f} {m.p95_ms:>8.1f} {m.throughput_per_s:>7.1f}"
        )
    return "\n".join(lines)


def run_bench(base: str, engine: str, turns: int) -> int:
    try:
        httpx.get(f"{base}/readyz", timeout=5).raise_for_status()
    except httpx.HTTPError as error:
        print(f"The assistant is not ready at {base} ({error}). Start it with `make run` first.")
        return 1
    token = os.environ.get(INTERNAL_TOKEN_VARIABLE) or None
    if token is None:
        print(
            f"{INTERNAL_TOKEN_VARIABLE} is not set, so the engine alone is not measured (it "
            "answers only the holder of the stack's secret). To measure it, set the same "
            "value for `make run` and for `make bench`."
        )
    results = asyncio.run(_run_all(base.rstrip("/"), engine.rstrip("/"), turns, token))
    print(format_table(results))
    out_dir = ProjectLayout().var / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = out_dir / f"bench-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": stamp,
                "base": base,
                "engine": engine,
                "turns_per_measurement": turns,
                "results": [asdict(m) for m in results],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"\nWritten to {out}")
    return 0
