"""The learning bank and learners' records for the action server, loaded on first use."""

from __future__ import annotations

from functools import cache

from rasa_sdk import Tracker

from actions.adapters import latest_user_metadata
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


def learner_id(tracker: Tracker) -> str:
    """The learner the channel names (the web page keeps one across conversations), else the
    conversation itself (a Teams personal chat is one per user)."""
    named = latest_user_metadata(tracker).get("learner")
    return named if isinstance(named, str) and named else tracker.sender_id
