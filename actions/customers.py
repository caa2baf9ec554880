"""Key customers (重点客户): recognised by phone, greeted with priority and their account manager named."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendError, NotFound, get_client
from actions.common import call_backend, mask_phone

logger = logging.getLogger(__name__)


def honorific(name: str | None) -> str:
    """"王伟" → "王先生/女士" would guess a gender: address the customer by full name instead."""
    return f"{name}您好" if name else "您好"


def vip_greeting(customer: dict[str, Any]) -> str:
    manager = customer.get("account_manager") or {}
    text = f"{honorific(customer.get('name'))}！您是我们的重点客户，您的问题会优先处理。"
    if manager.get("name"):
        text += f"您的专属客户经理是{manager['name']}（{mask_phone(manager.get('phone'))}）。"
    return text


async def recognise_customer(dispatcher: CollectingDispatcher, tracker: Tracker, phone: str) -> list[EventType]:
    """Look the phone up once per conversation and phone; greet key customers."""
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
    if not customer.get("is_vip"):
        return [*checked, SlotSet("customer_vip", False), SlotSet("account_manager", None)]
    dispatcher.utter_message(text=vip_greeting(customer))
    return [*checked, SlotSet("customer_vip", True), SlotSet("account_manager", customer.get("account_manager"))]
