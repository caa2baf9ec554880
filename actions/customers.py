"""Key customers (重点客户): recognised by phone so that a handoff reaches the VIP team first — silently.

Typing a phone number proves nothing: anyone can type someone else's. So recognition changes only where a
handoff is routed (the `customer_vip` slot, read by the backend's queue), never what the chat says: no name,
no "key customer" label, no account manager. The manager's name and line are for the VIP agent, who sees them
in the console and shares them once the caller is verified (see docs/security.md, "Personal data before
verification").
"""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import call_backend
from bot.clients.backend import BackendError, NotFound, get_client

logger = logging.getLogger(__name__)


async def recognise_customer(dispatcher: CollectingDispatcher, tracker: Tracker, phone: str) -> list[EventType]:
    """Look the phone up once per conversation and phone; remember only whether it is a key customer's."""
    if not phone or tracker.get_slot("customer_checked_phone") == phone:
        return []
    checked = [SlotSet("customer_checked_phone", phone)]
    try:
        customer = await call_backend(get_client().get_customer_by_phone, phone)
    except NotFound:
        return [*checked, SlotSet("customer_vip", False), SlotSet("account_manager", None)]
    except BackendError as error:
        # Recognition is a courtesy: a slow backend must not interrupt the customer's request.
        logger.info("customer lookup failed: %s", error.code)
        return []
    # The account_manager slot stays empty: what the tracker holds, a reply could one day show.
    return [*checked, SlotSet("customer_vip", bool(customer.get("is_vip"))), SlotSet("account_manager", None)]
