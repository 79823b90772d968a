"""Dialogue policy: a reply to a question the assistant asked goes back to the action that
asked it, whatever the classifier makes of it.

Why: "When did the referral come in?" is answered with "the 3rd", "tues just gone" or
"14/12", which look like no intent in particular; rules keyed on intents would send them to
the fallback answer. An action that asks such a question sets the slot `expected_reply` to
its own name. On the very next user message (and only then), if that message holds a date
entity and is not a safety message (report_danger) or a wish to start again, this policy
predicts that action with certainty; right after it ran, it predicts listening.

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

from engine.awaited_reply import answered_by, awaiting_action, should_take


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class ExpectedReplyPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Above RulePolicy (6) and ReadingRoutingPolicy (7): a rule for the classifier's
        # guess must not win, nor the reading of a date as a question.
        return {
            "priority": 8,
            "entity": "date",
            "never_for_intents": ["report_danger", "start_again"],
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
        name = self.__class__.__name__
        if answered_by(_newest_first(tracker), name):
            result[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(result)
        if tracker.latest_action_name != ACTION_LISTEN_NAME or tracker.active_loop_name:
            return self._prediction(result)
        action = awaiting_action(_newest_first(tracker))
        message = tracker.latest_message
        if (
            action in domain.action_names_or_texts
            and message is not None
            and should_take(
                action,
                message.entities,
                (message.intent or {}).get("name"),
                self.config["entity"],
                self.config["never_for_intents"],
            )
        ):
            assert action is not None
            result[domain.index_for_action(action)] = 1.0
        return self._prediction(result)


def _newest_first(tracker: DialogueStateTracker) -> Iterator[dict[str, Any]]:
    return (event.as_dict() for event in reversed(tracker.events))
