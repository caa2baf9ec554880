"""The base of the policies that insist on one action in a situation they recognise, and abstain otherwise.

Their prediction is a "no user" prediction with a priority above RulePolicy's, the kind RulePolicy uses to keep
a form going, so it outranks every rule and form. They learn nothing from the stories.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

# Above RulePolicy (6), MemoizationPolicy (3) and TEDPolicy (1).
PRIORITY = 7


class InsistingPolicy(Policy, ABC):
    """Predicts `next_action(tracker)` for certain, or nothing when it returns None."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": PRIORITY}

    @abstractmethod
    def next_action(self, tracker: DialogueStateTracker) -> str | None:
        """The action this policy insists on now, None when it has nothing to say."""

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        # Nothing to learn; the resource is written so the trained model can load the policy.
        with self._model_storage.write_to(self._resource):
            pass
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = self.next_action(tracker)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, is_no_user_prediction=True)
