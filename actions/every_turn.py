"""Work done on every customer message, before the policies choose a reply (Rasa's global slot validation).

- key-customer recognition when the `phone` slot gets a (new) number;
- re-sending what the customer confirmed while the backend was down (same idempotency key, nothing doubled);
- a photo sent after a claim was filed is attached to that claim.
The Rasa server calls this action only when one of these has something to do (bot/every_turn_gate.py lists
the triggers): new work here needs its trigger there, or it will never run.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker, ValidationAction
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.claim_photos import attach_late_photo
from actions.claims import retry_pending_claim
from actions.complaints import retry_pending_complaint
from actions.customers import recognise_customer
from actions.satisfaction import retry_pending_rating
from bot.vocabulary.phones import normalise_mobile


class ActionValidateSlotMappings(ValidationAction):
    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        events += await retry_pending_complaint(dispatcher, tracker)
        events += await retry_pending_claim(dispatcher, tracker)
        events += await retry_pending_rating(tracker)
        events += await attach_late_photo(dispatcher, tracker)
        return events

    async def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = normalise_mobile(value[0] if isinstance(value, list) and value else value)
        if not phone:
            return {"phone": None}
        events = await recognise_customer(dispatcher, tracker, phone)
        return {"phone": phone, **{event["name"]: event["value"] for event in events}}
