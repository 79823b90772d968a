"""Dialogue policy: a message the web app read as a practice question is answered as one,
whatever the intent classifier guessed (engine/reading_route.py says when).

Below ExpectedReplyPolicy (a date in reply to the assistant's own question goes back to the
action that asked) and above RulePolicy (the classifier's guess). Inside a form (a plan, a
branch's questions, a quiz) it stays out of the way: the form's own rules answer questions.

Kept to Python 3.10 and free of the assistant package: the engine runs on 3.10.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from engine.awaited_reply import answered_by
from engine.reading_route import follows_reading


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class ReadingRoutingPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Above RulePolicy (6), below ExpectedReplyPolicy (8).
            "priority": 7,
            "action": "action_answer_procedure",
            "protected_intents": [
                "report_danger",
                "start_again",
                "stop",
                "affirm",
                "deny",
                "why_asking",
                "show_section",
                "homeless_16_17",
                "trafficking",
                "family_abroad",
                "extra_familial_harm",
                "pre_birth",
                # Commands of learning mode and reminders: "a practice case on county lines"
                # asks for a practice case, whatever card its subject is near.
                "quiz_me",
                "practice_case",
                "how_am_i_doing",
                "set_reminders",
                "mark_reminder_done",
            ],
            "dated_intents": ["ask_timescale", "ask_checkpoints"],
            # Cards the intent's own action answers better: it counts the dates.
            "own_cards": {
                "ask_timescale": ["timescale-overall", "local-checkpoint"],
                "ask_checkpoints": ["timescale-overall", "local-checkpoint"],
            },
        }

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        result = self._default_predictions(domain)
        if answered_by(_newest_first(tracker), self.__class__.__name__):
            result[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(result)
        if tracker.latest_action_name != ACTION_LISTEN_NAME or tracker.active_loop_name:
            return self._prediction(result)
        message = tracker.latest_message
        if message is not None and follows_reading(
            message.metadata,
            message.text or "",
            (message.intent or {}).get("name"),
            message.entities,
            self.config["protected_intents"],
            self.config["dated_intents"],
            self.config["own_cards"],
        ):
            result[domain.index_for_action(self.config["action"])] = 1.0
        return self._prediction(result)


def _newest_first(tracker: DialogueStateTracker) -> Iterator[dict[str, Any]]:
    return (event.as_dict() for event in reversed(tracker.events))
