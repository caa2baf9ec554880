"""Parcel notices: subscribe this chat to a parcel, and tell the customer when the backend pushes a key node.

The backend's notifier calls Rasa's trigger_intent API with `EXTERNAL_parcel_update` on the channel the chat
subscribed from; the notice carries no names, phones or addresses, and this module adds none.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import then_listen
from actions.parcel_requests import ParcelRequest, ask_backend
from bot.clients.backend import get_client
from bot.vocabulary.phones import mask_mobiles_in_text

logger = logging.getLogger(__name__)

# The output channel Rasa resolves to the chat's latest input channel when we cannot name it.
LATEST_CHANNEL = "latest"
NOTIFIED_EVENTS_TEXT = "派送中、异常或延误、签收"
SUBSCRIBE = ParcelRequest(
    awaiting_slot="awaiting_subscription",
    ask_text="好的，请问要订阅哪个快递的动态？把单号发给我就行，比如 ZT123456789012。",
    doing="订阅",
)
PROBLEM_STATUSES = {"exception", "delayed"}


def _entity(tracker: Tracker, name: str) -> str:
    for found in (tracker.latest_message or {}).get("entities") or []:
        if found.get("entity") == name and found.get("value") is not None:
            return str(found["value"]).strip()
    return ""


def subscribed_text(tracking_number: str) -> str:
    return (
        f"好的，已为您订阅快递 {tracking_number} 的动态提醒 🔔 包裹{NOTIFIED_EVENTS_TEXT}时，"
        "我会第一时间在这个对话里通知您。"
    )


class ActionSubscribeUpdates(Action):
    """"有变化通知我": subscribe this chat (its sender id and channel) to the parcel, or ask which parcel."""

    def name(self) -> str:
        return "action_subscribe_updates"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return then_listen(await self._subscribe(dispatcher, tracker))

    @staticmethod
    async def _subscribe(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        channel = tracker.get_latest_input_channel() or LATEST_CHANNEL
        events, number, _ = await ask_backend(
            dispatcher, tracker, SUBSCRIBE,
            lambda parcel: get_client().subscribe_parcel(parcel, tracker.sender_id, channel))
        if number:
            dispatcher.utter_message(text=subscribed_text(number))
        return events


def notice_text(tracking_number: str, status: str, status_text: str, city: str, event: str) -> str:
    where = f"（{city}）" if city else ""
    lines = [f"📦 您订阅的快递 {tracking_number} 有新动态：{status_text or '状态更新'}{where}"]
    # a scan description is written by operations: mask any phone that slipped into it
    event = mask_mobiles_in_text(event)
    if event and event != status_text:
        lines.append(event)
    if status == "out_for_delivery":
        lines.append("快递员正在为您派送，请保持电话畅通，留意查收哦。")
    elif status == "delivered":
        lines.append("如有任何问题，随时在这里告诉我。感谢您的耐心等待！")
    elif status in PROBLEM_STATUSES:
        problem = "出现异常" if status == "exception" else "有所延误"
        lines.append(
            f"非常抱歉，您的包裹{problem}，给您添麻烦了。我们正在加紧处理；"
            "如果您需要，可以直接在这里投诉或申请理赔。"
        )
    return "\n".join(lines)


class ActionParcelUpdateNotice(Action):
    """The backend pushed a key node of a subscribed parcel: tell the customer in this chat."""

    def name(self) -> str:
        return "action_parcel_update_notice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        number = _entity(tracker, "tracking_number")
        if not number:
            logger.warning("parcel notice without a tracking number for %s", tracker.sender_id)
            return []
        status = _entity(tracker, "parcel_status")
        text = notice_text(number, status, _entity(tracker, "parcel_status_text"),
                           _entity(tracker, "parcel_city"), _entity(tracker, "parcel_event"))
        buttons: list[dict[str, Any]] = []
        if status in PROBLEM_STATUSES:
            buttons = [{"title": "我要投诉", "payload": "/file_complaint"},
                       {"title": "申请理赔", "payload": "/file_claim"}]
        dispatcher.utter_message(text=text, buttons=buttons or None)
        return [SlotSet("tracking_number", number)]
