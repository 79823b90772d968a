"""The learning bank and learners' records for the action server, loaded on first use."""

from __future__ import annotations

from functools import cache

from rasa_sdk import Tracker

from actions.adapters import latest_user_metadata, turn_principal
from actions.adapters_store import app_database
from assistant.core.learning.bank import LearningBank, load_learning_bank
from assistant.settings import Settings
from assistant.store.learners import SqlLearnerRepository


@cache
def learning_bank() -> LearningBank:
    return load_learning_bank(Settings().knowledge_dir)


@cache
def learner_repository() -> SqlLearnerRepository:
    return SqlLearnerRepository(app_database())


def learner_id(tracker: Tracker) -> str | None:
    """Whose learning record this turn reads and writes: a signed-in worker's is always their
    own; the development user's is the one the web page names (it keeps one across
    conversations), else the conversation (a Teams personal chat is one per user). None for a
    turn that names nobody (the engine used directly): no one's record is opened for it."""
    principal = turn_principal(tracker)
    if principal is None:
        return None
    if principal.signed_in:
        return principal.subject
    named = latest_user_metadata(tracker).get("learner")
    return named if isinstance(named, str) and named else tracker.sender_id
