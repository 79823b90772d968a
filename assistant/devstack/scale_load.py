"""The scale-out test's load and its checks (`make test-scale`, tests/scale/run_scale.py).

Concurrent conversations of practitioner messages go through the proxy; part-way through, one
engine is killed. A client that gets 503 waits briefly and resends the same turn with the
same Idempotency-Key: the product's contract ("engine down: a clear 503, and the
conversation is intact when it answers again"). Afterwards the tracker store must hold, for
every conversation, exactly the turns sent, once each, in order, each answered.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from assistant.engine_routing import rank_engines

AUTHORITIES = ("gateshead", "blackpool", "kent", "lewisham", "regional")
# Ten turns each, through plain responses, custom actions (procedure answers, timescales, the
# glossary), a branch's form and a plan's form (plans stored in the app database). No names,
# dates of birth or other identifying details, which the web app would mask before the engine.
SCRIPTS: tuple[tuple[str, ...], ...] = (
    (
        "hello",
        "what is a section 47 enquiry",
        "timescales for a referral on 2/11/2026",
        "what about the checkpoints?",
        "should I speak with the young person without the parents there?",
        "what does strategy discussion mean",
        "who agrees an extension",
        "what next",
        "which authorities do you cover?",
        "thanks",
    ),
    (
        "hi",
        "help with a 16 year old who is homeless",
        "no",
        "yes",
        "why are you asking?",
        "no",
        "stop",
        "explain a CIN plan to me",
        "what next",
        "thanks",
    ),
    (
        "hello",
        "help me plan my assessment",
        "AB and CD",
        "the referral was on 2 November 2026",
        "skip",
        "not sure",
        "carry on later",
        "what is a section 47 enquiry",
        "yes",
        "thanks",
    ),
    (
        "hello",
        "what does child in need mean",
        "timescales for a referral on 14 December 2026",
        "what about the checkpoints?",
        "who agrees an extension",
        "do I need consent to speak to the school",
        "what about interpreters",
        "what next",
        "which authorities do you cover?",
        "thanks",
    ),
)

RESEND_AFTER_SECONDS = 0.5
TURN_DEADLINE_SECONDS = 120.0
RETRIED_STATUSES = (502, 503, 504)
REROUTED = re.compile(r"conversation (\S+) re-routed to engine (\S+)")
REPLAYED = re.compile(r"Turn (\S+) of (\S+) was already handled")


@dataclass
class Turn:
    conversation: str
    index: int
    message: str
    latency_s: float = 0.0  # from the first send to the answer, resends included
    requests: int = 0
    resends: int = 0
    status: int = 0
    texts: list[str] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class Conversation:
    id: str
    authority: str
    messages: tuple[str, ...]

    def turn_id(self, index: int) -> str:
        return f"{self.id}:{index}"


def conversations(count: int, turns: int) -> list[Conversation]:
    """Fixed ids (scale-00, scale-01, ...), each authority and script in turn."""
    return [
        Conversation(
            f"scale-{i:02d}", AUTHORITIES[i % len(AUTHORITIES)], SCRIPTS[i % len(SCRIPTS)][:turns]
        )
        for i in range(count)
    ]


def warm_up_plan(engine_names: Sequence[str]) -> list[Conversation]:
    """Every script once on every engine: the first call of each kind of action loads what
    it needs in the action server (seconds), which is start-up, not load."""
    plan = []
    for engine in engine_names:
        ids = (f"warm-{n}" for n in range(10_000))
        homed = (i for i in ids if rank_engines(i, engine_names)[0] == engine)
        for script, conversation_id in zip(SCRIPTS, homed, strict=False):
            plan.append(Conversation(conversation_id, AUTHORITIES[0], script))
    return plan


@dataclass
class LoadResult:
    turns: list[Turn]
    elapsed_s: float
    killed_after_turns: int | None
    killed_at_s: float | None


async def _send_turn(
    http: httpx.AsyncClient, url: str, conversation: Conversation, index: int
) -> Turn:
    turn = Turn(conversation.id, index, conversation.messages[index])
    body = {
        "conversation_id": conversation.id,
        "message": turn.message,
        "authority": conversation.authority,
    }
    headers = {"Idempotency-Key": conversation.turn_id(index)}
    started = time.perf_counter()
    while True:
        turn.requests += 1
        try:
            response = await http.post(f"{url}/api/chat", json=body, headers=headers)
            turn.status = response.status_code
        except httpx.HTTPError as error:
            turn.status, turn.error = 0, type(error).__name__
        if turn.status == 200:
            turn.texts = [str(m.get("text") or "") for m in response.json()["messages"]]
            break
        if turn.status not in (0, *RETRIED_STATUSES):
            turn.error = f"HTTP {turn.status}: {response.text[:200]}"
            break
        if time.perf_counter() - started > TURN_DEADLINE_SECONDS:
            turn.error = f"no answer within {TURN_DEADLINE_SECONDS:.0f} s (last {turn.status})"
            break
        turn.resends += 1
        await asyncio.sleep(RESEND_AFTER_SECONDS)
    turn.latency_s = time.perf_counter() - started
    return turn


async def run_load(
    url: str,
    plan: Sequence[Conversation],
    kill: Callable[[], Awaitable[None]] | None,
    kill_after_fraction: float = 0.4,
) -> LoadResult:
    """Every conversation at once, each turn sent when the previous one was answered."""
    total = sum(len(c.messages) for c in plan)
    kill_after = int(total * kill_after_fraction) if kill is not None else None
    done: list[Turn] = []
    killed: list[float] = []
    started = time.perf_counter()
    limits = httpx.Limits(max_connections=len(plan) + 10, max_keepalive_connections=len(plan))

    async with httpx.AsyncClient(timeout=90.0, limits=limits) as http:

        async def talk(conversation: Conversation) -> None:
            for index in range(len(conversation.messages)):
                done.append(await _send_turn(http, url, conversation, index))
                if kill is not None and not killed and len(done) >= (kill_after or 0):
                    killed.append(time.perf_counter() - started)
                    await kill()

        await asyncio.gather(*(talk(c) for c in plan))
    return LoadResult(
        done,
        time.perf_counter() - started,
        kill_after if killed else None,
        killed[0] if killed else None,
    )


@dataclass(frozen=True)
class TrackedTurn:
    text: str
    turn_id: str | None
    bot_messages: int


def tracked_turns(conninfo: dict[str, Any], senders: Sequence[str]) -> dict[str, list[TrackedTurn]]:
    """Each conversation's user events in the tracker store, with the bot events after each."""
    found: dict[str, list[TrackedTurn]] = {s: [] for s in senders}
    query = (
        "SELECT sender_id, type_name, data FROM events "
        "WHERE sender_id = ANY(%s) AND type_name IN ('user', 'bot') ORDER BY id"
    )
    with psycopg.connect(**conninfo) as connection:
        rows = connection.execute(query, (list(senders),)).fetchall()
    for sender, kind, data in rows:
        event = json.loads(data)
        turns = found[sender]
        if kind == "user":
            metadata = event.get("metadata") or {}
            turns.append(TrackedTurn(str(event.get("text")), metadata.get("turn_id"), 0))
        elif turns:
            last = turns[-1]
            turns[-1] = TrackedTurn(last.text, last.turn_id, last.bot_messages + 1)
    return found


def check(
    plan: Sequence[Conversation], result: LoadResult, tracked: dict[str, list[TrackedTurn]]
) -> list[str]:
    """Every turn answered to the client, and in the tracker exactly once, in order."""
    problems: list[str] = []
    by_turn = {(t.conversation, t.index): t for t in result.turns}
    for conversation in plan:
        for index, message in enumerate(conversation.messages):
            turn = by_turn.get((conversation.id, index))
            if turn is None:
                problems.append(f"{conversation.id} turn {index}: never sent")
            elif turn.status != 200:
                problems.append(f"{conversation.id} turn {index}: not answered ({turn.error})")
            elif not any(text.strip() for text in turn.texts):
                problems.append(f"{conversation.id} turn {index} {message!r}: an empty answer")
        stored = tracked.get(conversation.id, [])
        expected = [(m, conversation.turn_id(i)) for i, m in enumerate(conversation.messages)]
        actual = [(t.text, t.turn_id) for t in stored]
        if actual != expected:
            problems.append(
                f"{conversation.id}: the tracker holds {len(actual)} user events, expected "
                f"{len(expected)}: {_difference(expected, actual)}"
            )
        for index, tracked_turn in enumerate(stored):
            if tracked_turn.bot_messages == 0:
                problems.append(f"{conversation.id} turn {index}: no bot message in the tracker")
    return problems


def _difference(expected: list[tuple[str, str]], actual: list[tuple[str, str | None]]) -> str:
    for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
        if want != got:
            return f"first difference at event {index}: expected {want}, found {got}"
    if len(actual) > len(expected):
        return f"extra events: {actual[len(expected) :]}"
    return f"missing events: {expected[len(actual) :]}"


def _log_matches(pattern: re.Pattern[str], logs: Sequence[Path]) -> list[tuple[str, ...]]:
    matches: list[tuple[str, ...]] = []
    for path in logs:
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        matches += [m.groups() for m in pattern.finditer(text)]
    return matches


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


@dataclass(frozen=True)
class ScaleReport:
    conversations: int
    turns: int
    answered: int
    requests: int
    resends: int
    turns_resent: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    p95_without_resends_ms: float
    throughput_turns_per_s: float
    load_elapsed_s: float
    killed_engine: str | None
    killed_after_turns: int | None
    killed_at_s: float | None
    conversations_rerouted: int
    conversations_homed_on_killed_engine: int
    turns_answered_from_tracker: int
    problems: list[str]

    def lines(self) -> list[str]:
        per_conversation = self.turns // max(1, self.conversations)
        verdict = (
            f"{len(self.problems)} problems"
            if self.problems
            else "every turn once, in order, answered; every resend answered once"
        )
        killed = (
            f"{self.killed_engine} after {self.killed_after_turns} turns "
            f"({self.killed_at_s:.1f} s into the load)"
            if self.killed_engine
            else "none"
        )
        return [
            f"conversations            {self.conversations} x {per_conversation} turns",
            f"turns answered           {self.answered}/{self.turns} "
            f"({self.requests} requests, {self.resends} resends after 503 over "
            f"{self.turns_resent} turns)",
            f"turn latency             p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms, "
            f"max {self.max_ms:.0f} ms (resends included); "
            f"p95 of turns never resent {self.p95_without_resends_ms:.0f} ms",
            f"throughput               {self.throughput_turns_per_s:.1f} turns/s "
            f"over {self.load_elapsed_s:.1f} s",
            f"engine killed            {killed}",
            f"conversations re-routed  {self.conversations_rerouted} "
            f"(of {self.conversations_homed_on_killed_engine} living on the killed engine)",
            f"answered from tracker    {self.turns_answered_from_tracker} resent turns the "
            "engine had already handled",
            f"tracker store            {verdict}",
        ]


def report(
    plan: Sequence[Conversation],
    result: LoadResult,
    problems: list[str],
    engine_names: Sequence[str],
    killed_engine: str | None,
    web_logs: Sequence[Path],
    engine_logs: Sequence[Path],
) -> ScaleReport:
    answered = [t for t in result.turns if t.status == 200]
    latencies = [t.latency_s * 1000 for t in answered]
    never_resent = [t.latency_s * 1000 for t in answered if t.resends == 0]
    homed = (
        {c.id for c in plan if rank_engines(c.id, engine_names)[0] == killed_engine}
        if killed_engine
        else set()
    )
    rerouted = {conversation for conversation, _ in _log_matches(REROUTED, web_logs)}
    replayed = _log_matches(REPLAYED, engine_logs)
    return ScaleReport(
        conversations=len(plan),
        turns=sum(len(c.messages) for c in plan),
        answered=len(answered),
        requests=sum(t.requests for t in result.turns),
        resends=sum(t.resends for t in result.turns),
        turns_resent=sum(1 for t in result.turns if t.resends),
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p95_ms=_percentile(latencies, 0.95),
        max_ms=max(latencies, default=0.0),
        p95_without_resends_ms=_percentile(never_resent, 0.95),
        throughput_turns_per_s=len(answered) / result.elapsed_s if result.elapsed_s else 0.0,
        load_elapsed_s=result.elapsed_s,
        killed_engine=killed_engine,
        killed_after_turns=result.killed_after_turns,
        killed_at_s=result.killed_at_s,
        conversations_rerouted=len(rerouted & {c.id for c in plan}),
        conversations_homed_on_killed_engine=len(homed),
        turns_answered_from_tracker=len(replayed),
        problems=problems,
    )


def as_json(value: ScaleReport, **extra: Any) -> str:
    return json.dumps({**asdict(value), **extra}, indent=2)
