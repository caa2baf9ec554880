"""An angry customer goes to a person at once, whatever they were doing (DOMAIN.md: 客户情绪激动 → 转人工).

The NLU marks an angry message with the entity `mood: angry` (bot/nlu/anger.py). Right after such a message
this policy predicts `action_handoff_angry`, above every rule and form (its predictions are "no user"
predictions with the highest priority, the kind RulePolicy uses to keep a form going). Then:
- in a form, the form continues (it asks its question again, as after 转人工 in a form);
- when the handoff became a callback offer (outside agents' hours), an active form is left first, so that the
  customer's 好的 / 不用了 reaches the callback rules instead of the form;
- otherwise the assistant listens.
Every other turn it abstains. A rule cannot do this reliably: rules would have to be repeated for every intent
and every form, and RulePolicy's form loop outranks a rule written on a user turn.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_DEACTIVATE_LOOP_NAME, ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.insisting import InsistingPolicy

HANDOFF_ACTION = "action_handoff_angry"
MOOD_ENTITY = "mood"
ANGRY = "angry"
CALLBACK_SLOT = "handoff_callback_offered"


def is_angry(message: UserUttered | None) -> bool:
    entities = (message.entities if message else None) or []
    return any(e.get("entity") == MOOD_ENTITY and e.get("value") == ANGRY for e in entities)


def _latest_user_turn(tracker: DialogueStateTracker) -> tuple[UserUttered | None, list[str]]:
    """The latest user message and the actions run since it; no message once the assistant has listened."""
    actions: list[str] = []
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered):
            return event, list(reversed(actions))
        if isinstance(event, ActionExecuted) and event.action_name:
            if event.action_name == ACTION_LISTEN_NAME:
                return None, []
            actions.append(event.action_name)
    return None, []


def next_action(tracker: DialogueStateTracker) -> str | None:
    """The action this policy insists on now, None when it has nothing to say."""
    message, since = _latest_user_turn(tracker)
    if not is_angry(message):
        return None
    if not since:
        return HANDOFF_ACTION
    loop = tracker.active_loop_name
    if since == [HANDOFF_ACTION]:
        if loop and tracker.get_slot(CALLBACK_SLOT) == "offered":
            return ACTION_DEACTIVATE_LOOP_NAME
        return loop or ACTION_LISTEN_NAME
    if since == [HANDOFF_ACTION, ACTION_DEACTIVATE_LOOP_NAME]:
        return ACTION_LISTEN_NAME
    return None  # the form has asked again; RulePolicy waits for the answer


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class AngryHandoffPolicy(InsistingPolicy):
    """Hands an angry customer to a person right after their message; abstains otherwise."""

    def next_action(self, tracker: DialogueStateTracker) -> str | None:
        return next_action(tracker)
