"""Leaving a form for another task the customer asked for: `action_switch_task`.

Predicted by bot/policies/task_switch.py right after the open form let go of a message such as "查件 ZT…"
while it waited for a complaint's last 4 phone digits. The form is closed and forgets what it collected, as
when cancelled, and the same message is handed back to the rules: the events since the message are reverted
and the message is uttered again after a listen, the way Rasa's two-stage fallback hands back a message. The
copy keeps the message's id, so the analytics and the agent's transcript count it once.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, UserUtteranceReverted, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms_common import FORM_LABELS, leave_form

# What tracker.latest_message holds besides the parse data proper.
_NOT_PARSE_DATA = ("text", "message_id", "metadata")


def said_again(tracker: Tracker) -> list[EventType]:
    """The latest message once more, after a listen, with its reading, its id and its metadata."""
    message: dict[str, Any] = dict(tracker.latest_message or {})
    parse_data = {key: value for key, value in message.items() if key not in _NOT_PARSE_DATA}
    again = UserUttered(message.get("text"), parse_data=parse_data, input_channel=tracker.get_latest_input_channel())
    again.update({"message_id": message.get("message_id"), "metadata": message.get("metadata") or {}})
    return [ActionExecuted("action_listen"), again]


class ActionSwitchTask(Action):
    def name(self) -> str:
        return "action_switch_task"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = (tracker.active_loop or {}).get("name")
        label = FORM_LABELS.get(form or "", "刚才的办理")
        dispatcher.utter_message(text=f"好的，先帮您办这个。刚才的{label}先停下了，需要时随时再找我。")
        return [UserUtteranceReverted(), *leave_form(form, domain), *said_again(tracker)]
