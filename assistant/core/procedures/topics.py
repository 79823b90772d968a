"""Tagging sections and questions with topic ids, from rules kept as data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    covers: str


@dataclass(frozen=True)
class TopicRule:
    topic: str
    strong: tuple[re.Pattern[str], ...]
    weak: tuple[re.Pattern[str], ...]

    def matches(self, title: str, passages: list[str]) -> bool:
        """A strong phrase anywhere, a weak one in the title, or two weak ones together in
        one passage (co-occurring in a paragraph, not scattered over a long section)."""
        if any(p.search(title) or any(p.search(text) for text in passages) for p in self.strong):
            return True
        if any(p.search(title) for p in self.weak):
            return True
        return any(sum(1 for p in self.weak if p.search(text)) >= 2 for text in passages)

    def weight_for_question(self, question: str) -> float:
        """How strongly a question points at this topic: each strong phrase 1, weak 0.3."""
        strong = sum(1 for p in self.strong if p.search(question))
        weak = sum(1 for p in self.weak if p.search(question))
        return strong + 0.3 * weak


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"(?<![\w-]){p}(?![\w-])", re.IGNORECASE) for p in patterns)


@dataclass(frozen=True)
class TopicOverride:
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


class TopicTagger:
    def __init__(
        self,
        topics: dict[str, Topic],
        rules: list[TopicRule],
        overrides: dict[str, TopicOverride],
    ) -> None:
        self.topics = topics
        self.rules = rules
        self.overrides = overrides

    def tag(self, section_id: str, title: str, passages: list[str]) -> tuple[str, ...]:
        found = {rule.topic for rule in self.rules if rule.matches(title, passages)}
        override = self.overrides.get(section_id)
        if override:
            found = (found | set(override.add)) - set(override.remove)
        return tuple(t for t in self.topics if t in found)  # in topics.yml order

    def question_topics(self, question: str) -> dict[str, float]:
        weights = {rule.topic: rule.weight_for_question(question) for rule in self.rules}
        return {topic: w for topic, w in weights.items() if w > 0}


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} must be a mapping")
    return data


def load_topic_tagger(knowledge_dir: Path) -> TopicTagger:
    topics = {
        topic_id: Topic(topic_id, str(entry["title"]), str(entry.get("covers", "")))
        for topic_id, entry in _load(knowledge_dir / "topics.yml")["topics"].items()
    }
    rules = []
    for topic_id, entry in _load(knowledge_dir / "topic_rules.yml")["topics"].items():
        if topic_id not in topics:
            raise ValueError(f"topic_rules.yml names unknown topic {topic_id!r}")
        rules.append(
            TopicRule(topic_id, _compile(entry.get("strong", [])), _compile(entry.get("weak", [])))
        )
    overrides = {}
    overrides_path = knowledge_dir / "topic_overrides.yml"
    if overrides_path.exists():
        for section_id, entry in (_load(overrides_path).get("sections") or {}).items():
            override = TopicOverride(tuple(entry.get("add", ())), tuple(entry.get("remove", ())))
            unknown = (set(override.add) | set(override.remove)) - set(topics)
            if unknown:
                raise ValueError(f"topic_overrides.yml: {section_id} names unknown {unknown}")
            overrides[section_id] = override
    return TopicTagger(topics, rules, overrides)
