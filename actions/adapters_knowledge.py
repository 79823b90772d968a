"""The knowledge base and timescale rules, loaded once per action server on first use."""

from __future__ import annotations

from functools import cache

from assistant.core.guidance.answering import Guide
from assistant.core.guidance.branch_answer import BranchGuide
from assistant.core.guidance.branches import load_branches
from assistant.core.guidance.cards import CardLibrary, load_cards
from assistant.core.guidance.reader import MessageReader
from assistant.core.procedures.knowledge_base import KnowledgeBase, build_knowledge_base
from assistant.core.timescales.service import TimescaleService, load_timescale_service
from assistant.settings import Settings


@cache
def knowledge_base() -> KnowledgeBase:
    return build_knowledge_base(Settings().knowledge_dir)


@cache
def timescale_service() -> TimescaleService:
    return load_timescale_service(Settings().knowledge_dir)


@cache
def branch_guide() -> BranchGuide:
    knowledge = knowledge_base()
    branches = load_branches(Settings().knowledge_dir, set(knowledge.topic_ids))
    return BranchGuide(branches, knowledge, timescale_service(), card_library())


@cache
def card_library() -> CardLibrary:
    return load_cards(Settings().knowledge_dir, knowledge_base().authorities.ids)


@cache
def message_reader() -> MessageReader:
    """Built only for a message the web app did not read first (the engine's own tests)."""
    return MessageReader(card_library(), knowledge_base(), Settings().knowledge_dir)


@cache
def guide() -> Guide:
    return Guide(card_library(), knowledge_base(), message_reader)
