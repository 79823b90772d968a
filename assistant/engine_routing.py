"""Which Rasa engine a conversation goes to when there are several (the scale-out profile).

Rasa 3.6's Redis lock store is not atomic (rasa#9213): two engines taking the lock of the same
conversation at once can both get it, and then both append to its tracker. So each
conversation sticks to one engine, and leaves it only while that engine is down.

The rule is rendezvous (highest-random-weight) hashing: every engine gets a score for the
conversation from a stable hash of the pair, and the conversation's ranking is the engines by
descending score. Every web app computes the same ranking without talking to the others (so
a proxy may spread requests over web apps freely); adding or removing an engine moves only the
conversations whose first choice it is; when the first choice is down, the conversation goes
to its second, which differs from one conversation to the next, so a dead engine's load is
spread over the survivors rather than landing on one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def engine_score(engine: str, conversation_id: str) -> int:
    """A stable 64-bit score of the pair (the same in every process and on every run).

    Python's hash() is salted per process, so it would route differently in each web app.
    """
    pair = f"{engine}\0{conversation_id}".encode()
    digest = hashlib.blake2b(pair, digest_size=8).digest()
    return int.from_bytes(digest, "big")


def rank_engines(conversation_id: str, engines: Sequence[str]) -> list[str]:
    """The engines in the conversation's order of preference: the first is where it lives."""
    return sorted(engines, key=lambda engine: (-engine_score(engine, conversation_id), engine))
