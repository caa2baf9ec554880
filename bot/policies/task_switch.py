"""A customer inside one form who asks for another task gets the new task (DOMAIN.md: the customer leads).

"查投诉进度" asks for the phone's last 4 digits; the customer then writes "寄3公斤到北京多少钱". The form's
validation sees a request for another task (bot/vocabulary/tasks.py) and lets go of the message, so the form
is rejected. Right after that rejection this policy predicts `action_switch_task` (actions/task_switch.py),
which leaves the form and hands the same message back to the rules as if no form had been open. Rules cannot
say this once: they would be repeated for every form and every request, as the satisfaction survey's are.
Every other turn it abstains; an angry message is AngryHandoffPolicy's.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.angry_handoff import is_angry
from bot.policies.insisting import InsistingPolicy
from bot.vocabulary.tasks import asks_for_another_task

SWITCH_ACTION = "action_switch_task"


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
class TaskSwitchPolicy(InsistingPolicy):
    """Leaves a form for another task the customer asked for; abstains otherwise."""

    def next_action(self, tracker: DialogueStateTracker) -> str | None:
        return SWITCH_ACTION if switches_task(tracker) else None
