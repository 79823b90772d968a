"""Rasa NLU component: ages, dates, countries and relationships (engine/entities.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from engine.entities import EntityFinder


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class SpacyEntityExtractor(GraphComponent):
    """Adds rule-based entities; nothing to train, so nothing to store."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"countries_file": "knowledge/countries.yml"}

    def __init__(self, config: dict[str, Any]) -> None:
        countries = yaml.safe_load(Path(config["countries_file"]).read_text("utf-8"))
        self._finder = EntityFinder(str(c) for c in countries["countries"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyEntityExtractor:
        return cls(config)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SpacyEntityExtractor:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text: str | None = message.get(TEXT)
            if not text:
                continue
            found = [f.as_rasa(self.__class__.__name__) for f in self._finder.find(text)]
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
