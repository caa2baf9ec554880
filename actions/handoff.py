"""Requests for a person, until the human-handoff issue lands: an honest answer and a recorded event.

The assistant never pretends to connect anyone. It records `handed_off` with the reason (the KPI report counts
handoffs by reason) and tells the customer when agents work and what happens next.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, get_client, idempotency_key
from actions.common import call_backend, mask_phone
from bot.settings import get_settings

logger = logging.getLogger(__name__)

# The backend's vocabulary for handoff reasons (bot/backend/seed.py, KPI report).
REASON_CUSTOMER_ASKED = "asked_for_human"
REASON_CLAIM_OVER_LIMIT = "claim_over_limit"
REASON_BACKEND_DOWN = "backend_down"


async def record_handoff(tracker: Tracker, reason: str) -> bool:
    """Store a `handed_off` conversation event; False (and a log line) when the backend is unreachable."""
    payload = {"type": "handed_off", "reason": reason}
    channel = tracker.get_latest_input_channel()
    if channel:
        payload["channel"] = channel[:16]
    # One event per reason and customer message: a retried call is replayed, a later request counts again.
    turn = (tracker.latest_message or {}).get("message_id") or str(len(tracker.events))
    key = idempotency_key(tracker.sender_id, "handoff", {**payload, "turn": turn})
    try:
        await call_backend(get_client().post_conversation_event, tracker.sender_id, payload, idempotency=key)
    except BackendError as error:
        logger.warning("could not record handoff (%s): %s", reason, error.code)
        return False
    return True


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def agents_on_duty(now: datetime | None = None) -> bool:
    settings = get_settings()
    local = (now or datetime.now(ZoneInfo(settings.timezone))).astimezone(ZoneInfo(settings.timezone))
    return _hhmm(settings.agent_hours_start) <= local.time() < _hhmm(settings.agent_hours_end)


def request_human_text(on_duty: bool, manager: dict | None) -> str:
    settings = get_settings()
    hours = f"{settings.agent_hours_start}–{settings.agent_hours_end}"
    if on_duty:
        text = (
            f"好的，已为您记录转人工的请求。人工客服的服务时间是每天 {hours}，"
            "目前在线转接功能还在开通中，客服同事会查看您的请求并在这个对话里回复您，请您留意消息。"
        )
    else:
        text = (
            f"好的，已为您记录转人工的请求。人工客服的服务时间是每天 {hours}，现在不在服务时间，"
            "上班后客服同事会查看您的请求并在这个对话里回复您。"
        )
    if manager:
        text += f"您也可以直接联系您的专属客户经理{manager.get('name')}（{mask_phone(manager.get('phone'))}）。"
    return text + "在此期间，查件、投诉、理赔等问题我也可以继续帮您处理。"


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        await record_handoff(tracker, REASON_CUSTOMER_ASKED)
        manager = tracker.get_slot("account_manager") if tracker.get_slot("customer_vip") else None
        dispatcher.utter_message(text=request_human_text(agents_on_duty(), manager))
        return []
