"""Each form question asked once a turn.

When an answer does not fit ("标准" asked for the size), the validation says what it expects with an example
(`ask_again`). That hint is the question: the form's own `action_ask_<slot>` then stays silent instead of
asking the whole question a second time in the same turn. Without a hint it asks `utter_ask_<slot>`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# Bot-message metadata naming the slot a hint asks for again. Channels ignore unknown keys.
ASKS_FOR = "asks_for"

# Slots whose question is the domain's utter_ask_<slot>; the custom asks (confirmations, photos) check
# `hint_given` themselves.
ASKED_SLOTS = (
    "tracking_number",
    "origin", "destination", "weight", "dimensions", "service_level",
    "sender_name", "sender_phone", "pickup_address", "item", "time_window",
    "complaint_category", "complaint_description", "complaint_tracking_number", "complaint_phone",
    "claim_tracking_number", "claim_type", "claim_insured", "claim_declared_value", "claim_amount",
    "claim_description", "claim_phone",
    "complaint_lookup", "claim_lookup", "rating_score",
)


def question_buttons(domain: DomainDict, slot: str) -> list[dict[str, Any]]:
    """The buttons of the slot's question, so a hint that replaces the question keeps them."""
    variants = ((domain or {}).get("responses") or {}).get(f"utter_ask_{slot}") or []
    return list((variants[0] or {}).get("buttons") or []) if variants else []


def ask_again(dispatcher: CollectingDispatcher, domain: DomainDict, slot: str, text: str,
              buttons: list[dict[str, Any]] | None = None) -> None:
    """A hint that says what the answer should look like, sent instead of the slot's question this turn."""
    chosen = buttons if buttons is not None else question_buttons(domain, slot)
    dispatcher.utter_message(text=text, buttons=chosen, **{ASKS_FOR: slot})


def hint_given(tracker: Tracker, slot: str) -> bool:
    """A hint for this slot was sent since the customer's latest message."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return False
        if kind == "bot" and (event.get("metadata") or {}).get(ASKS_FOR) == slot:
            return True
    return False


class AskSlot(Action, ABC):
    """`action_ask_<slot>`: the domain's question, unless a hint already asked it this turn."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot this action asks for (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if not hint_given(tracker, self.slot):
            dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return []


# One registered action per slot: the SDK finds actions by subclass.
ASK_ACTIONS = {
    slot: type(AskSlot)(f"ActionAsk_{slot}", (AskSlot,), {"slot": slot, "__module__": __name__})
    for slot in ASKED_SLOTS
}
