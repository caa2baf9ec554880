"""A customer inside one form who asks for another task gets the new task (DOMAIN.md: the customer leads).

"查投诉进度" asks for the phone's last 4 digits; the customer then writes "寄3公斤到北京多少钱". The form's
validation sees a request for another task (bot/vocabulary/tasks.py) and lets go of the message, so the form
is rejected. Right after that rejection this policy predicts `action_switch_task` (actions/task_switch.py),
which leaves the form and hands the same message back to the rules as if no form had been open. Rules cannot
say this once: they would be repeated for every form and every request, as the satisfaction survey's are.
Every other turn it abstains; an angry message is AngryHandoffPolicy's.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.angry_handoff import is_angry
from bot.vocabulary.tasks import asks_for_another_task

SWITCH_ACTION = "action_switch_task"
# As AngryHandoffPolicy: above RulePolicy (6), MemoizationPolicy (3) and TEDPolicy (1).
PRIORITY = 7


def _rejected_message(tracker: DialogueStateTracker) -> UserUttered | None:
    """The latest message, when the open form was rejected on it and nothing has run since."""
    loop = tracker.active_loop_name
    rejected = False
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered):
            return event if rejected else None
        if isinstance(event, ActionExecutionRejected) and event.action_name == loop:
            rejected = True
        elif isinstance(event, ActionExecuted):
            return None
    return None


def switches_task(tracker: DialogueStateTracker) -> bool:
    """The open form let go of a message that asks for another task."""
    message = _rejected_message(tracker)
    if message is None or is_angry(message):
        return False
    intent = message.intent or {}
    return asks_for_another_task(intent.get("name"), intent.get("confidence"), tracker.active_loop_name,
                                 tracker.get_slot(REQUESTED_SLOT))


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class TaskSwitchPolicy(Policy):
    """Leaves a form for another task the customer asked for; abstains otherwise."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": PRIORITY}

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
        if not switches_task(tracker) or SWITCH_ACTION not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(SWITCH_ACTION)] = 1.0
        return self._prediction(probabilities, is_no_user_prediction=True)
